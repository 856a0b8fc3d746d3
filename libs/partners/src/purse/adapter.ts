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
import { PurseClient, purseCredentials, type PurseOperationKind } from './client';
import { mapAuthorization, mapOperation } from './mapping';
import { createPaymentBody } from './request';
import { verifyPurseWebhook } from './webhook';

export interface PurseAdapterOptions {
  http?: AxiosInstance;
  /** Clock in epoch ms (token refresh, webhook tolerance); tests move it. */
  now?: () => number;
}

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
 * The create body (request.ts) holds only what v2 defines. Account `credentials.entityId` is the
 * entity UUID Purse provides; `config` may set `splitPartner` / `splitMethod` (default `dalenys` /
 * `creditcard`).
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
