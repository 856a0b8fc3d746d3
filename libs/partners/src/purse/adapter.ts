import type { AxiosInstance } from 'axios';
import {
  PartnerProtocolError,
  PartnerRejectedError,
  type AuthorizeRequest,
  type AuthorizeResult,
  type OperationRequest,
  type OperationResult,
  type PartnerAccountConfig,
  type PartnerAdapter,
  type PartnerWebhookEvent,
} from '../adapter';
import { createPartnerHttpClient } from '../http';
import {
  PurseClient,
  purseCredentials,
  type PurseCreatePaymentBody,
  type PurseCredentials,
  type PurseOperationKind,
  type PurseSplitEntry,
} from './client';
import { mapAuthorization, mapOperation } from './mapping';
import { verifyPurseWebhook } from './webhook';

export interface PurseAdapterOptions {
  http?: AxiosInstance;
  /** Clock in epoch ms (token refresh, webhook tolerance); tests move it. */
  now?: () => number;
}

/** Purse's own names of the tender it routes downstream (its `split[].partner` / `method`). */
const DEFAULT_SPLIT_PARTNER = 'dalenys';
const DEFAULT_SPLIT_METHOD = 'creditcard';

/**
 * Purse v2 as a downstream orchestrator for card tenders: one Purse payment (MANUAL capture, a
 * single split entry) per tender, then amount-based captures, voids and refunds on it.
 *
 * - authorize: `POST /v2/payments` with `Idempotency-Key` = our key and `order.reference` = our
 *   tender reference; `partnerReference` = the Purse payment id.
 * - fetchAuthorization: by payment id `GET /v2/payments/{id}` (404 → NOT_FOUND). Without an id
 *   (the create timed out before we read it), the create is POSTed again with the same key and the
 *   same body: Purse replays a request it finished (so nothing is authorized twice) or runs it if it
 *   never got it; the replayed answer is a snapshot, so the payment is then re-read by its id.
 * - capture / void / refund: `POST /v2/payments/{id}/captures|voids|refunds` with
 *   `{amount, merchant_reference: <leg reference>}` and `Idempotency-Key`; the answer is the whole
 *   payment, in which our operation is found by merchant_reference.
 * - fetchOperation: `GET` the payment, find the operation by merchant_reference (NOT_FOUND if absent).
 *
 * Account `config` may set `splitPartner` / `splitMethod` (default `dalenys` / `creditcard`).
 */
export class PurseAdapter implements PartnerAdapter {
  readonly partner = 'purse';
  private readonly client: PurseClient;
  private readonly now: () => number;

  constructor(options: PurseAdapterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.client = new PurseClient(options.http ?? createPartnerHttpClient(), this.now);
  }

  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    const credentials = purseCredentials(request.account.credentials);
    const body = createPaymentBody(request, credentials);
    const payment = await this.client.createPayment(
      credentials,
      body,
      request.idempotencyKey,
      request.timeoutMs,
    );
    return mapAuthorization(payment, request);
  }

  async fetchAuthorization(
    request: AuthorizeRequest & { partnerReference?: string },
  ): Promise<AuthorizeResult> {
    const credentials = purseCredentials(request.account.credentials);
    if (request.partnerReference) {
      const payment = await this.client.getPayment(credentials, request.partnerReference, request.timeoutMs);
      if (!payment) return { outcome: 'NOT_FOUND' };
      return mapAuthorization(payment, request);
    }
    const body = createPaymentBody(request, credentials);
    const created = await this.client.createPayment(
      credentials,
      body,
      request.idempotencyKey,
      request.timeoutMs,
    );
    const live = await this.client.getPayment(credentials, created.id, request.timeoutMs);
    if (!live) throw new PartnerProtocolError(`Purse payment ${created.id} was created but cannot be read`);
    return mapAuthorization(live, request);
  }

  capture(request: OperationRequest): Promise<OperationResult> {
    return this.operate('capture', request);
  }

  void(request: OperationRequest): Promise<OperationResult> {
    return this.operate('void', request);
  }

  refund(request: OperationRequest): Promise<OperationResult> {
    return this.operate('refund', request);
  }

  async fetchOperation(kind: PurseOperationKind, request: OperationRequest): Promise<OperationResult> {
    const credentials = purseCredentials(request.account.credentials);
    const paymentId = paymentIdOf(request);
    const payment = await this.client.getPayment(credentials, paymentId, request.timeoutMs);
    if (!payment) return { outcome: 'NOT_FOUND' };
    return mapOperation(payment, kind, request) ?? { outcome: 'NOT_FOUND' };
  }

  verifyWebhook(
    rawBody: Buffer,
    headers: Record<string, string | undefined>,
    account: PartnerAccountConfig,
  ): PartnerWebhookEvent {
    const secret = account.credentials.webhookSecret;
    return verifyPurseWebhook(
      rawBody,
      headers,
      typeof secret === 'string' ? secret : undefined,
      Math.floor(this.now() / 1000),
    );
  }

  private async operate(kind: PurseOperationKind, request: OperationRequest): Promise<OperationResult> {
    const credentials = purseCredentials(request.account.credentials);
    const paymentId = paymentIdOf(request);
    if (request.currency !== request.tender.currency) {
      throw new PartnerRejectedError(
        `${kind} in ${request.currency} on a ${request.tender.currency} tender`,
        'currency_mismatch',
      );
    }
    const payment = await this.client.postOperation(
      credentials,
      paymentId,
      kind,
      { amount: request.amount, merchant_reference: request.reference },
      request.idempotencyKey,
      request.timeoutMs,
    );
    const result = mapOperation(payment, kind, request);
    if (!result) {
      throw new PartnerProtocolError(
        `Purse ${kind} on payment ${paymentId}: no operation ${request.reference} in the answer`,
      );
    }
    return result;
  }
}

function paymentIdOf(request: OperationRequest): string {
  if (!request.tender.partnerReference) {
    throw new PartnerRejectedError(
      `tender ${request.tender.tenderId} has no Purse payment id`,
      'missing_partner_reference',
    );
  }
  return request.tender.partnerReference;
}

function stringSetting(config: Record<string, unknown>, name: string, fallback: string): string {
  const value = config[name];
  return typeof value === 'string' && value.length > 0 ? value : fallback;
}

/**
 * The create body; deterministic for a given request, so a re-send under the same Idempotency-Key
 * is recognised as the same request (Purse refuses a key reused with another body).
 */
export function createPaymentBody(
  request: AuthorizeRequest,
  credentials: PurseCredentials,
): PurseCreatePaymentBody {
  if (request.method !== 'card') {
    throw new PartnerRejectedError(
      `Purse adapter does not handle method ${request.method}`,
      'unsupported_method',
    );
  }
  const token = request.instrument.token;
  let entry: PurseSplitEntry;
  let order: PurseCreatePaymentBody['order'] = { reference: request.reference };
  if (request.parentPartnerToken) {
    entry = { amount: request.amount, parent_payment_id: request.parentPartnerToken };
  } else if (typeof token === 'string' && token.length > 0) {
    entry = {
      partner: stringSetting(request.account.config, 'splitPartner', DEFAULT_SPLIT_PARTNER),
      method: stringSetting(request.account.config, 'splitMethod', DEFAULT_SPLIT_METHOD),
      amount: request.amount,
    };
    // v2 has no credential field: our token rides in its free map (the simulator's test instrument).
    order = { ...order, additional_data: { payment_method_tokens: [token] } };
  } else {
    throw new PartnerRejectedError('card instrument without a token', 'invalid_instrument');
  }
  return {
    entity_id: credentials.entityId ?? credentials.clientId,
    amount: request.amount,
    currency: request.currency,
    // Tender always captures explicitly (AUTOMATIC = Tender captures right after).
    capture_mode: 'MANUAL',
    allow_future_usage: request.allowFutureUsage,
    order,
    split: [entry],
    ...(request.returnUrl ? { shopper_redirection_url: request.returnUrl } : {}),
    ...(request.customer ? { customer: request.customer } : {}),
    ...(request.browser ? { browser: request.browser } : {}),
  };
}
