import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Connect `v1HMAC` request signing (digest §2.2, identical in the official SDKs):
 *
 *   UPPER(method) \n Content-Type (or "") \n Date \n
 *   for each x-gcs* header sorted by lower-cased name: lower(name) ":" canonical(value) \n
 *   raw path [+ "?" + query] \n
 *
 * signature = Base64(HMAC-SHA256(key = UTF-8 secret, msg = UTF-8 string to sign)),
 * header    = `Authorization: GCS v1HMAC:{apiKeyId}:{signature}`.
 */

export interface SignableRequest {
  method: string;
  /** Content-Type as sent, or undefined when the request has none. */
  contentType?: string;
  /** The Date header exactly as sent (RFC 1123, e.g. "Fri, 06 Jun 2014 13:39:43 GMT"). */
  date: string;
  /** All request headers (any case); only `x-gcs*` ones are signed. */
  headers: ReadonlyArray<readonly [name: string, value: string]>;
  /** Raw (percent-encoded) path plus "?query" if any, e.g. "/v1/1000/payments?limit=10". */
  path: string;
}

/** Folded lines become one space, then trimmed (digest §2.2 `canonicalValue`). */
export function canonicalHeaderValue(value: string | undefined | null): string {
  if (value == null) return '';
  return value.replace(/\r?\n(?:(?![\r\n])\s)*/g, ' ').trim();
}

export function stringToSign(request: SignableRequest): string {
  const gcsHeaders = request.headers
    .map(([name, value]) => [name.toLowerCase(), canonicalHeaderValue(value)] as const)
    .filter(([name]) => name.startsWith('x-gcs'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value}\n`)
    .join('');
  return (
    `${request.method.toUpperCase()}\n` +
    `${request.contentType ?? ''}\n` +
    `${request.date}\n` +
    gcsHeaders +
    `${request.path}\n`
  );
}

export function v1HmacSignature(secretApiKey: string, toSign: string): string {
  return createHmac('sha256', Buffer.from(secretApiKey, 'utf8'))
    .update(Buffer.from(toSign, 'utf8'))
    .digest('base64');
}

export function authorizationHeader(
  apiKeyId: string,
  secretApiKey: string,
  request: SignableRequest,
): string {
  return `GCS v1HMAC:${apiKeyId}:${v1HmacSignature(secretApiKey, stringToSign(request))}`;
}

/** Date header value in the format the SDKs send (RFC 1123, GMT). */
export function rfc1123Date(date: Date = new Date()): string {
  return date.toUTCString();
}

export interface ParsedAuthorization {
  authorizationType: string;
  apiKeyId: string;
  signature: string;
}

/** Parses `GCS v1HMAC:{apiKeyId}:{signature}`; the key id may itself contain ':' (the signature cannot). */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  const match = /^GCS ([^:\s]+):(.+):([A-Za-z0-9+/]+={0,2})$/.exec((header ?? '').trim());
  if (!match) return undefined;
  return { authorizationType: match[1], apiKeyId: match[2], signature: match[3] };
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // still spend the time of a comparison so the length is the only thing that leaks
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

export type VerifyResult = { ok: true; apiKeyId: string } | { ok: false; reason: string };

export interface VerifyOptions {
  /** key id → secret */
  apiKeys: Readonly<Record<string, string>>;
  now: Date;
  /** Maximum |now − Date| accepted. */
  dateSkewSeconds: number;
}

/**
 * Verifies a received request's `Authorization` header. `request.headers` must contain every
 * header as received (duplicates included): a repeated x-gcs header is rejected, as the SDK
 * contract forbids it ("may not contain headers with the same name").
 */
export function verifyV1Hmac(
  authorization: string | undefined,
  request: SignableRequest,
  options: VerifyOptions,
): VerifyResult {
  if (!authorization) return { ok: false, reason: 'missing Authorization header' };
  const parsed = parseAuthorization(authorization);
  if (!parsed) return { ok: false, reason: 'malformed Authorization header' };
  if (parsed.authorizationType !== 'v1HMAC') {
    return { ok: false, reason: `unsupported authorization type ${parsed.authorizationType}` };
  }
  if (!Object.prototype.hasOwnProperty.call(options.apiKeys, parsed.apiKeyId)) {
    return { ok: false, reason: 'unknown API key id' };
  }
  if (!request.date) return { ok: false, reason: 'missing Date header' };
  const sent = Date.parse(request.date);
  if (Number.isNaN(sent)) return { ok: false, reason: 'unparsable Date header' };
  if (Math.abs(options.now.getTime() - sent) > options.dateSkewSeconds * 1000) {
    return { ok: false, reason: `Date header more than ${options.dateSkewSeconds}s from server time` };
  }
  const seen = new Set<string>();
  for (const [name] of request.headers) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('x-gcs')) continue;
    if (seen.has(lower)) return { ok: false, reason: `duplicate header ${lower}` };
    seen.add(lower);
  }
  const expected = v1HmacSignature(options.apiKeys[parsed.apiKeyId], stringToSign(request));
  if (!constantTimeEqual(parsed.signature, expected)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true, apiKeyId: parsed.apiKeyId };
}
