import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';

/**
 * RS256 compact JWS (RFC 7515) over node:crypto.
 *
 * Why not `jose` (SignJWT): jose 6 is published as ES modules only, which Jest (CommonJS, ts-jest,
 * no transform of node_modules) cannot load, and the API is booted inside Jest by the end-to-end
 * tests; see access-token.ts for the same choice. RS256 is RSASSA-PKCS1-v1_5 with SHA-256, which
 * `crypto.sign('sha256', …, rsaKey)` is. The tests verify our tokens with jose itself (in a plain
 * Node child process), so interoperability is checked against the reference implementation.
 */

export const JWS_ALGORITHM = 'RS256';
const RSA_MODULUS_BITS = 2048;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8192;

/** A public key as published in the JWKS (RFC 7517 / 7518 §6.3). */
export interface PublicJwk {
  kty: 'RSA';
  kid: string;
  alg: typeof JWS_ALGORITHM;
  use: 'sig';
  n: string;
  e: string;
}

export interface GeneratedKeyPair {
  privateJwk: JsonWebKey;
  publicJwk: PublicJwk;
}

const generate = promisify(generateKeyPair);

export async function generateRsaKeyPair(kid: string): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } = await generate('rsa', {
    modulusLength: RSA_MODULUS_BITS,
    publicExponent: 0x10001,
  });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    privateJwk: privateKey.export({ format: 'jwk' }),
    publicJwk: { kty: 'RSA', kid, alg: JWS_ALGORITHM, use: 'sig', n: jwk.n!, e: jwk.e! },
  };
}

export function privateKeyFromJwk(jwk: JsonWebKey): KeyObject {
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `base64url(header).base64url(payload).base64url(signature)`, header `{alg: RS256, typ, kid}`. */
export function signJws(
  payload: Record<string, unknown>,
  key: { kid: string; privateKey: KeyObject },
  typ = 'JWT',
): string {
  const signingInput = `${encode({ alg: JWS_ALGORITHM, typ, kid: key.kid })}.${encode(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

export class InvalidJwsError extends Error {}

/**
 * Verifies a compact JWS against a key set: RS256 only, key chosen by `kid`. Returns the payload;
 * claims (exp, iss…) are the caller's business. Throws {@link InvalidJwsError}.
 */
export function verifyJws(
  token: string,
  keys: readonly PublicJwk[],
): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const parts = token.length <= MAX_TOKEN_LENGTH ? token.split('.') : [];
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part)))
    throw new InvalidJwsError('malformed token');
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new InvalidJwsError('malformed token');
  }
  if (!isJsonObject(header)) throw new InvalidJwsError('malformed token');
  if (header.alg !== JWS_ALGORITHM) throw new InvalidJwsError(`unsupported alg ${String(header.alg)}`);
  const jwk = keys.find((key) => key.kid === header.kid);
  if (!jwk) throw new InvalidJwsError(`unknown kid ${String(header.kid)}`);
  const publicKey = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  const valid = verify(
    'sha256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    publicKey,
    Buffer.from(parts[2], 'base64url'),
  );
  if (!valid) throw new InvalidJwsError('bad signature');
  if (!isJsonObject(payload)) throw new InvalidJwsError('payload is not an object');
  return { header, payload };
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
