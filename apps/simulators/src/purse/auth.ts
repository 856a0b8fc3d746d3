import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * OAuth2 client credentials (RFC 6749 §4.4) for the Purse simulator.
 *
 * - `POST /oauth2/token` (the seed gives no path), `application/x-www-form-urlencoded` only
 *   (RFC 6749 §4.4.2): `grant_type=client_credentials`; client authentication by HTTP Basic
 *   (RFC 6749 §2.3.1, id and secret form-urlencoded before Base64) or by `client_id` /
 *   `client_secret` in the body, never both. Unrecognized parameters are ignored (§3.2 says so).
 * - Answer (seed, line 6): `{ access_token, token_type: "Bearer", expires_in }` with
 *   `Cache-Control: no-store`.
 * - Errors are RFC 6749 §5.2 bodies `{ error, error_description }`: bad client → 401
 *   `invalid_client` (with `WWW-Authenticate: Basic`); another body type, a missing or repeated
 *   parameter (§3.2) → 400 `invalid_request`; other grant → 400 `unsupported_grant_type`; any
 *   `scope` → 400 `invalid_scope` (v2 defines no scopes: an assumption).
 * - API calls then carry `Authorization: Bearer <token>`; an unknown or expired token gets 401
 *   (RFC 6750 `WWW-Authenticate: Bearer error="invalid_token"`) with a problem body.
 */
export interface TokenRecord {
  clientId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type TokenTable = Record<string, TokenRecord>;

export interface PurseClientConfig {
  /** The Purse entity this client acts for. */
  entityId: string;
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
}

type OAuthError = { status: number; error: string; description: string; basic?: boolean };

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

function bodyField(req: Request, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Reads the client credentials from the Basic header or the body. */
export function readClientCredentials(
  req: Request,
): { clientId: string; clientSecret: string; basic: boolean } | OAuthError {
  const header = req.get('authorization');
  const bodyId = bodyField(req, 'client_id');
  const bodySecret = bodyField(req, 'client_secret');
  if (header && /^basic /i.test(header)) {
    if (bodySecret !== undefined) {
      return { status: 400, error: 'invalid_request', description: 'use one client authentication method' };
    }
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
      return {
        status: 401,
        error: 'invalid_client',
        description: 'malformed Basic credentials',
        basic: true,
      };
    try {
      return {
        clientId: formDecode(decoded.slice(0, colon)),
        clientSecret: formDecode(decoded.slice(colon + 1)),
        basic: true,
      };
    } catch {
      return {
        status: 401,
        error: 'invalid_client',
        description: 'malformed Basic credentials',
        basic: true,
      };
    }
  }
  if (bodyId === undefined || bodySecret === undefined) {
    return {
      status: 401,
      error: 'invalid_client',
      description: 'client authentication required',
      basic: true,
    };
  }
  return { clientId: bodyId, clientSecret: bodySecret, basic: false };
}

function oauthError(res: Response, failure: OAuthError): void {
  if (failure.basic) res.setHeader('WWW-Authenticate', 'Basic realm="purse"');
  res.setHeader('Cache-Control', 'no-store');
  res.status(failure.status).json({ error: failure.error, error_description: failure.description });
}

/** Drops expired tokens so the table does not grow without bound. */
function pruneExpired(tokens: TokenTable, nowMs: number): void {
  for (const [token, record] of Object.entries(tokens)) if (record.expiresAt <= nowMs) delete tokens[token];
}

/** Handles `POST /oauth2/token`; returns true when a token was issued (the books changed). */
export function handleTokenRequest(
  req: Request,
  res: Response,
  config: PurseClientConfig,
  tokens: TokenTable,
  nowMs: number,
): boolean {
  if (!req.is('application/x-www-form-urlencoded')) {
    oauthError(res, {
      status: 400,
      error: 'invalid_request',
      description: 'the body must be application/x-www-form-urlencoded',
    });
    return false;
  }
  const repeated = Object.entries((req.body ?? {}) as Record<string, unknown>).find(([, value]) =>
    Array.isArray(value),
  );
  if (repeated) {
    oauthError(res, { status: 400, error: 'invalid_request', description: `${repeated[0]} is repeated` });
    return false;
  }
  const credentials = readClientCredentials(req);
  if ('error' in credentials) {
    oauthError(res, credentials);
    return false;
  }
  if (
    credentials.clientId !== config.clientId ||
    !sameSecret(credentials.clientSecret, config.clientSecret)
  ) {
    oauthError(res, {
      status: 401,
      error: 'invalid_client',
      description: 'unknown client or wrong secret',
      basic: credentials.basic,
    });
    return false;
  }
  const grantType = bodyField(req, 'grant_type');
  if (grantType === undefined) {
    oauthError(res, { status: 400, error: 'invalid_request', description: 'grant_type is required' });
    return false;
  }
  if (grantType !== 'client_credentials') {
    oauthError(res, { status: 400, error: 'unsupported_grant_type', description: 'only client_credentials' });
    return false;
  }
  if (bodyField(req, 'scope') !== undefined) {
    oauthError(res, { status: 400, error: 'invalid_scope', description: 'Purse v2 defines no scopes' });
    return false;
  }
  pruneExpired(tokens, nowMs);
  const accessToken = randomBytes(24).toString('base64url');
  tokens[accessToken] = { clientId: credentials.clientId, expiresAt: nowMs + config.tokenTtlSeconds * 1000 };
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.status(200).json({
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: config.tokenTtlSeconds,
  });
  return true;
}

/** Checks `Authorization: Bearer <token>`; the client id, or why it was refused. */
export function verifyBearer(
  header: string | undefined,
  tokens: TokenTable,
  nowMs: number,
): { clientId: string } | { refused: string } {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return { refused: 'missing bearer token' };
  const record = tokens[match[1]];
  if (!record) return { refused: 'unknown access token' };
  if (record.expiresAt <= nowMs) return { refused: 'access token expired' };
  return { clientId: record.clientId };
}
