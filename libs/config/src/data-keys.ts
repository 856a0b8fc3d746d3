/**
 * DATA_ENCRYPTION_KEYS: the AES-256 keys that encrypt secrets at rest (libs/persistence/src/encryption.ts),
 * `kid:base64key[,kid:base64key…]`. The first key encrypts, every key decrypts: rotate by
 * prepending a new key, running `tender keys reencrypt`, then dropping the old key.
 */
export interface DataKey {
  /** Names the key inside each ciphertext, so a value finds its key after a rotation. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** The key used when none is set in development and test. Public: refused in production. */
export const DEVELOPMENT_DATA_ENCRYPTION_KEYS = 'dev:TFgtzFJo7KQ24XzMnDW4++1HVxEam2EZx0qBxrCZS9Q=';

/** Logged by the API and the worker when they run with the development key. */
export const DEVELOPMENT_DATA_KEY_WARNING =
  'DATA_ENCRYPTION_KEYS is not set: secrets at rest are encrypted with the public development key (development and test only)';

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The keys of a DATA_ENCRYPTION_KEYS value, or the problems with it (never quoting a key). */
export function parseDataKeys(value: string): { keys: DataKey[]; problems: string[] } {
  const keys: DataKey[] = [];
  const problems: string[] = [];
  const entries = value.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    const separator = entry.indexOf(':');
    const id = separator > 0 ? entry.slice(0, separator) : '';
    const encoded = separator > 0 ? entry.slice(separator + 1) : '';
    if (!KEY_ID.test(id)) {
      problems.push(`key ${index + 1}: expected kid:base64key, the kid being 1 to 32 of A-Z a-z 0-9 _ -`);
      return;
    }
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (key.length !== 32) {
      problems.push(`key ${id}: must be 32 bytes in base64 (openssl rand -base64 32)`);
      return;
    }
    if (keys.some((other) => other.id === id)) {
      problems.push(`key ${id}: the kid appears twice`);
      return;
    }
    keys.push({ id, key });
  });
  return { keys, problems };
}

/** Whether `key` is the public development key. */
export function isDevelopmentDataKey(key: DataKey): boolean {
  const development = parseDataKeys(DEVELOPMENT_DATA_ENCRYPTION_KEYS).keys[0];
  return key.key.equals(development.key);
}
