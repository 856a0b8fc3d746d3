import { randomBytes } from 'node:crypto';
import { DataCipher, DataDecryptionError, isEncrypted } from './encryption';

const OLD = { id: 'k2025', key: randomBytes(32) };
const NEW = { id: 'k2026', key: randomBytes(32) };
const COLUMN = 'partner_account.credentials';

function failure(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('DataCipher', () => {
  const cipher = new DataCipher([OLD]);

  it('round-trips text and JSON in a self-describing value', () => {
    const value = cipher.encrypt('tender-sim-secret', COLUMN);
    expect(value).toMatch(/^enc:v1:k2025:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(value).not.toContain('tender-sim-secret');
    expect(isEncrypted(value)).toBe(true);
    expect(cipher.decrypt(value, COLUMN)).toBe('tender-sim-secret');
    expect(cipher.encrypt('tender-sim-secret', COLUMN)).not.toBe(value); // random IV
    const instrument = { card_number: '6000000000000001', pin: '1234' };
    expect(cipher.openJson(cipher.sealJson(instrument, 'x'), 'x')).toEqual(instrument);
    expect(cipher.encrypt('', COLUMN)).not.toBe('');
    expect(cipher.decrypt(cipher.encrypt('', COLUMN), COLUMN)).toBe('');
  });

  it('passes values stored in clear through (rows written before encryption)', () => {
    expect(cipher.openJson({ card_number: '1' }, COLUMN)).toEqual({ card_number: '1' });
    expect(cipher.openText('whsec_abc', COLUMN)).toBe('whsec_abc');
  });

  it('refuses a wrong key, naming the column and kid but no value', () => {
    const value = cipher.encrypt('tender-sim-secret', COLUMN);
    const impostor = new DataCipher([{ id: 'k2025', key: randomBytes(32) }]);
    const error = failure(() => impostor.decrypt(value, COLUMN));
    expect(error).toBeInstanceOf(DataDecryptionError);
    expect(error.message).toMatch(/partner_account\.credentials: decryption failed with key "k2025"/);
    expect(error.message).not.toContain(value.split(':')[4]);
  });

  it('refuses a tampered value', () => {
    const value = cipher.encrypt('tender-sim-secret', COLUMN);
    const body = Buffer.from(value.split(':')[4], 'base64url');
    body[0] ^= 1;
    const tampered = [...value.split(':').slice(0, 4), body.toString('base64url')].join(':');
    expect(() => cipher.decrypt(tampered, COLUMN)).toThrow(DataDecryptionError);
    const iv = value.split(':');
    iv[3] = randomBytes(12).toString('base64url');
    expect(() => cipher.decrypt(iv.join(':'), COLUMN)).toThrow(DataDecryptionError);
    expect(() => cipher.decrypt(value.slice(0, -4), COLUMN)).toThrow(DataDecryptionError);
    expect(() => cipher.decrypt('enc:v1:k2025:short', COLUMN)).toThrow(/not an encrypted value/);
  });

  it('refuses a value moved to another column', () => {
    const value = cipher.encrypt('whsec_abc', 'webhook_secret.secret');
    expect(() => cipher.decrypt(value, 'partner_transaction.instrument')).toThrow(
      /partner_transaction\.instrument: decryption failed/,
    );
  });

  it('refuses a value under an unknown kid, and a relabelled one', () => {
    const value = new DataCipher([NEW]).encrypt('x', COLUMN);
    expect(() => cipher.decrypt(value, COLUMN)).toThrow(/no key "k2026" in DATA_ENCRYPTION_KEYS/);
    const both = new DataCipher([NEW, OLD]);
    const relabelled = both.encrypt('x', COLUMN).replace('enc:v1:k2026:', 'enc:v1:k2025:');
    expect(() => both.decrypt(relabelled, COLUMN)).toThrow(DataDecryptionError);
  });

  it('rotates: the new key encrypts, the old one still decrypts', () => {
    const before = cipher.encrypt('tender-sim-secret', COLUMN);
    const rotated = new DataCipher([NEW, OLD]);
    expect(rotated.decrypt(before, COLUMN)).toBe('tender-sim-secret');
    expect(rotated.isCurrent(before)).toBe(false);
    const after = rotated.encrypt('tender-sim-secret', COLUMN);
    expect(after.startsWith('enc:v1:k2026:')).toBe(true);
    expect(rotated.isCurrent(after)).toBe(true);
    expect(new DataCipher([NEW]).decrypt(after, COLUMN)).toBe('tender-sim-secret');
    expect(() => new DataCipher([NEW]).decrypt(before, COLUMN)).toThrow(/no key "k2025"/);
  });

  it('needs 32-byte keys', () => {
    expect(() => new DataCipher([])).toThrow();
    expect(() => new DataCipher([{ id: 'k', key: randomBytes(16) }])).toThrow(/32 bytes/);
  });
});
