import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The shopper credential (a client session's `widget.data`): `<session id>.<32 random bytes>`. It is
 * not an OAuth token (one dot, not a JWS, so the OAuth guard refuses it everywhere else) and it
 * carries no claims: it names its session and proves it with the secret stored on the session row,
 * so it lives and dies with that row (expiry, abort).
 */
const CREDENTIAL = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export function newShopperCredential(sessionId: string): string {
  return `${sessionId}.${randomBytes(32).toString('base64url')}`;
}

/** The session a well-formed credential names; undefined for anything else. */
export function credentialSessionId(credential: string): string | undefined {
  return CREDENTIAL.exec(credential)?.[1];
}

/** Constant-time comparison of the presented credential with the session's. */
export function credentialMatches(presented: string, stored: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer value of an `Authorization` header, if any. */
export function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
