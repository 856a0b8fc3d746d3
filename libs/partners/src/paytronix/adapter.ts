import type { AxiosInstance } from 'axios';
import {
  PartnerRejectedError,
  type LostCallKind,
  type AuthorizeRequest,
  type AuthorizeResult,
  type BalanceRequest,
  type BalanceResult,
  type OperationRequest,
  type OperationResult,
  type PartnerAdapter,
} from '../adapter';
import { createPartnerHttpClient } from '../http';
import { refundNotOffered, PaytronixHostedCheckout } from './checkout';
import { PaytronixClient, paytronixCredentials } from './client';
import { PaytronixGiftCard } from './giftcard';

export interface PaytronixAdapterOptions {
  http?: AxiosInstance;
}

/**
 * Paytronix: stored-value gift cards (`giftcard`, Transaction Service, immediate debit; see
 * giftcard.ts) and card payments on the hosted checkout (`card`, Payment Service; see checkout.ts).
 * Paytronix sends no webhooks and has no idempotency key: every lost answer is settled by a lookup
 * (transaction history by our posTransactionId, or the payment intent).
 */
export class PaytronixAdapter implements PartnerAdapter {
  readonly partner = 'paytronix';
  private readonly giftCard: PaytronixGiftCard;
  private readonly checkout: PaytronixHostedCheckout;

  constructor(options: PaytronixAdapterOptions = {}) {
    const client = new PaytronixClient(options.http ?? createPartnerHttpClient());
    this.giftCard = new PaytronixGiftCard(client);
    this.checkout = new PaytronixHostedCheckout(client);
  }

  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    const credentials = paytronixCredentials(request.account.credentials);
    return methodOf(request.method) === 'giftcard'
      ? this.giftCard.authorize(credentials, request)
      : this.checkout.authorize(credentials, request, request.account.config);
  }

  async checkBalance(request: BalanceRequest): Promise<BalanceResult> {
    if (methodOf(request.method) !== 'giftcard') {
      throw new PartnerRejectedError(`paytronix/${request.method} has no balance`, 'balance_not_offered');
    }
    return this.giftCard.balance(paytronixCredentials(request.account.credentials), request);
  }

  async fetchAuthorization(
    request: AuthorizeRequest & { partnerReference?: string },
  ): Promise<AuthorizeResult> {
    const credentials = paytronixCredentials(request.account.credentials);
    return methodOf(request.method) === 'giftcard'
      ? this.giftCard.fetchAuthorization(credentials, request)
      : this.checkout.fetchAuthorization(credentials, request);
  }

  async capture(request: OperationRequest): Promise<OperationResult> {
    const credentials = paytronixCredentials(request.account.credentials);
    return methodOf(request.tender.method) === 'giftcard'
      ? this.giftCard.capture(request)
      : this.checkout.capture(credentials, request);
  }

  async void(request: OperationRequest): Promise<OperationResult> {
    const credentials = paytronixCredentials(request.account.credentials);
    return methodOf(request.tender.method) === 'giftcard'
      ? this.giftCard.void(credentials, request)
      : this.checkout.void(credentials, request);
  }

  async refund(request: OperationRequest): Promise<OperationResult> {
    const credentials = paytronixCredentials(request.account.credentials);
    if (methodOf(request.tender.method) === 'card') throw refundNotOffered();
    return this.giftCard.refund(credentials, request);
  }

  /**
   * Gift cards: reverse the lost attempt by its posTransactionId. Hosted-checkout cards need nothing:
   * a second checkout session moves no money, and a payment intent is captured or cancelled once.
   */
  async reverseLostCall(kind: LostCallKind, request: AuthorizeRequest | OperationRequest): Promise<void> {
    const method = 'tender' in request ? request.tender.method : request.method;
    if (methodOf(method) !== 'giftcard') return;
    await this.giftCard.reverseLostCall(paytronixCredentials(request.account.credentials), request);
  }

  async fetchOperation(
    kind: 'capture' | 'void' | 'refund',
    request: OperationRequest,
  ): Promise<OperationResult> {
    const credentials = paytronixCredentials(request.account.credentials);
    return methodOf(request.tender.method) === 'giftcard'
      ? this.giftCard.fetchOperation(credentials, kind, request)
      : this.checkout.fetchOperation(credentials, kind, request);
  }
}

function methodOf(method: string): 'giftcard' | 'card' {
  if (method === 'giftcard' || method === 'card') return method;
  throw new PartnerRejectedError(`Paytronix adapter does not handle method ${method}`, 'unsupported_method');
}
