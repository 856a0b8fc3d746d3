import { invalidClient, OAuthError } from './oauth-error';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Whether they came in an `Authorization: Basic` header (decides the status of `invalid_client`). */
  viaBasic: boolean;
}

export interface TokenRequest {
  credentials: ClientCredentials;
  /** The `scope` parameter, absent (or blank) meaning "every scope of the client". */
  scope?: string;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before being put in the Basic header. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function parseBasic(header: string): { clientId: string; clientSecret: string } {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 1) throw invalidClient(true, 'The Authorization header is not valid HTTP Basic credentials.');
  try {
    return {
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    throw invalidClient(true, 'The Basic credentials are not correctly form-urlencoded.');
  }
}

/** A single string parameter; repeated (RFC 6749 §3.2) or non-string parameters are refused. */
function param(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new OAuthError(
      'invalid_request',
      Array.isArray(value) ? `The ${name} parameter is repeated.` : `The ${name} parameter must be a string.`,
    );
  }
  return value;
}

/**
 * Reads a client-credentials token request (RFC 6749 §4.4.2) from the Authorization header and the
 * parsed body (form or JSON). Throws {@link OAuthError}.
 */
export function parseTokenRequest(authorization: string | undefined, rawBody: unknown): TokenRequest {
  if (rawBody !== undefined && (typeof rawBody !== 'object' || rawBody === null || Array.isArray(rawBody))) {
    throw new OAuthError('invalid_request', 'The body must be a form or a JSON object.');
  }
  const body = (rawBody ?? {}) as Record<string, unknown>;
  const grantType = param(body, 'grant_type');
  if (!grantType) throw new OAuthError('invalid_request', 'The grant_type parameter is missing.');
  if (grantType !== 'client_credentials') {
    throw new OAuthError('unsupported_grant_type', 'Only the client_credentials grant type is supported.');
  }
  const scope = param(body, 'scope');
  const bodyClientId = param(body, 'client_id');
  const bodySecret = param(body, 'client_secret');

  const usesBasic = authorization !== undefined && /^Basic(\s|$)/i.test(authorization);
  if (usesBasic) {
    const basic = parseBasic(authorization);
    if (bodySecret !== undefined) {
      throw new OAuthError('invalid_request', 'Use only one client authentication method (Basic or body).');
    }
    if (bodyClientId !== undefined && bodyClientId !== basic.clientId) {
      throw new OAuthError(
        'invalid_request',
        'The client_id parameter does not match the Basic credentials.',
      );
    }
    return { credentials: { ...basic, viaBasic: true }, scope: blankToUndefined(scope) };
  }
  if (!bodyClientId || bodySecret === undefined) {
    // No (usable) credentials at all: 401 with a Basic challenge tells the client how to authenticate.
    throw invalidClient(
      bodyClientId === undefined && bodySecret === undefined,
      'Client authentication is required: HTTP Basic or client_id and client_secret in the body.',
    );
  }
  return {
    credentials: { clientId: bodyClientId, clientSecret: bodySecret, viaBasic: false },
    scope: blankToUndefined(scope),
  };
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
