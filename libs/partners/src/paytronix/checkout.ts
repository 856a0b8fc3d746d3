import {
  PartnerProtocolError,
  PartnerRejectedError,
  type AuthorizeRequest,
  type AuthorizeResult,
  type OperationRequest,
  type OperationResult,
} from '../adapter';
import type { PaymentIntent, PaytronixClient, PaytronixCredentials } from './client';
import {
  checkCurrency,
  checkIntentAmount,
  classifyPayment,
  mapIntent,
  toDecimal,
  unexpectedFailure,
} from './mapping';

/**
 * Paytronix card payments through the Payment Service's (Stripe) hosted checkout, method `card`:
 *
 * - authorize: `createCheckoutSession` with one line item of the tender amount → REQUIRES_ACTION with
 *   the hosted page's `redirectUrl`; partnerReference = the payment intent id, additionalData
 *   `{checkoutSessionId}`. The amount is checked when the intent is read (fetchAuthorization).
 * - fetchAuthorization: `paymentIntent.json` (see mapIntent). Without an intent id → NOT_FOUND: a
 *   checkout session moves no money, so creating another one is harmless.
 * - capture: `capturePaymentIntent`, the full intent amount only (refused before sending otherwise).
 * - void: `cancelPaymentIntent`, the full amount only.
 * - refund: not offered by Paytronix → `PartnerRejectedError` (capabilities refuse it earlier).
 * - fetchOperation: the intent's status (SUCCEEDED → capture SUCCESS, CANCELED → void SUCCESS).
 */
const DEFAULT_RETURN_URL = 'https://tender.invalid/checkout/return';

export class PaytronixHostedCheckout {
  constructor(private readonly client: PaytronixClient) {}

  async authorize(
    credentials: PaytronixCredentials,
    request: AuthorizeRequest,
    config: Record<string, unknown>,
  ): Promise<AuthorizeResult> {
    checkCurrency(credentials, request.currency);
    const ccProcessorId = processorOf(credentials);
    const configured =
      typeof config.returnUrl === 'string' && config.returnUrl ? config.returnUrl : undefined;
    const returnUrl = request.returnUrl ?? configured ?? DEFAULT_RETURN_URL;
    const reply = await this.client.payment(
      credentials,
      'createCheckoutSession',
      {
        merchantId: credentials.merchantId,
        ccProcessorId,
        successUrl: returnUrl,
        cancelUrl: returnUrl,
        lineItems: [
          {
            amount: toDecimal(request.amount, request.currency),
            description: `Payment ${request.reference}`,
            quantity: 1,
          },
        ],
      },
      request.timeoutMs,
    );
    const outcome = classifyPayment(reply, 'createCheckoutSession');
    if (!outcome.ok) throw unexpectedFailure(outcome, 'createCheckoutSession');
    const session = reply.checkoutSession;
    if (!session)
      throw new PartnerProtocolError('Paytronix createCheckoutSession: no checkoutSession in the reply');
    return {
      outcome: 'REQUIRES_ACTION',
      redirectUrl: session.redirectUrl,
      partnerReference: session.paymentIntent,
      additionalData: { checkoutSessionId: session.id },
    };
  }

  async fetchAuthorization(
    credentials: PaytronixCredentials,
    request: AuthorizeRequest & { partnerReference?: string },
  ): Promise<AuthorizeResult> {
    checkCurrency(credentials, request.currency);
    if (!request.partnerReference) return { outcome: 'NOT_FOUND' };
    const intent = await this.intent(credentials, request.partnerReference, request.timeoutMs);
    if (!intent) return { outcome: 'NOT_FOUND' };
    return mapIntent(intent, request);
  }

  async capture(credentials: PaytronixCredentials, request: OperationRequest): Promise<OperationResult> {
    const intentId = checkFullAmount(credentials, request, 'capture');
    const reply = await this.client.payment(
      credentials,
      'capturePaymentIntent',
      {
        merchantId: credentials.merchantId,
        ccProcessorId: processorOf(credentials),
        paymentIntentId: intentId,
      },
      request.timeoutMs,
    );
    const outcome = classifyPayment(reply, 'capturePaymentIntent');
    if (!outcome.ok) {
      if (outcome.errorCode.endsWith('.invalid_status'))
        return this.operationFromIntent(credentials, 'capture', request, outcome);
      if (outcome.errorCode.endsWith('.not_found')) {
        return {
          outcome: 'FAILED',
          partnerStatus: outcome.errorCode,
          partnerStatusDescription: outcome.errorMessage,
        };
      }
      throw unexpectedFailure(outcome, 'capturePaymentIntent');
    }
    return this.operationResult('capture', request, reply.paymentIntent);
  }

  async void(credentials: PaytronixCredentials, request: OperationRequest): Promise<OperationResult> {
    const intentId = checkFullAmount(credentials, request, 'void');
    const reply = await this.client.payment(
      credentials,
      'cancelPaymentIntent',
      {
        merchantId: credentials.merchantId,
        ccProcessorId: processorOf(credentials),
        paymentIntentId: intentId,
      },
      request.timeoutMs,
    );
    const outcome = classifyPayment(reply, 'cancelPaymentIntent');
    if (!outcome.ok) {
      if (outcome.errorCode.endsWith('.invalid_status'))
        return this.operationFromIntent(credentials, 'void', request, outcome);
      if (outcome.errorCode.endsWith('.not_found')) {
        return {
          outcome: 'FAILED',
          partnerStatus: outcome.errorCode,
          partnerStatusDescription: outcome.errorMessage,
        };
      }
      throw unexpectedFailure(outcome, 'cancelPaymentIntent');
    }
    return this.operationResult('void', request, reply.paymentIntent);
  }

  async fetchOperation(
    credentials: PaytronixCredentials,
    kind: 'capture' | 'void' | 'refund',
    request: OperationRequest,
  ): Promise<OperationResult> {
    if (kind === 'refund') throw refundNotOffered();
    checkCurrency(credentials, request.currency);
    if (!request.tender.partnerReference) return { outcome: 'NOT_FOUND' };
    const intent = await this.intent(credentials, request.tender.partnerReference, request.timeoutMs);
    if (!intent) return { outcome: 'NOT_FOUND' };
    const done = kind === 'capture' ? 'SUCCEEDED' : 'CANCELED';
    const blocked = kind === 'capture' ? 'CANCELED' : 'SUCCEEDED';
    if (intent.status === done) return this.operationResult(kind, request, intent);
    if (intent.status === blocked) {
      return {
        outcome: 'FAILED',
        partnerReference: intent.id,
        partnerStatus: intent.status,
        partnerStatusDescription: `payment intent is ${intent.status}`,
      };
    }
    return { outcome: 'NOT_FOUND' };
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** The intent, or undefined when Paytronix has none with this id. */
  private async intent(
    credentials: PaytronixCredentials,
    intentId: string,
    timeoutMs: number,
  ): Promise<PaymentIntent | undefined> {
    const reply = await this.client.payment(
      credentials,
      'paymentIntent',
      {
        merchantId: credentials.merchantId,
        ccProcessorId: processorOf(credentials),
        paymentIntentId: intentId,
      },
      timeoutMs,
    );
    const outcome = classifyPayment(reply, 'paymentIntent');
    if (!outcome.ok) {
      if (outcome.errorCode.endsWith('.not_found')) return undefined;
      throw unexpectedFailure(outcome, 'paymentIntent');
    }
    if (!reply.paymentIntent)
      throw new PartnerProtocolError('Paytronix paymentIntent: no paymentIntent in the reply');
    if (reply.paymentIntent.id !== intentId) {
      throw new PartnerProtocolError(
        `Paytronix paymentIntent: answered ${reply.paymentIntent.id}, not ${intentId}`,
      );
    }
    return reply.paymentIntent;
  }

  /** After an `invalid_status` refusal: the intent may already be where we wanted it (a lost answer). */
  private async operationFromIntent(
    credentials: PaytronixCredentials,
    kind: 'capture' | 'void',
    request: OperationRequest,
    refusal: { errorCode: string; errorMessage?: string },
  ): Promise<OperationResult> {
    const intent = await this.intent(credentials, request.tender.partnerReference, request.timeoutMs);
    if (intent && intent.status === (kind === 'capture' ? 'SUCCEEDED' : 'CANCELED')) {
      return this.operationResult(kind, request, intent);
    }
    return {
      outcome: 'FAILED',
      partnerStatus: refusal.errorCode,
      partnerStatusDescription: refusal.errorMessage,
    };
  }

  private operationResult(
    kind: 'capture' | 'void',
    request: OperationRequest,
    intent: PaymentIntent | undefined,
  ): OperationResult {
    if (!intent) throw new PartnerProtocolError(`Paytronix ${kind}: no paymentIntent in the reply`);
    checkIntentAmount(intent, request.amount, request.currency, kind);
    const expected = kind === 'capture' ? 'SUCCEEDED' : 'CANCELED';
    if (intent.status !== expected) {
      throw new PartnerProtocolError(
        `Paytronix ${kind}: payment intent ${intent.id} is ${intent.status}, not ${expected}`,
      );
    }
    return {
      outcome: 'SUCCESS',
      amount: request.amount,
      currency: request.currency,
      partnerReference: intent.id,
      partnerStatus: intent.status,
    };
  }
}

export function refundNotOffered(): PartnerRejectedError {
  return new PartnerRejectedError(
    'Paytronix hosted checkout payments cannot be refunded',
    'refund_not_supported',
  );
}

function processorOf(credentials: PaytronixCredentials): number {
  if (credentials.ccProcessorId === undefined) {
    throw new PartnerRejectedError(
      'Paytronix account has no ccProcessorId for card payments',
      'invalid_account_credentials',
    );
  }
  return credentials.ccProcessorId;
}

/** Capture and void take the whole intent: anything else is refused before sending. */
function checkFullAmount(
  credentials: PaytronixCredentials,
  request: OperationRequest,
  kind: 'capture' | 'void',
): string {
  checkCurrency(credentials, request.currency);
  const { tender } = request;
  if (request.currency !== tender.currency) {
    throw new PartnerRejectedError(
      `${kind} in ${request.currency} on a ${tender.currency} tender`,
      'currency_mismatch',
    );
  }
  if (request.amount !== tender.authorizedAmount || tender.capturedBefore > 0) {
    throw new PartnerRejectedError(
      `Paytronix hosted checkout: ${kind} of the full amount only (${toDecimal(tender.authorizedAmount, tender.currency)})`,
      kind === 'capture' ? 'partial_capture_not_supported' : 'partial_void_not_supported',
    );
  }
  if (!tender.partnerReference) {
    throw new PartnerRejectedError(
      `tender ${tender.tenderId} has no payment intent id`,
      'missing_partner_reference',
    );
  }
  return tender.partnerReference;
}
