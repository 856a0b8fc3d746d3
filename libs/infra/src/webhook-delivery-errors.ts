/**
 * What a failed merchant webhook delivery records and shows (`error`, `last_error`): a coarse
 * code, never a raw socket error or a response body. Raw errors would turn the events API into a
 * port scanner of whatever network the worker sits in ("ECONNREFUSED 10.0.0.5:6379" vs a timeout).
 */
export const DELIVERY_ERRORS = [
  'blocked_address',
  'dns_failure',
  'connect_refused',
  'unreachable',
  'timeout',
  'tls_error',
  'connection_reset',
  'network_error',
  'no_webhook_secret',
  'endpoint disabled',
] as const;
export type DeliveryError = (typeof DELIVERY_ERRORS)[number] | `http_${1 | 2 | 3 | 4 | 5}xx`;

/** Error code our guarded agent gives a connection to a refused address. */
export const BLOCKED_ADDRESS_CODE = 'ERR_WEBHOOK_BLOCKED_ADDRESS';

/** `http_4xx`, `http_5xx`… of a non-2xx answer (the exact status is in `response_status`). */
export function httpStatusError(status: number): DeliveryError {
  const klass = Math.min(5, Math.max(1, Math.floor(status / 100))) as 1 | 2 | 3 | 4 | 5;
  return `http_${klass}xx`;
}

const BY_CODE: Record<string, DeliveryError> = {
  [BLOCKED_ADDRESS_CODE]: 'blocked_address',
  ENOTFOUND: 'dns_failure',
  EAI_AGAIN: 'dns_failure',
  EAI_FAIL: 'dns_failure',
  ENODATA: 'dns_failure',
  ESERVFAIL: 'dns_failure',
  ECONNREFUSED: 'connect_refused',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  ECONNABORTED: 'connection_reset',
  ERR_STREAM_PREMATURE_CLOSE: 'connection_reset',
  EPROTO: 'tls_error',
};

/** The coarse code of an error thrown by a delivery attempt (node:http / tls errors, or their `cause`). */
export function coarseDeliveryError(error: unknown): DeliveryError {
  let e = error as { name?: string; code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
    const code = typeof e.code === 'string' ? e.code : '';
    if (BY_CODE[code]) return BY_CODE[code];
    if (TLS_CODE.test(code)) return 'tls_error';
  }
  return 'network_error';
}

const TLS_CODE = /^(ERR_TLS|ERR_SSL|ERR_OSSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/;

/**
 * A stored delivery error as the API shows it: a known code as is, anything else (never written
 * since errors are coarse; the 20261204020000 migration rewrote older raw messages) never echoed.
 */
export function presentableDeliveryError(stored: string | null): string | null {
  if (stored === null) return null;
  if ((DELIVERY_ERRORS as readonly string[]).includes(stored) || /^http_[1-5]xx$/.test(stored)) return stored;
  return 'network_error';
}
