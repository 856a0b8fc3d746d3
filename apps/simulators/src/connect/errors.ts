import { randomUUID } from 'node:crypto';
import type { APIError } from 'connect-sdk-nodejs/lib/v1/model/domain';

/**
 * Connect error bodies (digest §7): `{ errorId, errors: [APIError] }`, plus `paymentResult` /
 * `refundResult` on declines. The SDKs map the HTTP status: 400 ValidationException, 403
 * AuthorizationException, 404/409/410 ReferenceException (409 + single code "1409" + idempotence key
 * = IdempotenceException), 500/502/503 GlobalCollectException, anything else ApiException; a body with
 * `paymentResult`/`refundResult` becomes DeclinedPayment/DeclinedRefundException whatever the status.
 *
 * Error codes the documents give are used verbatim (20000000, 400300, 1100000, 300240, 9002); the
 * others are the simulator's own choice and are listed in CONNECT_ERROR_CODES.
 */
export const CONNECT_ERROR_CODES = {
  /** [001]/[002] 400: a required property is missing. */
  parameterNotFound: { code: '20000000', id: 'PARAMETER_NOT_FOUND_IN_REQUEST' },
  /**
   * Simulator choice: a property has an invalid value (amount rules, currency mismatch, a
   * merchantReference over 30 characters, an idempotence key over 40 or not ASCII).
   */
  invalidValue: { code: '21000020', id: 'REQUEST_PARAMETER_INVALID_VALUE' },
  /** [001] 404: unknown payment id (also used for unknown capture / refund ids). */
  notFound: { code: '400300', id: 'PAYMENTATTEMPT_NOT_FOUND' },
  /** [001] 405: processchallenged on a payment that is not challenged; simulator: every action in a wrong status. */
  notAllowedInStatus: { code: '1100000', id: 'ACTION_NOT_ALLOWED_IN_CURRENT_STATUS' },
  /** [002] 404 on refund: "the payment was not in a cancelable state" (nothing refundable). */
  notRefundable: { code: '300240', id: 'GET_ORDERSTATUS_ORDER_NOT_FOUND' },
  /** [ext] 403: bad or missing v1HMAC authorization. */
  invalidAuthorization: { code: '9002', id: 'MISSING_OR_INVALID_AUTHORIZATION' },
  /** Simulator choice: the API key is not allowed for this merchant (unknown merchant). */
  merchantNotAllowed: { code: '9007', id: 'ACCESS_TO_MERCHANT_NOT_ALLOWED' },
  /** [ext] 409 + idempotence key: the first request with this key has not finished yet. */
  idempotenceInProgress: { code: '1409', id: 'DUPLICATE_REQUEST_IN_PROGRESS' },
  /** Simulator choice: card declined by the (simulated) acquirer; HTTP 402 with paymentResult/refundResult. */
  declined: { code: '430330', id: 'NOT_AUTHORISED' },
  /** Simulator choice: transient platform error (connect-error-once, failure injection). */
  serverError: { code: '9999', id: 'UNKNOWN_SERVER_ERROR' },
} as const;

type ErrorKind = keyof typeof CONNECT_ERROR_CODES;

let errorSequence = 0;

/** Same shape as the documented ids, e.g. "15eabcd5-30b3-479b-ae03-67bb351c07e6-00000092". */
export function newErrorId(): string {
  errorSequence = (errorSequence + 1) % 0xffffffff;
  return `${randomUUID()}-${errorSequence.toString(16).padStart(8, '0')}`;
}

export function apiError(
  kind: ErrorKind,
  httpStatusCode: number,
  message: string,
  propertyName?: string,
): APIError {
  const { code, id } = CONNECT_ERROR_CODES[kind];
  const error: APIError = {
    code,
    id,
    category:
      kind === 'declined'
        ? 'PAYMENT_PLATFORM_ERROR'
        : kind === 'serverError'
          ? 'IO_ERROR'
          : 'CONNECT_PLATFORM_ERROR',
    httpStatusCode,
    message,
  };
  if (propertyName) error.propertyName = propertyName;
  error.requestId = String(Math.floor(Math.random() * 900000) + 100000);
  return error;
}

/** An error answer; thrown by the books and routes, turned into the HTTP response by the router. */
export class ConnectApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { errorId: string; errors: APIError[]; [extra: string]: unknown },
    /** Payment the error body embeds (declines), for idempotent replays and the books. */
    readonly paymentId?: string,
    readonly refundId?: string,
  ) {
    super(body.errors.map((e) => e.message).join('; '));
  }

  static of(status: number, errors: APIError[], extra: Record<string, unknown> = {}): ConnectApiError {
    return new ConnectApiError(status, { errorId: newErrorId(), errors, ...extra });
  }
}

export const missing = (propertyName: string) =>
  apiError('parameterNotFound', 400, 'PARAMETER_NOT_FOUND_IN_REQUEST', propertyName);

export const invalid = (propertyName: string, why: string) =>
  apiError('invalidValue', 400, `REQUEST_PARAMETER_INVALID_VALUE: ${why}`, propertyName);

export function validationError(errors: APIError[]): ConnectApiError {
  return ConnectApiError.of(400, errors);
}

export function notFound(what: 'payment' | 'capture' | 'refund', id: string): ConnectApiError {
  const message = what === 'payment' ? 'PAYMENTATTEMPT_NOT_FOUND' : `${what.toUpperCase()}_NOT_FOUND`;
  return ConnectApiError.of(404, [apiError('notFound', 404, `${message}: ${id}`)]);
}

export function notAllowedInStatus(message: string): ConnectApiError {
  return ConnectApiError.of(405, [apiError('notAllowedInStatus', 405, message)]);
}

/**
 * [002] refund 404, code 300240 ("the payment was not in a cancelable state"): nothing to refund,
 * or nothing settled yet.
 */
export function notRefundable(): ConnectApiError {
  return ConnectApiError.of(404, [apiError('notRefundable', 404, 'GET_ORDERSTATUS ORDER NOT FOUND')]);
}

export function authorizationError(reason: string): ConnectApiError {
  return ConnectApiError.of(403, [
    apiError('invalidAuthorization', 403, `MISSING_OR_INVALID_AUTHORIZATION: ${reason}`),
  ]);
}

export function serverError(message = 'UNKNOWN_SERVER_ERROR'): ConnectApiError {
  return ConnectApiError.of(500, [apiError('serverError', 500, message)]);
}

/** The fault plan's `partner-refusal` (common/faults.ts): Connect refusing an operation, nothing done. */
export function operationRefused(): { status: number; body: ConnectApiError['body'] } {
  return {
    status: 405,
    body: {
      errorId: newErrorId(),
      errors: [
        {
          code: '1002',
          id: 'OPERATION_REFUSED',
          category: 'PAYMENT_PLATFORM_ERROR',
          message: 'The partner refused this operation (fault plan)',
          httpStatusCode: 405,
        },
      ],
    },
  };
}
