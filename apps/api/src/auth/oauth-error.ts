/**
 * Errors of the token endpoint. Unlike the rest of the API (RFC 9457 problem+json with a `code`),
 * they follow RFC 6749 §5.2: `{ error, error_description }` as application/json, because that is
 * what every OAuth2 client library parses.
 */
export type OAuthErrorCode =
  'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status: 400 | 401 = 400,
    /** Sent as `WWW-Authenticate` (401 only). */
    readonly challenge?: string,
  ) {
    super(description);
  }

  body(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const BASIC_CHALLENGE = 'Basic realm="tender", charset="UTF-8"';

/**
 * `invalid_client`: 401 with a Basic challenge when the client authenticated (or did not
 * authenticate at all) with HTTP Basic, 400 when it sent its credentials in the body (RFC 6749 §5.2).
 */
export function invalidClient(usedBasic: boolean, description = 'Client authentication failed.'): OAuthError {
  return usedBasic
    ? new OAuthError('invalid_client', description, 401, BASIC_CHALLENGE)
    : new OAuthError('invalid_client', description, 400);
}
