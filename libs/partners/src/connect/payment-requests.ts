import type { CreatePaymentRequest, PaymentResponse } from 'connect-sdk-nodejs/lib/v1/model/domain';
import {
  PartnerRejectedError,
  type AuthorizeRequest,
  type AuthorizeResult,
  type CallContext,
  type OperationRequest,
  type OperationResult,
} from '../adapter';
import type { CaptureResponse, ConnectAnswer, CreatePaymentResponse } from './client';
import {
  apiErrors,
  assertMoney,
  authorizationResult,
  captureResult,
  describeErrors,
  expectBody,
  failedOperation,
  isIdempotenceInProgress,
  rejected,
  throwCommonErrors,
  type PaymentExpectation,
} from './mapping';
import { toConnectIdempotenceKey, toConnectReference } from './references';

/**
 * What the Connect adapter (`adapter.ts`) sends and how it reads the answers: the create-payment
 * body, the capture body, the idempotence keys, and the create-payment and capture answers as
 * Tender's results. Pure: no HTTP here.
 */

/** Refund keys of one leg tried at most (see `refund`): the first and the ones after stale refusals. */
export const MAX_REFUND_KEYS = 5;

export function idempotenceKey(context: CallContext, step?: string): string {
  return toConnectIdempotenceKey(context.idempotencyKey, step);
}

export function expectation(request: AuthorizeRequest): PaymentExpectation {
  return {
    amount: request.amount,
    currency: request.currency,
    reference: toConnectReference(request.reference),
  };
}

export function paymentIdOf(request: OperationRequest): string {
  const id = request.tender.partnerReference;
  if (!id) throw new PartnerRejectedError('connect: the tender has no Connect payment id');
  return id;
}

export function captureBody(request: OperationRequest) {
  return { amount: request.amount, isFinal: request.isFinal ?? false };
}

/** The void's payment must be the tender's: same currency, same authorized amount. */
export function checkVoidedPayment(payment: PaymentResponse, request: OperationRequest): void {
  assertMoney(
    payment.paymentOutput?.amountOfMoney,
    request.tender.authorizedAmount,
    request.currency,
    `payment ${payment.id ?? request.tender.partnerReference}`,
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The create-payment body. Deterministic in the request (no clock, no random): the lookup after a
 * timeout re-POSTs it under the same idempotence key. Connect would replay the first answer whatever
 * the body, but a different body would mean the two calls disagree on what was asked.
 */
export function createPaymentBody(request: AuthorizeRequest): CreatePaymentRequest {
  const merchantInitiated =
    typeof request.parentPartnerToken === 'string' && request.parentPartnerToken !== '';
  const token = merchantInitiated ? request.parentPartnerToken : request.instrument.token;
  if (typeof token !== 'string' || token === '') {
    throw new PartnerRejectedError('connect card payment: the instrument carries no token');
  }
  const billing =
    isObject(request.order) && isObject(request.order.billing_address) ? request.order.billing_address : {};
  const countryCode = typeof billing.country_code === 'string' ? billing.country_code : undefined;
  return {
    order: {
      amountOfMoney: { amount: request.amount, currencyCode: request.currency },
      references: { merchantReference: toConnectReference(request.reference) },
      ...(countryCode ? { customer: { billingAddress: { countryCode } } } : {}),
    },
    cardPaymentMethodSpecificInput: {
      token,
      // Tender always captures explicitly (AUTOMATIC capture mode = Tender captures right after).
      requiresApproval: true,
      authorizationMode: 'PRE_AUTHORIZATION',
      ...(merchantInitiated
        ? {
            unscheduledCardOnFileRequestor: 'merchantInitiated',
            unscheduledCardOnFileSequenceIndicator: 'subsequent',
          }
        : request.allowFutureUsage
          ? {
              unscheduledCardOnFileRequestor: 'cardholderInitiated',
              unscheduledCardOnFileSequenceIndicator: 'first',
            }
          : {}),
      ...(!merchantInitiated && request.returnUrl
        ? { threeDSecure: { redirectionData: { returnUrl: request.returnUrl } } }
        : {}),
    },
  };
}

/** The create-payment answer (first call or idempotent replay) as our AuthorizeResult. */
export function createPaymentOutcome(
  answer: ConnectAnswer<CreatePaymentResponse & { paymentResult?: CreatePaymentResponse | null }>,
  request: AuthorizeRequest,
): AuthorizeResult {
  const expected = expectation(request);
  if (answer.status < 300) {
    const body = expectBody(answer, 'create payment');
    return authorizationResult(body.payment, expected, body);
  }
  if (isIdempotenceInProgress(answer)) throwCommonErrors(answer, 'create payment');
  // Declined: PaymentErrorResponse.paymentResult holds the payment (REJECTED), whatever the status (Connect: 402).
  const declined = answer.body?.paymentResult;
  if (declined?.payment)
    return authorizationResult(declined.payment, expected, declined, apiErrors(answer.body));
  throwCommonErrors(answer, 'create payment');
  if (answer.status === 402) {
    const errors = apiErrors(answer.body);
    return {
      outcome: 'REFUSED',
      partnerStatus: errors[0]?.code ? String(errors[0].code) : '402',
      partnerStatusDescription: describeErrors(errors) || 'declined',
    };
  }
  throw rejected(answer, 'create payment');
}

export function captureOutcome(
  answer: ConnectAnswer<CaptureResponse>,
  request: OperationRequest,
): OperationResult {
  if (answer.status < 300)
    return captureResult(expectBody(answer, 'capture payment'), request.amount, request.currency);
  throwCommonErrors(answer, 'capture payment');
  // 402 decline, 404 unknown payment, 405 not capturable in its status, 409 key reused…: this capture failed.
  return failedOperation(answer, 'capture payment');
}
