import {
  generateClientId,
  generateClientSecret,
  hashClientSecret,
  isClientIdFormat,
  verifyClientSecret,
} from './client-secret';

describe('client secrets', () => {
  it('generates ids and secrets of the documented shapes', () => {
    const id = generateClientId();
    expect(id).toMatch(/^cli_[A-Za-z0-9_-]{22}$/);
    expect(isClientIdFormat(id)).toBe(true);
    expect(isClientIdFormat('cli_short')).toBe(false);
    const secret = generateClientSecret();
    expect(secret).toMatch(/^sec_[A-Za-z0-9_-]{43}$/);
    expect(generateClientSecret()).not.toBe(secret);
  });

  it('hashes with scrypt and a random salt, and verifies', async () => {
    const secret = generateClientSecret();
    const [a, b] = await Promise.all([hashClientSecret(secret), hashClientSecret(secret)]);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret.slice(4));
    expect(await verifyClientSecret(secret, a)).toBe(true);
    expect(await verifyClientSecret(secret, b)).toBe(true);
    expect(await verifyClientSecret(`${secret}x`, a)).toBe(false);
    expect(await verifyClientSecret('', a)).toBe(false);
  });

  it('answers false for unknown clients and unusable hashes', async () => {
    const secret = generateClientSecret();
    expect(await verifyClientSecret(secret, null)).toBe(false);
    expect(await verifyClientSecret(secret, 'plaintext')).toBe(false);
    expect(await verifyClientSecret(secret, 'scrypt$1073741824$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA')).toBe(
      false,
    );
  });
});
