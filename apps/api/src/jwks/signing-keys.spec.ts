import { generateKeyPairSync } from 'node:crypto';
import { InvalidJwsError, signJws, verifyJws, type PublicJwk } from './jws';
import {
  currentSigningKey,
  DEFAULT_SWITCH_DELAY_MS,
  isPublished,
  KEY_CACHE_TTL_MS,
  MAX_TOKEN_TTL_SECONDS,
  RETIRED_KEY_PUBLISHED_MS,
  type SigningKeyRow,
} from './signing-keys';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');

const row = (id: string, createdAt: number, retiredAt: number | null = null): SigningKeyRow => ({
  id,
  algorithm: 'RS256',
  privateJwk: {},
  publicJwk: {},
  createdAt: new Date(createdAt),
  retiredAt: retiredAt === null ? null : new Date(retiredAt),
});

describe('signing key rules', () => {
  it('keeps the old key signing until the scheduled switch, with its successor already published', () => {
    const switchAt = T0 + DEFAULT_SWITCH_DELAY_MS;
    const keys = [row('old', T0 - 60 * MINUTE, switchAt), row('new', T0)];
    expect(currentSigningKey(keys, T0)?.id).toBe('old');
    expect(currentSigningKey(keys, switchAt - 1)?.id).toBe('old');
    expect(currentSigningKey(keys, switchAt)?.id).toBe('new');
    expect(keys.filter((k) => isPublished(k, T0)).map((k) => k.id)).toEqual(['old', 'new']);
    // The successor is published long before it signs: every JWKS cache has seen it.
    expect(DEFAULT_SWITCH_DELAY_MS).toBeGreaterThan(KEY_CACHE_TTL_MS);
  });

  it('keeps a retired key published until every token it may have signed has expired', () => {
    const retired = row('old', T0 - 60 * MINUTE, T0);
    // A process whose cache predates the rotation may sign with it for one more cache period.
    const lastSignature = T0 + KEY_CACHE_TTL_MS;
    const lastExpiry = lastSignature + MAX_TOKEN_TTL_SECONDS * 1000;
    expect(isPublished(retired, lastExpiry)).toBe(true);
    expect(isPublished(retired, T0 + RETIRED_KEY_PUBLISHED_MS - 1)).toBe(true);
    expect(isPublished(retired, T0 + RETIRED_KEY_PUBLISHED_MS)).toBe(false);
    expect(isPublished(row('active', T0 - 1000 * MINUTE), T0)).toBe(true);
  });

  it('signs with nothing when every key is retired (a new one must be created)', () => {
    expect(currentSigningKey([row('a', T0 - MINUTE, T0 - 1)], T0)).toBeUndefined();
    expect(currentSigningKey([], T0)).toBeUndefined();
  });

  it('after chained rotations, signs with the key retiring soonest', () => {
    const keys = [
      row('k1', T0 - 20 * MINUTE, T0 + 5 * MINUTE),
      row('k2', T0 - 5 * MINUTE, T0 + 10 * MINUTE),
      row('k3', T0),
    ];
    expect(currentSigningKey(keys, T0)?.id).toBe('k1');
    expect(currentSigningKey(keys, T0 + 5 * MINUTE)?.id).toBe('k2');
    expect(currentSigningKey(keys, T0 + 10 * MINUTE)?.id).toBe('k3');
  });
});

describe('RS256 compact JWS', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const keys: PublicJwk[] = [{ kty: 'RSA', kid: 'k1', alg: 'RS256', use: 'sig', n: jwk.n!, e: jwk.e! }];
  const token = signJws({ sub: 'p1', amount: 10 }, { kid: 'k1', privateKey });

  it('signs with the kid in the header, and verifies', () => {
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    expect(verifyJws(token, keys).payload).toEqual({ sub: 'p1', amount: 10 });
  });

  it('refuses a tampered payload, another kid, alg none, garbage', () => {
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'p1', amount: 1 })).toString('base64url');
    expect(() => verifyJws(`${h}.${forged}.${s}`, keys)).toThrow(InvalidJwsError);
    expect(() => verifyJws(token, [{ ...keys[0], kid: 'k2' }])).toThrow(/unknown kid/);
    const none = Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url');
    expect(() => verifyJws(`${none}.${token.split('.')[1]}.${s}`, keys)).toThrow(/unsupported alg/);
    expect(() => verifyJws('a.b', keys)).toThrow(/malformed/);
    // A header that is JSON but not an object (null, a number) is malformed, not a TypeError.
    for (const header of ['null', '1', '[]'])
      expect(() =>
        verifyJws(`${Buffer.from(header).toString('base64url')}.${token.split('.')[1]}.${s}`, keys),
      ).toThrow(InvalidJwsError);
  });
});
