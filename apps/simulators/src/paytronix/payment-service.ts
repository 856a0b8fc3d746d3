import { randomBytes, randomInt } from 'node:crypto';
import type { CheckoutSession, LineItem, PaymentIntent, PaymentIntentStatus, PaytronixBooks } from './books';
import { PAYTRONIX_DECLINED_CREDIT_CARD } from './instruments';
import { formatCents, parseDecimal } from './money';
import { PaymentError, type Reply } from './replies';

/**
 * Payment Service (seed 004), `/rest/{release}/payment/<name>.json`:
 *
 * - createCheckoutSession (POST) `{merchantId, ccProcessorId, cancelUrl, successUrl, lineItems}` →
 *   `checkoutSession {id, paymentIntent (the PaymentIntent id), redirectUrl}`. `lineItems` is one
 *   LineItem `{amount: "25.00", description, quantity}` or a list of them (the seed types it as a
 *   single LineItem, but names it in the plural); the amount charged is Σ amount × quantity. The
 *   redirectUrl is the simulator's own hosted page (checkout-page.ts). `{CHECKOUT_SESSION_ID}` in
 *   successUrl / cancelUrl is replaced by the session id on redirect, as Stripe does.
 * - paymentIntent (GET) `?merchantId&ccProcessorId&paymentIntentId[&checkoutSessionId]`.
 * - capturePaymentIntent (POST): REQUIRES_CAPTURE → SUCCEEDED, full amount only (no amount field).
 * - cancelPaymentIntent (POST): REQUIRES_PAYMENT_METHOD / _CONFIRMATION / _ACTION / REQUIRES_CAPTURE → CANCELED.
 * - recharge (POST) `{merchantId, printedCardNumber, amount, paymentMethod, address?}`: charges a
 *   credit card and adds the amount to the gift card (5.00 to 500.00); card 4000000000000002 is
 *   declined (`recharge.cc_auth_declined`).
 *
 * PaymentIntent on the wire: `{id, amount: "25.00", status, chargeInfo?}`.
 */
export interface PaymentContext {
  now: Date;
  merchantId?: number;
}

type Body = Record<string, unknown>;

export const RECHARGE_MIN_CENTS = 500;
export const RECHARGE_MAX_CENTS = 50_000;

const CANCELABLE: PaymentIntentStatus[] = [
  'REQUIRES_PAYMENT_METHOD',
  'REQUIRES_CONFIRMATION',
  'REQUIRES_ACTION',
  'REQUIRES_CAPTURE',
];

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Integer from JSON or a query string. */
function integer(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function validation(prefix: string, errors: Record<string, string[]>): PaymentError {
  return new PaymentError(`${prefix}.validation_error`, 'Validation error for input fields', errors);
}

/** merchantId and ccProcessorId, common to the checkout endpoints. */
function merchantAndProcessor(
  fields: Body,
  prefix: string,
  ctx: PaymentContext,
  errors: Record<string, string[]>,
): { merchantId: number; ccProcessorId: number } {
  const merchantId = integer(fields.merchantId);
  const ccProcessorId = integer(fields.ccProcessorId);
  if (merchantId === undefined)
    errors.merchantId = [fields.merchantId === undefined ? 'null_field' : 'invalid_non_integral'];
  if (ccProcessorId === undefined) {
    errors.ccProcessorId = [fields.ccProcessorId === undefined ? 'null_field' : 'invalid_non_integral'];
  }
  if (merchantId !== undefined && ctx.merchantId !== undefined && merchantId !== ctx.merchantId) {
    throw new PaymentError(`${prefix}.invalid_merchant_id`, 'Invalid merchant ID');
  }
  return { merchantId: merchantId ?? 0, ccProcessorId: ccProcessorId ?? 0 };
}

function chargeResponse(
  amountCents: number,
  now: Date,
  card: { cardType: string; lastFour: string; expDate: string },
) {
  const authCode = String(randomInt(0, 1_000_000)).padStart(6, '0');
  return {
    transactionDatetime: now.toISOString().replace('T', ' ').slice(0, 19) + ' +0000',
    transactionState: 'Succeeded',
    processorResponseCode: 0,
    processorResponseMessage: 'Approved',
    processorReferenceNumber: randomBytes(6).toString('hex').toUpperCase(),
    // The entity names it authCode, the seed's example processorAuthCode: both are sent.
    authCode,
    processorAuthCode: authCode,
    amount: formatCents(amountCents),
    paymentMethodType: 'CC',
    ...card,
  };
}

export function paymentIntentView(intent: PaymentIntent): Record<string, unknown> {
  return {
    id: intent.id,
    amount: formatCents(intent.amountCents),
    status: intent.status,
    ...(intent.chargeInfo ? { chargeInfo: intent.chargeInfo } : {}),
  };
}

function parseLineItems(value: unknown, errors: Record<string, string[]>): LineItem[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  if (list.length === 0) errors.lineItems = ['null_field'];
  const items: LineItem[] = [];
  list.forEach((item: unknown, index) => {
    const at = Array.isArray(value) ? `lineItems/${index}` : 'lineItems';
    if (!isObject(item)) {
      errors[at] = ['null_field'];
      return;
    }
    const cents = parseDecimal(item.amount);
    if (item.amount === undefined) errors[`${at}/amount`] = ['null_field'];
    else if (cents === undefined) errors[`${at}/amount`] = ['invalid_decimal'];
    else if (cents <= 0) errors[`${at}/amount`] = ['too_low'];
    if (typeof item.description !== 'string' || item.description.length === 0)
      errors[`${at}/description`] = ['null_field'];
    const quantity = item.quantity ?? 1;
    if (!Number.isInteger(quantity)) errors[`${at}/quantity`] = ['invalid_non_integral'];
    else if ((quantity as number) < 1) errors[`${at}/quantity`] = ['too_low'];
    items.push({
      amount: formatCents(cents ?? 0),
      description: String(item.description),
      quantity: Number(quantity),
    });
  });
  return items;
}

export function createCheckoutSession(
  books: PaytronixBooks,
  body: Body,
  ctx: PaymentContext & { hostedPageBase: string },
): Reply {
  const prefix = 'create_checkout_session';
  const errors: Record<string, string[]> = {};
  const { merchantId, ccProcessorId } = merchantAndProcessor(body, prefix, ctx, errors);
  for (const field of ['successUrl', 'cancelUrl'] as const) {
    if (body[field] === undefined) errors[field] = ['null_field'];
    else if (!isHttpUrl(body[field])) errors[field] = ['invalid_url'];
  }
  const lineItems = parseLineItems(body.lineItems, errors);
  if (Object.keys(errors).length > 0) throw validation(prefix, errors);
  const amountCents = lineItems.reduce(
    (sum, item) => sum + (parseDecimal(item.amount) ?? 0) * item.quantity,
    0,
  );
  const at = ctx.now.toISOString();
  const session: CheckoutSession = {
    id: `cs_sim_${randomBytes(12).toString('hex')}`,
    paymentIntentId: `pi_sim_${randomBytes(12).toString('hex')}`,
    merchantId,
    ccProcessorId,
    successUrl: body.successUrl as string,
    cancelUrl: body.cancelUrl as string,
    lineItems,
    amountCents,
    status: 'open',
    createdAt: at,
  };
  books.state.checkoutSessions[session.id] = session;
  books.state.paymentIntents[session.paymentIntentId] = {
    id: session.paymentIntentId,
    checkoutSessionId: session.id,
    ccProcessorId,
    amountCents,
    status: 'REQUIRES_PAYMENT_METHOD',
    createdAt: at,
    updatedAt: at,
  };
  return {
    result: 'success',
    checkoutSession: {
      id: session.id,
      paymentIntent: session.paymentIntentId,
      redirectUrl: `${ctx.hostedPageBase}/checkout/${session.id}`,
    },
  };
}

function findIntent(books: PaytronixBooks, fields: Body, prefix: string, ctx: PaymentContext): PaymentIntent {
  const errors: Record<string, string[]> = {};
  const { ccProcessorId } = merchantAndProcessor(fields, prefix, ctx, errors);
  if (typeof fields.paymentIntentId !== 'string' || !fields.paymentIntentId)
    errors.paymentIntentId = ['null_field'];
  if (Object.keys(errors).length > 0) throw validation(prefix, errors);
  const intent = books.state.paymentIntents[fields.paymentIntentId as string];
  const sessionMatches =
    fields.checkoutSessionId === undefined ||
    fields.checkoutSessionId === '' ||
    intent?.checkoutSessionId === fields.checkoutSessionId;
  if (!intent || intent.ccProcessorId !== ccProcessorId || !sessionMatches) {
    throw new PaymentError(`${prefix}.not_found`, 'No such payment intent');
  }
  return intent;
}

export function getPaymentIntent(books: PaytronixBooks, query: Body, ctx: PaymentContext): Reply {
  return {
    result: 'success',
    paymentIntent: paymentIntentView(findIntent(books, query, 'payment_intent', ctx)),
  };
}

export function capturePaymentIntent(books: PaytronixBooks, body: Body, ctx: PaymentContext): Reply {
  const intent = findIntent(books, body, 'capture_payment_intent', ctx);
  if (intent.status !== 'REQUIRES_CAPTURE') {
    throw new PaymentError(
      'capture_payment_intent.invalid_status',
      `Payment intent is ${intent.status}; only REQUIRES_CAPTURE can be captured`,
    );
  }
  intent.status = 'SUCCEEDED';
  intent.updatedAt = ctx.now.toISOString();
  return { result: 'success', paymentIntent: paymentIntentView(intent) };
}

export function cancelPaymentIntent(books: PaytronixBooks, body: Body, ctx: PaymentContext): Reply {
  const intent = findIntent(books, body, 'cancel_payment_intent', ctx);
  if (!CANCELABLE.includes(intent.status)) {
    throw new PaymentError(
      'cancel_payment_intent.invalid_status',
      `Payment intent is ${intent.status}; it cannot be canceled`,
    );
  }
  intent.status = 'CANCELED';
  intent.updatedAt = ctx.now.toISOString();
  const session = books.state.checkoutSessions[intent.checkoutSessionId];
  if (session?.status === 'open') session.status = 'expired';
  return { result: 'success', paymentIntent: paymentIntentView(intent) };
}

/** The shopper's choice on the hosted page (or `/_sim/paytronix/checkout/{id}/complete|cancel`). */
export function finishCheckout(
  books: PaytronixBooks,
  sessionId: string,
  choice: 'complete' | 'cancel',
  now: Date,
):
  | { session: CheckoutSession; intent: PaymentIntent; redirectTo: string }
  | { notFound: true }
  | { conflict: string } {
  const session = books.state.checkoutSessions[sessionId];
  if (!session) return { notFound: true };
  const intent = books.state.paymentIntents[session.paymentIntentId];
  if (session.status !== 'open' || intent.status !== 'REQUIRES_PAYMENT_METHOD') {
    return { conflict: `checkout session is ${session.status}, payment intent ${intent.status}` };
  }
  const at = now.toISOString();
  if (choice === 'complete') {
    session.status = 'complete';
    intent.status = 'REQUIRES_CAPTURE';
    intent.chargeInfo = chargeResponse(intent.amountCents, now, {
      cardType: 'VISA',
      lastFour: '4242',
      expDate: '12/2030',
    });
  } else {
    session.status = 'expired';
    intent.status = 'CANCELED';
  }
  intent.updatedAt = at;
  const target = choice === 'complete' ? session.successUrl : session.cancelUrl;
  return { session, intent, redirectTo: target.split('{CHECKOUT_SESSION_ID}').join(session.id) };
}

const CARD_TYPES = [
  'AMEX',
  'DINERS_CLUB',
  'DISCOVER',
  'JCB',
  'MASTERCARD',
  'VISA',
  'ALELO',
  'CABAL',
  'CARNET',
  'DANKORT',
  'ELO',
  'MAESTRO',
  'NARANJA',
  'SODEXO',
  'VR',
];

function validateCreditCard(method: Body, errors: Record<string, string[]>): void {
  if (typeof method.cardNumber !== 'string' || !/^\d{12,19}$/.test(method.cardNumber)) {
    errors['paymentMethod/cardNumber'] = [
      method.cardNumber === undefined ? 'null_field' : 'invalid_card_number',
    ];
  }
  if (typeof method.cardholderName !== 'string' || method.cardholderName.length === 0) {
    errors['paymentMethod/cardholderName'] = ['null_field'];
  } else if (method.cardholderName.length > 100) errors['paymentMethod/cardholderName'] = ['too_long'];
  if (method.cardType !== undefined && !CARD_TYPES.includes(method.cardType as string)) {
    errors['paymentMethod/cardType'] = ['invalid_cc_type'];
  }
  const month = method.expirationMonth;
  if (month === undefined) errors['paymentMethod/expirationMonth'] = ['null_field'];
  else if (!Number.isInteger(month)) errors['paymentMethod/expirationMonth'] = ['invalid_non_integral'];
  else if ((month as number) < 1) errors['paymentMethod/expirationMonth'] = ['too_low'];
  else if ((month as number) > 12) errors['paymentMethod/expirationMonth'] = ['too_high'];
  const year = method.expirationYear;
  if (year === undefined) errors['paymentMethod/expirationYear'] = ['null_field'];
  else if (!Number.isInteger(year)) errors['paymentMethod/expirationYear'] = ['invalid_non_integral'];
  else if ((year as number) < 1000) errors['paymentMethod/expirationYear'] = ['too_low'];
  const cvv = method.cardSecurityCode;
  if (typeof cvv !== 'string' || cvv.length === 0) errors['paymentMethod/cardSecurityCode'] = ['null_field'];
  else if (cvv.length < 3) errors['paymentMethod/cardSecurityCode'] = ['too_short'];
  else if (cvv.length > 4) errors['paymentMethod/cardSecurityCode'] = ['too_long'];
}

function validateAddress(address: unknown, errors: Record<string, string[]>): void {
  if (!isObject(address)) {
    errors.address = ['null_field'];
    return;
  }
  for (const field of ['street', 'city', 'stateProvince', 'postalCode', 'country']) {
    if (typeof address[field] !== 'string' || address[field] === '')
      errors[`address/${field}`] = ['null_field'];
  }
  if (
    typeof address.country === 'string' &&
    address.country !== '' &&
    !['US', 'CA'].includes(address.country)
  ) {
    errors['address/country'] = ['invalid_country'];
  }
}

export function recharge(books: PaytronixBooks, body: Body, ctx: PaymentContext): Reply {
  const errors: Record<string, string[]> = {};
  const merchantId = integer(body.merchantId);
  if (merchantId === undefined) errors.merchantId = ['null_field'];
  else if (ctx.merchantId !== undefined && merchantId !== ctx.merchantId) {
    throw new PaymentError('recharge.invalid_merchant_id', 'Invalid merchant ID');
  }
  if (typeof body.printedCardNumber !== 'string' || !body.printedCardNumber)
    errors.printedCardNumber = ['null_field'];
  const amountCents = parseDecimal(body.amount);
  if (body.amount === undefined) errors.amount = ['null_field'];
  else if (amountCents === undefined) errors.amount = ['invalid_decimal'];
  else if (amountCents <= 0) errors.amount = ['too_low'];
  const method = body.paymentMethod;
  if (!isObject(method)) errors.paymentMethod = ['null_field'];
  else if (method.paymentMethodType === 'CC') {
    validateCreditCard(method, errors);
    validateAddress(body.address, errors);
  } else if (method.paymentMethodType === 'SPREEDLY_TOKEN') {
    if (typeof method.token !== 'string' || !method.token) errors['paymentMethod/token'] = ['null_field'];
    if (typeof method.nickname !== 'string' || !method.nickname)
      errors['paymentMethod/nickname'] = ['null_field'];
  } else if (method.paymentMethodType !== 'SAVED_CC' && method.paymentMethodType !== 'SAVED_SPREEDLY_TOKEN') {
    throw new PaymentError('recharge.invalid_payment_method', 'Unsupported payment method type');
  }
  if (Object.keys(errors).length > 0) throw validation('recharge', errors);
  const paymentMethod = method as Body;

  const card = books.state.cards[body.printedCardNumber as string];
  if (!card) throw new PaymentError('recharge.invalid_card_number', 'Invalid card number');
  if (card.status !== 'ACTIVE') throw new PaymentError('recharge.card_not_active', 'Card is not active');
  const cents = amountCents as number;
  if (cents < RECHARGE_MIN_CENTS)
    throw new PaymentError('recharge.amount_below_minimum', 'Amount is below the minimum');
  if (cents > RECHARGE_MAX_CENTS)
    throw new PaymentError('recharge.amount_above_maximum', 'Amount is above the maximum');
  if (
    paymentMethod.paymentMethodType === 'SAVED_CC' ||
    paymentMethod.paymentMethodType === 'SAVED_SPREEDLY_TOKEN'
  ) {
    throw new PaymentError('recharge.no_matching_saved_card', 'No matching saved card');
  }
  if (paymentMethod.cardNumber === PAYTRONIX_DECLINED_CREDIT_CARD) {
    throw new PaymentError('recharge.cc_auth_declined', 'Credit card authorization was declined', undefined, {
      errorDetails: [
        { errorCode: 'recharge.cc_auth_declined.detail', errorMessage: 'Card declined by issuer' },
      ],
    });
  }

  const isCard = paymentMethod.paymentMethodType === 'CC';
  const cardNumber = isCard ? (paymentMethod.cardNumber as string) : '';
  const response = {
    ...chargeResponse(cents, ctx.now, {
      cardType: isCard ? ((paymentMethod.cardType as string | undefined) ?? 'VISA') : 'VISA',
      lastFour: isCard ? cardNumber.slice(-4) : '1111',
      expDate: isCard
        ? `${String(paymentMethod.expirationMonth).padStart(2, '0')}/${String(paymentMethod.expirationYear)}`
        : '12/2030',
    }),
    paymentMethodType: paymentMethod.paymentMethodType as string,
  };
  const previous = card.balanceCents;
  card.balanceCents += cents;
  books.post({
    ...books.nextIds(),
    type: 'recharge',
    result: 'authorizedSuccess',
    datetime: ctx.now.toISOString(),
    printedCardNumber: card.printedCardNumber,
    requestedAddCents: cents,
    requestedRedeemCents: 0,
    addedCents: cents,
    redeemedCents: 0,
    previousBalanceCents: previous,
    balanceCents: card.balanceCents,
    status: 'posted',
    processorReferenceNumber: response.processorReferenceNumber,
  });
  return { result: 'success', chargeResponse: response };
}
