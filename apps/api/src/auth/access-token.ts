import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from '@tender/config';
import { normalizeScopes, type AuthenticatedClient, type Scope } from '@tender/auth';
import { tokenKey, type AccessTokenKeys } from './token-keys';

/**
 * Access tokens: JWTs (RFC 7519) signed HS256 with `jose`, header `{ alg: HS256, typ: at+jwt, kid }`
 * (RFC 9068's type, so that no other JWT signed with the same secret passes for one; `kid` picks
 * the secret during a rotation, see token-keys.ts).
 *
 * Claims: `iss: 'tender'`, `sub` (client id), `ent` (entity id), `scope` (space-separated),
 * `iat`, `exp`, `jti`.
 *
 * Verification pins HS256 (no `none`, no RS/HS confusion), the type, the issuer and a known `kid`,
 * and checks exp, nbf (when present) and iat (present, not in the future, not older than
 * MAX_ACCESS_TOKEN_TTL_SECONDS). It needs no database: revocation is checked next, by
 * client-revocation.ts.
 */
export const ACCESS_TOKEN_ISSUER = 'tender';
export const ACCESS_TOKEN_TYPE = 'at+jwt';
const ALGORITHM = 'HS256';
const MAX_TOKEN_LENGTH = 4096;
/** Clock skew tolerated between the API processes (exp, nbf, iat). */
export const CLOCK_TOLERANCE_SECONDS = 5;

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  ent: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
}

export type InvalidTokenReason =
  | 'malformed'
  | 'unsupported_algorithm'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'invalid_claims'
  | 'revoked';

export class InvalidAccessTokenError extends Error {
  constructor(
    readonly reason: InvalidTokenReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Signs arbitrary claims with our header (overridable). For tests (expired or odd tokens): use
 * {@link issueAccessToken}.
 */
export function signClaims(
  secret: string,
  claims: JWTPayload,
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const key = tokenKey(secret);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: key.kid, ...header })
    .sign(key.key);
}

export interface IssueAccessTokenInput {
  clientId: string;
  entityId: string;
  scopes: readonly Scope[];
  ttlSeconds: number;
  /** Milliseconds since the epoch (tests). */
  now?: number;
}

export async function issueAccessToken(
  keys: AccessTokenKeys,
  input: IssueAccessTokenInput,
): Promise<{ token: string; claims: AccessTokenClaims }> {
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
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: keys.signing.kid })
    .sign(keys.signing.key);
  return { token, claims };
}

/** jose's errors as ours, with messages that quote nothing from the token. */
function invalid(error: unknown): InvalidAccessTokenError {
  if (error instanceof InvalidAccessTokenError) return error;
  if (error instanceof errors.JWTExpired) {
    return new InvalidAccessTokenError('expired', 'The access token expired.');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new InvalidAccessTokenError('unsupported_algorithm', 'The access token is not signed with HS256.');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new InvalidAccessTokenError('bad_signature', 'The access token signature is invalid.');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new InvalidAccessTokenError('invalid_claims', 'The access token claims are invalid.');
  }
  if (error instanceof errors.JOSEError) {
    return new InvalidAccessTokenError('malformed', 'The access token is malformed.');
  }
  throw error;
}

/** Verifies header, signature and claims; throws {@link InvalidAccessTokenError}. */
export async function verifyAccessToken(
  keys: AccessTokenKeys,
  token: string,
  now: number = Date.now(),
): Promise<AccessTokenClaims> {
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new InvalidAccessTokenError('malformed', 'The access token is malformed.');
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      (header) => {
        const key = typeof header.kid === 'string' ? keys.verifying.get(header.kid) : undefined;
        if (!key) throw new InvalidAccessTokenError('unknown_key', 'The access token key is unknown.');
        return key.key;
      },
      {
        algorithms: [ALGORITHM],
        typ: ACCESS_TOKEN_TYPE,
        issuer: ACCESS_TOKEN_ISSUER,
        requiredClaims: ['sub', 'iat', 'exp', 'jti'],
        maxTokenAge: MAX_ACCESS_TOKEN_TTL_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(now),
      },
    ));
  } catch (error) {
    throw invalid(error);
  }
  if (
    typeof payload.sub !== 'string' ||
    typeof payload.ent !== 'string' ||
    typeof payload.scope !== 'string' ||
    typeof payload.jti !== 'string'
  ) {
    throw new InvalidAccessTokenError('invalid_claims', 'The access token claims are invalid.');
  }
  return payload as unknown as AccessTokenClaims;
}

/** The client behind verified claims (unknown scope names are ignored). */
export function toAuthenticatedClient(claims: AccessTokenClaims): AuthenticatedClient {
  return { clientId: claims.sub, entityId: claims.ent, scopes: normalizeScopes(claims.scope.split(' ')) };
}
