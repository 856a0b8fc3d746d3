import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption of secrets at rest with AES-256-GCM under the keys of DATA_ENCRYPTION_KEYS (the first
 * encrypts, every one decrypts). A value is a self-describing string:
 *
 *   enc:v1:<kid>:<base64url 12-byte IV>:<base64url ciphertext + 16-byte tag>
 *
 * Each value has a random IV under the master key (no per-value data key: the master keys are
 * rotated by re-encrypting, `tender keys reencrypt`). The associated data binds a value to its
 * column (`enc:v1:<kid>:partner_account.credentials`): a value copied into another column does
 * not decrypt. Errors name the column and the kid, never a value.
 */
export interface DataKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class DataDecryptionError extends Error {}

/** Whether `value` is a ciphertext of {@link DataCipher} (whatever its key). */
export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

export class DataCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: DataKey;

  constructor(keys: readonly DataKey[]) {
    if (keys.length === 0) throw new Error('DataCipher needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new Error(`data key ${id} must be 32 bytes`);
    }
    this.current = keys[0];
    this.keys = new Map(keys.map(({ id, key }) => [id, key]));
  }

  /** The kid new values are encrypted with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string, column: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(associatedData(this.current.id, column));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${this.current.id}:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  decrypt(value: string, column: string): string {
    const parts = value.startsWith(PREFIX) ? value.slice(PREFIX.length).split(':') : [];
    if (parts.length !== 3) throw new DataDecryptionError(`${column}: not an encrypted value`);
    const [kid, ivText, bodyText] = parts;
    const key = this.keys.get(kid);
    if (!key) throw new DataDecryptionError(`${column}: no key "${kid}" in DATA_ENCRYPTION_KEYS`);
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
      throw new DataDecryptionError(`${column}: malformed encrypted value (key "${kid}")`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(associatedData(kid, column));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return plain.toString('utf8');
    } catch {
      throw new DataDecryptionError(
        `${column}: decryption failed with key "${kid}" (wrong key, altered value or another column's value)`,
      );
    }
  }

  /** Whether `value` is encrypted with the current (first) key. */
  isCurrent(value: unknown): boolean {
    return isEncrypted(value) && value.startsWith(`${PREFIX}${this.current.id}:`);
  }

  /** `value` as JSON, encrypted. */
  sealJson(value: unknown, column: string): string {
    return this.encrypt(JSON.stringify(value), column);
  }

  /** The value {@link sealJson} encrypted; a value stored in clear (before encryption) as it is. */
  openJson(value: unknown, column: string): unknown {
    return isEncrypted(value) ? JSON.parse(this.decrypt(value, column)) : value;
  }

  /** The text {@link encrypt} encrypted; a text stored in clear (before encryption) as it is. */
  openText(value: string, column: string): string {
    return isEncrypted(value) ? this.decrypt(value, column) : value;
  }
}

function associatedData(kid: string, column: string): Buffer {
  return Buffer.from(`${PREFIX}${kid}:${column}`, 'utf8');
}
