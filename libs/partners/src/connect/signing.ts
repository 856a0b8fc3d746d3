import { createHmac } from 'node:crypto';

/**
 * Connect `v1HMAC` request signing (seed digest §2.2, as in the official SDKs' DefaultAuthenticator):
 *
 *   StringToSign = UPPER(method) "\n"
 *                + Content-Type value (or "") "\n"
 *                + Date value "\n"
 *                + for every header whose lower-cased name starts with "x-gcs", sorted by that name:
 *                    lower(name) ":" canonical(value) "\n"
 *                + raw (percent-encoded) path [+ "?" + query] "\n"
 *   signature    = Base64(HMAC-SHA256(key = UTF-8 secret API key, msg = UTF-8 StringToSign))
 *   Authorization: GCS v1HMAC:{apiKeyId}:{signature}
 *
 * Own implementation on purpose (not the simulator's, not the SDK's): the unit tests pin it to the
 * published vectors, so a bug cannot hide behind client/server symmetry. (The Node SDK 5.2.0 sorts
 * with a broken comparator and does not fold header values; we follow the Python/Java reference.)
 */

export interface SignableRequest {
  method: string;
  /** Content-Type exactly as sent; undefined when the request has no body. */
  contentType?: string;
  /** Date header exactly as sent (RFC 1123 GMT). */
  date: string;
  /** Every header sent; only `x-gcs*` ones are part of the signature. */
  headers: Record<string, string | undefined>;
  /** Raw path plus `?query` if any, exactly as sent on the request line, e.g. `/v1/1000/payments`. */
  path: string;
}

/** Folded header lines become one space, then the value is trimmed (digest §2.2 `canonicalValue`). */
export function canonicalHeaderValue(value: string | undefined | null): string {
  if (value === undefined || value === null) return '';
  return value.replace(/\r?\n(?:(?![\r\n])\s)*/g, ' ').trim();
}

/** ASCII-only lower-casing (locale independent: the Turkish-locale bug of digest §2.2). */
function asciiLower(name: string): string {
  return name.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

export function v1HmacStringToSign(request: SignableRequest): string {
  const gcs = Object.entries(request.headers)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => [asciiLower(name), canonicalHeaderValue(value)] as const)
    .filter(([name]) => name.startsWith('x-gcs'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let toSign = `${request.method.toUpperCase()}\n${request.contentType ?? ''}\n${request.date}\n`;
  for (const [name, value] of gcs) toSign += `${name}:${value}\n`;
  return `${toSign}${request.path}\n`;
}

export function v1HmacSignature(secretApiKey: string, stringToSign: string): string {
  return createHmac('sha256', Buffer.from(secretApiKey, 'utf8'))
    .update(Buffer.from(stringToSign, 'utf8'))
    .digest('base64');
}

export function v1HmacAuthorization(
  apiKeyId: string,
  secretApiKey: string,
  request: SignableRequest,
): string {
  return `GCS v1HMAC:${apiKeyId}:${v1HmacSignature(secretApiKey, v1HmacStringToSign(request))}`;
}

/** `Date` header format the SDKs send: RFC 1123 in GMT, English names (`Fri, 06 Jun 2014 13:39:43 GMT`). */
export function rfc1123(date: Date = new Date()): string {
  return date.toUTCString();
}

/**
 * `X-GCS-ServerMetaInfo`: Base64 of the JSON the SDKs send (platform, SDK identity, integrator).
 * Always sent (the SDK contract says there is always at least this header) and signed.
 */
export function serverMetaInfo(integrator: string): string {
  const info = {
    platformIdentifier: `${process.platform} Node.js/${process.versions.node}`,
    sdkIdentifier: 'TenderConnectAdapter/v1',
    sdkCreator: 'Tender',
    integrator,
  };
  return Buffer.from(JSON.stringify(info), 'utf8').toString('base64');
}
