import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { normalizeScopes, type AuthenticatedClient, type Scope } from './scopes';

/**
 * Access tokens: compact JWS (JWT, RFC 7519) signed HS256 with `TOKEN_SIGNING_SECRET`, typed
 * `at+jwt` (RFC 9068) so that no other JWT signed with the same secret can pass for one.
 *
 * Claims: `iss: 'tender'`, `sub` (client id), `ent` (entity id), `scope` (space-separated),
 * `iat`, `exp`, `jti`.
 *
 * They are verified WITHOUT a database round trip: a revoked client's tokens stay valid until they
 * expire, which is why ACCESS_TOKEN_TTL_SECONDS should stay short (default one hour).
 *
 * Why not `jose`: jose 6 is published as ES modules only, which Jest (CommonJS, ts-jest, no
 * transform of node_modules) cannot load, so importing it here would break every test booting the
 * API. HS256 over node:crypto is a few lines; the verification below is deliberately strict
 * (exact header, HS256 only, constant-time signature comparison, mandatory claims).
 */
export const ACCESS_TOKEN_ISSUER = 'tender';
const HEADER = { alg: 'HS256', typ: 'at+jwt' } as const;
const ENCODED_HEADER = Buffer.from(JSON.stringify(HEADER)).toString('base64url');
const MAX_TOKEN_LENGTH = 4096;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  ent: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
}

export type InvalidTokenReason = 'malformed' | 'bad_signature' | 'expired' | 'invalid_claims';

export class InvalidAccessTokenError extends Error {
  constructor(
    readonly reason: InvalidTokenReason,
    message: string,
  ) {
    super(message);
  }
}

function signature(secret: string, signingInput: string): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(signingInput).digest();
}

/** Signs arbitrary claims with our header. Exposed for tests (expired or odd tokens); use {@link issueAccessToken}. */
export function signClaims(secret: string, claims: object): string {
  const signingInput = `${ENCODED_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signingInput}.${signature(secret, signingInput).toString('base64url')}`;
}

export interface IssueAccessTokenInput {
  clientId: string;
  entityId: string;
  scopes: readonly Scope[];
  ttlSeconds: number;
  /** Milliseconds since the epoch (tests). */
  now?: number;
}

export function issueAccessToken(
  secret: string,
  input: IssueAccessTokenInput,
): { token: string; claims: AccessTokenClaims } {
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  const claims: AccessTokenClaims = {
    iss: ACCESS_TOKEN_ISSUER,
    sub: input.clientId,
    ent: input.entityId,
    scope: input.scopes.join(' '),
    iat,
    exp: iat + input.ttlSeconds,
    jti: randomUUID(),
  };
  return { token: signClaims(secret, claims), claims };
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Verifies signature, header and claims; throws {@link InvalidAccessTokenError}. */
export function verifyAccessToken(
  secret: string,
  token: string,
  now: number = Date.now(),
): AccessTokenClaims {
  const parts = token.length <= MAX_TOKEN_LENGTH ? token.split('.') : [];
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) {
    throw new InvalidAccessTokenError('malformed', 'The access token is malformed.');
  }
  const [encodedHeader, encodedPayload, encodedSignature] = parts;
  const header = decodeJson(encodedHeader);
  if (
    !isObject(header) ||
    header.alg !== HEADER.alg ||
    header.typ !== HEADER.typ ||
    Object.keys(header).some((key) => key !== 'alg' && key !== 'typ')
  ) {
    throw new InvalidAccessTokenError('malformed', 'The access token is not a Tender access token.');
  }
  const expected = signature(secret, `${encodedHeader}.${encodedPayload}`);
  const given = Buffer.from(encodedSignature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidAccessTokenError('bad_signature', 'The access token signature is invalid.');
  }
  const claims = decodeJson(encodedPayload);
  if (
    !isObject(claims) ||
    claims.iss !== ACCESS_TOKEN_ISSUER ||
    typeof claims.sub !== 'string' ||
    typeof claims.ent !== 'string' ||
    typeof claims.scope !== 'string' ||
    typeof claims.jti !== 'string' ||
    !Number.isFinite(claims.iat) ||
    !Number.isFinite(claims.exp)
  ) {
    throw new InvalidAccessTokenError('invalid_claims', 'The access token claims are invalid.');
  }
  if (Math.floor(now / 1000) >= (claims.exp as number)) {
    throw new InvalidAccessTokenError('expired', 'The access token expired.');
  }
  return claims as unknown as AccessTokenClaims;
}

/** The client behind verified claims (unknown scope names are ignored). */
export function toAuthenticatedClient(claims: AccessTokenClaims): AuthenticatedClient {
  return { clientId: claims.sub, entityId: claims.ent, scopes: normalizeScopes(claims.scope.split(' ')) };
}
