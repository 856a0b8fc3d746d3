import type {
  APIError,
  AmountOfMoney,
  CaptureResponse,
  CreatePaymentResponse,
  PaymentResponse,
  RefundResponse,
} from 'connect-sdk-nodejs/lib/v1/model/domain';
import {
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  type AuthorizeOutcome,
  type AuthorizeResult,
  type OperationOutcome,
  type OperationResult,
} from '../adapter';
import type { ConnectAnswer } from './client';

/**
 * Connect statuses and errors → Tender outcomes (digest §5 status models, §7 errors).
 *
 * Payment (authorization view):
 *   PENDING_APPROVAL, PENDING_CAPTURE (authorized, waiting for our capture) and every later stage
 *   of an authorized payment (CAPTURE_REQUESTED, CAPTURED, PAID, REFUNDED, REJECTED_CAPTURE,
 *   REVERSED, CHARGEBACK_NOTIFICATION, CHARGEBACKED) ................ AUTHORIZED
 *   PENDING_FRAUD_APPROVAL .......................................... PENDING_FRAUD_APPROVAL
 *   REDIRECTED, PENDING_PAYMENT, PENDING_COMPLETION (or a merchantAction) REQUIRES_ACTION
 *   REJECTED (also inside a 402 PaymentErrorResponse.paymentResult) .. REFUSED
 *   CANCELLED ........................................................ CANCELLED
 *   CREATED, AUTHORIZATION_REQUESTED (Connect still deciding) ........ UnknownOutcomeError (look again later)
 *   anything else: AUTHORIZED if statusOutput.isAuthorized, else PartnerProtocolError.
 * Capture: CAPTURED (and PAID) → SUCCESS; CAPTURE_REQUESTED ("in the queue to be captured", [000]
 *   Capture.status) → PENDING; REJECTED_CAPTURE, CANCELLED, REVERSED → FAILED.
 * Refund: REFUNDED, CAPTURED ([002] spelling of "refunded, confirmed online") → SUCCESS;
 *   CREATED, PENDING_APPROVAL, REFUND_REQUESTED ("in the queue to be refunded") → PENDING;
 *   REJECTED, REJECTED_CAPTURE, CANCELLED → FAILED.
 * A PENDING leg is looked at again on the dispatcher's reconcile schedule (fetchOperation), sooner
 * when a Connect webhook about the payment or the refund arrives.
 * `partnerStatus` is the numeric legacy `statusOutput.statusCode` as a string (the status name when
 * absent); `partnerStatusDescription` is the status name plus the errors, if any.
 */

const AUTHORIZED = new Set([
  'PENDING_APPROVAL',
  'PENDING_CAPTURE',
  'CAPTURE_REQUESTED',
  'CAPTURED',
  'PAID',
  'REFUNDED',
  'REJECTED_CAPTURE',
  'REVERSED',
  'CHARGEBACK_NOTIFICATION',
  'CHARGEBACKED',
]);
const REQUIRES_ACTION = new Set(['REDIRECTED', 'PENDING_PAYMENT', 'PENDING_COMPLETION']);
const IN_PROGRESS = new Set(['CREATED', 'AUTHORIZATION_REQUESTED']);

/**
 * Payment statuses in which nothing is captured and the authorization (or the attempt) is still open:
 * a cancel releases it.
 */
export const OPEN_AUTHORIZATION = new Set([
  'PENDING_FRAUD_APPROVAL',
  'PENDING_APPROVAL',
  'PENDING_CAPTURE',
  'REDIRECTED',
  'PENDING_PAYMENT',
  'PENDING_COMPLETION',
]);
/**
 * Statuses reached through captures: no uncaptured remainder is held any more (a final capture or a
 * cancel after a partial capture released it). A cancel here would hit the captures instead (while
 * they are queued, Connect's cancel cancels them), so a void never sends one while it could.
 */
export const CLOSED_BY_CAPTURE = new Set([
  'CAPTURE_REQUESTED',
  'CAPTURED',
  'PAID',
  'REFUNDED',
  'REJECTED_CAPTURE',
  'REVERSED',
  'CHARGEBACK_NOTIFICATION',
  'CHARGEBACKED',
]);

/**
 * Only Connect's confirmation settles a capture or refund leg: the *_REQUESTED statuses are queued
 * work that can still be rejected (REJECTED_CAPTURE) and a refund of a capture that has not settled
 * is refused. PAID (funds matched) is a payment status; accepted for a capture all the same.
 */
export const CAPTURE_SUCCESS = new Set(['CAPTURED', 'PAID']);
const CAPTURE_FAILED = new Set(['REJECTED_CAPTURE', 'CANCELLED', 'REVERSED']);
export const REFUND_SUCCESS = new Set(['REFUNDED', 'CAPTURED']);
const REFUND_FAILED = new Set(['REJECTED', 'REJECTED_CAPTURE', 'CANCELLED']);

// ---- errors ---------------------------------------------------------------------------------

interface ErrorBody {
  errorId?: string | null;
  errors?: APIError[] | null;
}

export function apiErrors(body: unknown): APIError[] {
  const errors = (body as ErrorBody | undefined)?.errors;
  return Array.isArray(errors) ? errors : [];
}

/** "430330 NOT_AUTHORISED: NOT AUTHORISED; …" — codes and Connect's own texts only, nothing we sent. */
export function describeErrors(errors: readonly APIError[]): string {
  return errors
    .map((e) => {
      const head = [e.code, e.id].filter(Boolean).join(' ');
      const message = e.message && e.message !== e.id ? e.message : '';
      const property = e.propertyName ? ` (${e.propertyName})` : '';
      return `${head}${head && message ? ': ' : ''}${message}${property}`;
    })
    .filter(Boolean)
    .join('; ');
}

/** 409 whose only error has code 1409: the first request with this idempotence key is still running. */
export function isIdempotenceInProgress(answer: ConnectAnswer<unknown>): boolean {
  const errors = apiErrors(answer.body);
  return answer.status === 409 && errors.length === 1 && String(errors[0].code) === '1409';
}

/**
 * Errors every call maps the same way: 1409 → UnknownOutcomeError (retry later, same key);
 * 429 → UnknownOutcomeError (throttled, nothing done); 400 validation and 401/403 authorization →
 * PartnerRejectedError with Connect's first error code. Returns for the other statuses.
 */
export function throwCommonErrors(answer: ConnectAnswer<unknown>, what: string): void {
  if (answer.status < 400) return;
  if (isIdempotenceInProgress(answer)) {
    throw new UnknownOutcomeError(
      `connect ${what}: the first request with this idempotence key is still running (1409)`,
    );
  }
  if (answer.status === 429) throw new UnknownOutcomeError(`connect ${what}: HTTP 429 (throttled)`);
  if (answer.status === 400 || answer.status === 401 || answer.status === 403) throw rejected(answer, what);
}

export function rejected(answer: ConnectAnswer<unknown>, what: string): PartnerRejectedError {
  const errors = apiErrors(answer.body);
  const detail = describeErrors(errors) || answer.text || 'no error body';
  const code = errors[0]?.code ? String(errors[0].code) : String(answer.status);
  return new PartnerRejectedError(`connect ${what}: HTTP ${answer.status} ${detail}`, code, answer.status);
}

/**
 * The refund refusal [002] documents: 404, code 300240 ("the payment was not in a cancelable state").
 * Connect answers it while nothing refundable is settled yet, and for good when nothing ever will be.
 */
export function isRefundRefused(answer: ConnectAnswer<unknown>): boolean {
  return answer.status === 404 && apiErrors(answer.body).some((e) => String(e.code) === '300240');
}

/** A 2xx without the JSON object it must carry. */
export function expectBody<T>(answer: ConnectAnswer<T>, what: string): T {
  if (answer.body === undefined || answer.body === null || typeof answer.body !== 'object') {
    throw new PartnerProtocolError(`connect ${what}: HTTP ${answer.status} without a JSON body`);
  }
  return answer.body;
}

// ---- money ----------------------------------------------------------------------------------

/** The amount and currency Connect answers must be exactly what we asked (adapter contract). */
export function assertMoney(
  money: AmountOfMoney | null | undefined,
  amount: number,
  currency: string,
  what: string,
): void {
  if (!money || typeof money.amount !== 'number' || typeof money.currencyCode !== 'string') {
    throw new PartnerProtocolError(`connect ${what}: answer without amountOfMoney`);
  }
  if (money.amount !== amount || money.currencyCode !== currency) {
    throw new PartnerProtocolError(
      `connect ${what}: answered ${money.amount} ${money.currencyCode}, asked ${amount} ${currency}`,
    );
  }
}

// ---- card -----------------------------------------------------------------------------------

/** Connect paymentProductId → card network (the common card products). */
const NETWORKS: Record<number, string> = {
  1: 'VISA',
  2: 'AMERICAN_EXPRESS',
  3: 'MASTERCARD',
  117: 'MAESTRO',
  125: 'JCB',
  128: 'DISCOVER',
  130: 'CARTES_BANCAIRES',
  132: 'DINERS',
};

/** Masked card data only (bin, last four, expiry, network); never the token. */
export function maskedCard(payment: PaymentResponse | undefined): Record<string, unknown> | undefined {
  const output = payment?.paymentOutput?.cardPaymentMethodSpecificOutput;
  if (!output) return undefined;
  const card: Record<string, unknown> = {};
  const number = output.card?.cardNumber ?? '';
  const bin = /^(\d{6})/.exec(number)?.[1];
  const last4 = /(\d{4})$/.exec(number)?.[1];
  if (bin && number.length >= 12) card.bin = bin;
  if (last4) card.last_four_digits = last4;
  const expiry = /^(\d{2})(\d{2})$/.exec(output.card?.expiryDate ?? '');
  if (expiry) {
    card.expiry_month = Number(expiry[1]);
    card.expiry_year = 2000 + Number(expiry[2]);
  }
  if (typeof output.paymentProductId === 'number') {
    card.payment_product_id = output.paymentProductId;
    if (NETWORKS[output.paymentProductId]) card.selected_network = NETWORKS[output.paymentProductId];
  }
  return Object.keys(card).length > 0 ? card : undefined;
}

// ---- payments -------------------------------------------------------------------------------

function statusView(
  status: string,
  statusCode: number | null | undefined,
  errors: readonly APIError[],
): { partnerStatus: string; partnerStatusDescription: string } {
  const described = describeErrors(errors);
  return {
    partnerStatus: typeof statusCode === 'number' ? String(statusCode) : status,
    partnerStatusDescription: described ? `${status}: ${described}` : status,
  };
}

export function authorizeOutcome(payment: PaymentResponse): AuthorizeOutcome {
  const status = String(payment.status ?? '');
  if (status === 'PENDING_FRAUD_APPROVAL') return 'PENDING_FRAUD_APPROVAL';
  if (AUTHORIZED.has(status)) return 'AUTHORIZED';
  if (REQUIRES_ACTION.has(status)) return 'REQUIRES_ACTION';
  if (status === 'REJECTED') return 'REFUSED';
  if (status === 'CANCELLED') return 'CANCELLED';
  if (IN_PROGRESS.has(status)) {
    throw new UnknownOutcomeError(`connect payment ${payment.id}: still ${status} at Connect`);
  }
  if (payment.statusOutput?.isAuthorized === true) return 'AUTHORIZED';
  throw new PartnerProtocolError(`connect payment ${payment.id}: unexpected status "${status}"`);
}

export interface PaymentExpectation {
  amount: number;
  currency: string;
  /** Our reference: a payment echoing another merchantReference is not ours. */
  reference?: string;
}

/**
 * A Connect payment (from create, get, find, processchallenged or a decline's paymentResult) as our
 * AuthorizeResult, after checking it is the payment we asked for.
 */
export function authorizationResult(
  payment: PaymentResponse | null | undefined,
  expected: PaymentExpectation,
  extra: Pick<CreatePaymentResponse, 'merchantAction' | 'creationOutput'> = {},
  fallbackErrors: readonly APIError[] = [],
): AuthorizeResult {
  if (!payment || typeof payment.id !== 'string' || !payment.id) {
    throw new PartnerProtocolError('connect: answer without a payment');
  }
  assertMoney(
    payment.paymentOutput?.amountOfMoney,
    expected.amount,
    expected.currency,
    `payment ${payment.id}`,
  );
  const echoed = payment.paymentOutput?.references?.merchantReference;
  if (expected.reference !== undefined && echoed && echoed !== expected.reference) {
    throw new PartnerProtocolError(`connect payment ${payment.id}: merchantReference is not ours`);
  }
  const outcome = extra.merchantAction?.redirectData?.redirectURL
    ? 'REQUIRES_ACTION'
    : authorizeOutcome(payment);
  const statusOutput = payment.statusOutput ?? {};
  const errors = statusOutput.errors?.length ? statusOutput.errors : fallbackErrors;
  const cardOutput = payment.paymentOutput?.cardPaymentMethodSpecificOutput;
  const token = cardOutput?.token ?? extra.creationOutput?.token ?? undefined;
  const additionalData: Record<string, unknown> = {
    connectStatus: payment.status,
    statusCategory: statusOutput.statusCategory ?? undefined,
    statusCode: statusOutput.statusCode ?? undefined,
    isAuthorized: statusOutput.isAuthorized ?? undefined,
    isCancellable: statusOutput.isCancellable ?? undefined,
    isRefundable: statusOutput.isRefundable ?? undefined,
    authorisationCode: cardOutput?.authorisationCode ?? undefined,
    fraudServiceResult: cardOutput?.fraudResults?.fraudServiceResult ?? undefined,
    paymentProductId: cardOutput?.paymentProductId ?? undefined,
    errors:
      errors.length > 0 ? errors.map((e) => ({ code: e.code, id: e.id, category: e.category })) : undefined,
  };
  for (const key of Object.keys(additionalData))
    if (additionalData[key] === undefined) delete additionalData[key];
  const keepsToken = outcome !== 'REFUSED' && outcome !== 'CANCELLED';
  return {
    outcome,
    partnerReference: payment.id,
    ...statusView(String(payment.status ?? ''), statusOutput.statusCode, errors),
    amount: payment.paymentOutput!.amountOfMoney!.amount!,
    currency: payment.paymentOutput!.amountOfMoney!.currencyCode!,
    ...(outcome === 'REQUIRES_ACTION' && extra.merchantAction?.redirectData?.redirectURL
      ? { redirectUrl: extra.merchantAction.redirectData.redirectURL }
      : {}),
    ...(keepsToken && token ? { partnerToken: token } : {}),
    ...(maskedCard(payment) ? { card: maskedCard(payment) } : {}),
    additionalData,
  };
}

// ---- captures, refunds, voids ---------------------------------------------------------------

export function captureResult(
  capture: CaptureResponse | null | undefined,
  amount: number,
  currency: string,
): OperationResult {
  if (!capture || typeof capture.id !== 'string' || !capture.id) {
    throw new PartnerProtocolError('connect capture: answer without a capture');
  }
  assertMoney(capture.captureOutput?.amountOfMoney, amount, currency, `capture ${capture.id}`);
  const status = String(capture.status ?? '');
  const outcome: OperationOutcome = CAPTURE_SUCCESS.has(status)
    ? 'SUCCESS'
    : CAPTURE_FAILED.has(status)
      ? 'FAILED'
      : 'PENDING';
  return {
    outcome,
    partnerReference: capture.id,
    ...statusView(status, capture.statusOutput?.statusCode, []),
    amount,
    currency,
  };
}

/** CREATED, PENDING_APPROVAL, REFUND_REQUESTED and anything unknown: PENDING. */
export function refundOutcome(status: string): OperationOutcome {
  if (REFUND_SUCCESS.has(status)) return 'SUCCESS';
  if (REFUND_FAILED.has(status)) return 'FAILED';
  return 'PENDING';
}

export function refundResult(
  refund: RefundResponse | null | undefined,
  amount: number,
  currency: string,
  fallbackErrors: readonly APIError[] = [],
): OperationResult {
  if (!refund || typeof refund.id !== 'string' || !refund.id) {
    throw new PartnerProtocolError('connect refund: answer without a refund');
  }
  assertMoney(refund.refundOutput?.amountOfMoney, amount, currency, `refund ${refund.id}`);
  const status = String(refund.status ?? '');
  const errors = refund.statusOutput?.errors?.length ? refund.statusOutput.errors : fallbackErrors;
  return {
    outcome: refundOutcome(status),
    partnerReference: refund.id,
    ...statusView(status, refund.statusOutput?.statusCode, errors),
    amount,
    currency,
  };
}

/** A failed operation leg from an error answer (state conflicts, declines, unknown objects). */
export function failedOperation(answer: ConnectAnswer<unknown>, what: string): OperationResult {
  const errors = apiErrors(answer.body);
  const detail = describeErrors(errors) || answer.text || `HTTP ${answer.status}`;
  return {
    outcome: 'FAILED',
    partnerStatus: errors[0]?.code ? String(errors[0].code) : String(answer.status),
    partnerStatusDescription: `${what}: HTTP ${answer.status} ${detail}`,
  };
}

/**
 * The payment in the answer to our cancel (first answer or replay of it) as the void leg's outcome:
 * CANCELLED, or closed by the captures with the rest released → SUCCESS; still open → PENDING.
 */
export function voidResultFromCancel(
  payment: PaymentResponse,
  amount: number,
  currency: string,
): OperationResult {
  const status = String(payment.status ?? '');
  const view = statusView(status, payment.statusOutput?.statusCode, payment.statusOutput?.errors ?? []);
  if (status === 'CANCELLED')
    return { outcome: 'SUCCESS', partnerReference: payment.id ?? undefined, ...view, amount, currency };
  if (CLOSED_BY_CAPTURE.has(status)) {
    return {
      outcome: 'SUCCESS',
      partnerReference: payment.id ?? undefined,
      partnerStatus: view.partnerStatus,
      partnerStatusDescription: `${status}: the uncaptured rest is released, the captures stand`,
      amount,
      currency,
    };
  }
  if (OPEN_AUTHORIZATION.has(status))
    return { outcome: 'PENDING', partnerReference: payment.id ?? undefined, ...view };
  if (IN_PROGRESS.has(status))
    throw new UnknownOutcomeError(`connect payment ${payment.id}: still ${status} at Connect`);
  return { outcome: 'FAILED', partnerReference: payment.id ?? undefined, ...view };
}
