import { createHash, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * The HMAC keys of the access tokens, from `TOKEN_SIGNING_SECRET` (`new` or `new,previous`): the
 * first signs, every one verifies. A token names its key in the `kid` header, derived from the
 * secret (8 characters of base64url SHA-256: 48 bits of a hash of ≥ 32 random bytes reveal nothing
 * usable), so a rotation needs no key registry: the verifier picks the secret by `kid`.
 */
export interface TokenKey {
  kid: string;
  key: KeyObject;
}

export interface AccessTokenKeys {
  signing: TokenKey;
  verifying: ReadonlyMap<string, TokenKey>;
}

export function keyId(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url').slice(0, 8);
}

export function tokenKey(secret: string): TokenKey {
  return { kid: keyId(secret), key: createSecretKey(Buffer.from(secret, 'utf8')) };
}

export function accessTokenKeys(secrets: readonly [string, ...string[]]): AccessTokenKeys {
  const keys = secrets.map(tokenKey);
  return { signing: keys[0], verifying: new Map(keys.map((key) => [key.kid, key])) };
}
