import type { APIError } from 'connect-sdk-nodejs/lib/v1/model/domain';
import type { NewPayment, NewRefund } from './books-state';
import { invalid, missing, validationError } from './errors';
import { resolveInstrument } from './instruments';

/**
 * Request checks. Every problem is reported (not only the first) as a 400 whose errors name the
 * property with its JSONata path (`order.amountOfMoney.amount`), like Connect's ValidationException.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const MAX_AMOUNT = 999_999_999_999; // integer (12)
/** GlobalCollect platform: [000] OrderReferences / RefundReferences, [002] refundReferences string(30). */
export const MERCHANT_REFERENCE_MAX = 30;

function amountError(value: unknown, property: string, required: boolean): APIError | undefined {
  if (value === undefined || value === null) return required ? missing(property) : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_AMOUNT) {
    return invalid(property, 'must be a positive integer amount in minor units (max 12 digits)');
  }
  return undefined;
}

function currencyError(value: unknown, property: string): APIError | undefined {
  if (value === undefined || value === null) return missing(property);
  if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value))
    return invalid(property, 'must be an ISO 4217 code');
  return undefined;
}

function optionalString(value: unknown, property: string, maxLength: number): APIError | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > maxLength) {
    return invalid(property, `must be a string of at most ${maxLength} characters`);
  }
  return undefined;
}

function optionalBoolean(value: unknown, property: string): APIError | undefined {
  if (value === undefined || value === null || typeof value === 'boolean') return undefined;
  return invalid(property, 'must be a boolean');
}

function optionalInteger(value: unknown, property: string): APIError | undefined {
  if (value === undefined || value === null || (typeof value === 'number' && Number.isInteger(value)))
    return undefined;
  return invalid(property, 'must be an integer');
}

function fail(errors: Array<APIError | undefined>): void {
  const found = errors.filter((e): e is APIError => e !== undefined);
  if (found.length > 0) throw validationError(found);
}

const AUTHORIZATION_MODES = ['FINAL_AUTHORIZATION', 'PRE_AUTHORIZATION', 'SALE'];

/**
 * CreatePaymentRequest for a card payment. Required: order.amountOfMoney {amount, currencyCode},
 * cardPaymentMethodSpecificInput with `token` or `card.cardNumber` (the simulator only does cards).
 * `order.references.merchantReference` is at most 30 characters: the GlobalCollect platform's limit
 * ([000] OrderReferences.merchant_reference; WL Online Payment Acceptance would allow 50).
 */
export function parseCreatePayment(merchantId: string, body: unknown): NewPayment {
  const request = isObject(body) ? body : {};
  const order = isObject(request.order) ? request.order : {};
  const money = isObject(order.amountOfMoney) ? order.amountOfMoney : {};
  const references = isObject(order.references) ? order.references : {};
  const cardInput = isObject(request.cardPaymentMethodSpecificInput)
    ? request.cardPaymentMethodSpecificInput
    : undefined;
  const card = cardInput && isObject(cardInput.card) ? cardInput.card : {};
  const token = cardInput?.token;
  const cardNumber = card.cardNumber;
  fail([
    amountError(money.amount, 'order.amountOfMoney.amount', true),
    currencyError(money.currencyCode, 'order.amountOfMoney.currencyCode'),
    optionalString(
      references.merchantReference,
      'order.references.merchantReference',
      MERCHANT_REFERENCE_MAX,
    ),
    optionalInteger(references.merchantOrderId, 'order.references.merchantOrderId'),
    cardInput === undefined ? missing('cardPaymentMethodSpecificInput') : undefined,
    cardInput !== undefined && token == null && cardNumber == null
      ? missing('cardPaymentMethodSpecificInput.token')
      : undefined,
    optionalString(token, 'cardPaymentMethodSpecificInput.token', 40),
    optionalString(cardNumber, 'cardPaymentMethodSpecificInput.card.cardNumber', 40),
    card.expiryDate != null && !(typeof card.expiryDate === 'string' && /^\d{4}$/.test(card.expiryDate))
      ? invalid('cardPaymentMethodSpecificInput.card.expiryDate', 'must be MMYY')
      : undefined,
    optionalBoolean(cardInput?.requiresApproval, 'cardPaymentMethodSpecificInput.requiresApproval'),
    optionalInteger(cardInput?.paymentProductId, 'cardPaymentMethodSpecificInput.paymentProductId'),
    cardInput?.authorizationMode != null &&
    (typeof cardInput.authorizationMode !== 'string' ||
      !AUTHORIZATION_MODES.includes(cardInput.authorizationMode))
      ? invalid(
          'cardPaymentMethodSpecificInput.authorizationMode',
          `must be one of ${AUTHORIZATION_MODES.join(', ')}`,
        )
      : undefined,
  ]);
  const c = cardInput as Json;
  return {
    merchantId,
    amount: money.amount as number,
    currencyCode: money.currencyCode as string,
    merchantReference: (references.merchantReference as string | undefined) ?? undefined,
    merchantOrderId: (references.merchantOrderId as number | undefined) ?? undefined,
    instrument: resolveInstrument(token as string | undefined, cardNumber as string | undefined),
    requiresApproval: c.requiresApproval === true,
    authorizationMode: (c.authorizationMode as string | undefined) ?? 'FINAL_AUTHORIZATION',
    paymentProductId: (c.paymentProductId as number | undefined) ?? 1,
    expiryDate: (card.expiryDate as string | undefined) ?? undefined,
  };
}

/** CapturePaymentRequest / ApprovePaymentRequest / ApproveRefundRequest: optional `amount` (+ `isFinal`). */
export function parseAmountRequest(
  body: unknown,
  withIsFinal: boolean,
): { amount?: number; isFinal?: boolean } {
  const request = isObject(body) ? body : {};
  fail([
    amountError(request.amount, 'amount', false),
    withIsFinal ? optionalBoolean(request.isFinal, 'isFinal') : undefined,
  ]);
  return {
    amount: (request.amount as number | null | undefined) ?? undefined,
    isFinal: withIsFinal ? ((request.isFinal as boolean | null | undefined) ?? undefined) : undefined,
  };
}

/** RefundRequest ([002]): amountOfMoney optional (whole refundable amount), but complete when given. */
export function parseRefund(body: unknown): NewRefund {
  const request = isObject(body) ? body : {};
  const money = isObject(request.amountOfMoney) ? request.amountOfMoney : undefined;
  const references = isObject(request.refundReferences) ? request.refundReferences : {};
  fail([
    request.amountOfMoney != null && money === undefined
      ? invalid('amountOfMoney', 'must be an object')
      : undefined,
    money ? amountError(money.amount, 'amountOfMoney.amount', true) : undefined,
    money ? currencyError(money.currencyCode, 'amountOfMoney.currencyCode') : undefined,
    optionalString(
      references.merchantReference,
      'refundReferences.merchantReference',
      MERCHANT_REFERENCE_MAX,
    ),
    request.refundDate != null &&
    !(typeof request.refundDate === 'string' && /^\d{8}$/.test(request.refundDate))
      ? invalid('refundDate', 'must be YYYYMMDD')
      : undefined,
  ]);
  return {
    amount: money?.amount as number | undefined,
    currencyCode: money?.currencyCode as string | undefined,
    merchantReference: (references.merchantReference as string | undefined) ?? undefined,
    refundDate: (request.refundDate as string | undefined) ?? undefined,
  };
}

/** Query of GET payments / GET refunds (find): merchantReference, merchantOrderId, offset, limit (1..100, default 10). */
export function parseFindQuery(query: Record<string, unknown>): {
  merchantReference?: string;
  merchantOrderId?: number;
  offset: number;
  limit: number;
} {
  const text = (name: string) => (typeof query[name] === 'string' ? query[name] : undefined);
  const int = (name: string) => (text(name) !== undefined ? Number(text(name)) : undefined);
  const offset = int('offset') ?? 0;
  const limit = int('limit') ?? 10;
  const merchantOrderId = int('merchantOrderId');
  fail([
    !Number.isInteger(offset) || offset < 0 ? invalid('offset', 'must be a non-negative integer') : undefined,
    !Number.isInteger(limit) || limit < 1 || limit > 100
      ? invalid('limit', 'must be between 1 and 100')
      : undefined,
    merchantOrderId !== undefined && !Number.isInteger(merchantOrderId)
      ? invalid('merchantOrderId', 'must be an integer')
      : undefined,
  ]);
  return { merchantReference: text('merchantReference'), merchantOrderId, offset, limit };
}
