import { timingSafeEqual } from 'node:crypto';
import { TxError } from './replies';

/**
 * Paytronix authentication as the digest describes it (authentication.html, transaction.rst):
 *
 * 1. Every call carries `Authorization: Basic base64(<integration identifier>:<secret>)`.
 * 2. Transaction Service and the b2b Payment Service endpoints allow only `b2b` auth: the request
 *    carries `authentication: "b2b"`, `username` and `password` (JSON body fields for POST, query
 *    parameters for GET), as live clients send them.
 *
 * Bad credentials are refused with HTTP 401 (as an HTTP service guarding Basic auth answers;
 * an assumption, the documents do not say) and a failure body, `result: "failure"`, errorCode
 * `authentication.invalid_integration_credentials`, `authentication.unsupported_authentication`
 * or `authentication.invalid_b2b_credentials` (our codes; nothing was done).
 */
export interface PaytronixCredentials {
  integrationId: string;
  integrationSecret: string;
  username: string;
  password: string;
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function basic(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** Throws the TxError to answer when the call is not authenticated. */
export function checkAuthentication(
  authorization: string | undefined,
  fields: Record<string, unknown>,
  credentials: PaytronixCredentials,
): void {
  const integration = basic(authorization);
  if (
    !integration ||
    !same(integration.id, credentials.integrationId) ||
    !same(integration.secret, credentials.integrationSecret)
  ) {
    throw new TxError('invalidIntegration');
  }
  if (fields.authentication !== 'b2b') throw new TxError('unsupportedAuthentication');
  const { username, password } = fields;
  if (
    typeof username !== 'string' ||
    typeof password !== 'string' ||
    !same(username, credentials.username) ||
    !same(password, credentials.password)
  ) {
    throw new TxError('invalidB2bCredentials');
  }
}
