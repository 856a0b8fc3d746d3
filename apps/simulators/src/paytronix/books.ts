import { randomInt } from 'node:crypto';
import type { SnapshotStore } from '../common/snapshot-store';
import { PAYTRONIX_TEST_CARDS, type TestGiftCard } from './instruments';
import { parseDecimal } from './money';

/**
 * The Paytronix simulator's books: gift card accounts, the journal of stored-value transactions,
 * refused attempts, and the hosted-checkout sessions and payment intents. Amounts are integer
 * cents here; the wire uses Decimal strings (money.ts).
 *
 * `pxTransactionId` is a 64-bit signed integer on the wire. Ours start at 148240240001 and count
 * up, far below 2^53, so they are exact as plain JSON numbers in JavaScript clients too. (Real ids
 * may not be: a client should still parse them losslessly.)
 */
export const SV_WALLET_CODE = 1;
export const FIRST_PX_TRANSACTION_ID = 148_240_240_001;

export interface GiftCard {
  printedCardNumber: string;
  status: 'ACTIVE' | 'INACTIVE';
  balanceCents: number;
  partialRedeem: boolean;
  cardTemplateCode: number;
  cardTemplateName: string;
}

export type SvTransactionType = 'addRedeem' | 'voidAddRedeem' | 'reverse' | 'recharge';

/** One posted stored-value transaction (refused calls go to `declines`). */
export interface SvTransaction {
  pxTransactionId: number;
  pxAuthCode: string;
  type: SvTransactionType;
  result: 'authorizedSuccess' | 'authorizedVariantSuccess';
  /** ISO 8601, simulator clock. */
  datetime: string;
  printedCardNumber: string;
  posTransactionId?: string;
  posTransactionDatetime?: string;
  storeCode?: string;
  terminalId?: string;
  operatorId?: string;
  /** What the request asked for (addRedeem only), cents. */
  requestedAddCents: number;
  requestedRedeemCents: number;
  /** What this transaction moved, cents: added is credited, redeemed is debited. */
  addedCents: number;
  redeemedCents: number;
  previousBalanceCents: number;
  balanceCents: number;
  /** posted, or voided / reversed later (addRedeem only). */
  status: 'posted' | 'voided' | 'reversed';
  /** For voidAddRedeem / reverse: the transaction undone. */
  originalPxTransactionId?: number;
  /** On an undone transaction: the void or reverse that undid it. */
  undoneByPxTransactionId?: number;
  /** recharge.json: the card processor's reference. */
  processorReferenceNumber?: string;
}

export interface Decline {
  datetime: string;
  endpoint: string;
  result: string;
  errorCode: string;
  posTransactionId?: string;
  printedCardNumber?: string;
}

export type PaymentIntentStatus =
  | 'REQUIRES_PAYMENT_METHOD'
  | 'REQUIRES_CONFIRMATION'
  | 'REQUIRES_ACTION'
  | 'PROCESSING'
  | 'REQUIRES_CAPTURE'
  | 'CANCELED'
  | 'SUCCEEDED';

export interface LineItem {
  amount: string;
  description: string;
  quantity: number;
}

export interface CheckoutSession {
  id: string;
  paymentIntentId: string;
  merchantId: number;
  ccProcessorId: number;
  successUrl: string;
  cancelUrl: string;
  lineItems: LineItem[];
  amountCents: number;
  /** open until the shopper pays (complete) or cancels (expired), as Stripe names them. */
  status: 'open' | 'complete' | 'expired';
  createdAt: string;
}

export interface PaymentIntent {
  id: string;
  checkoutSessionId: string;
  ccProcessorId: number;
  amountCents: number;
  status: PaymentIntentStatus;
  chargeInfo?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface PaytronixState {
  cards: Record<string, GiftCard>;
  /** Keyed by pxTransactionId (as a string). */
  transactions: Record<string, SvTransaction>;
  declines: Decline[];
  nextPxTransactionId: number;
  checkoutSessions: Record<string, CheckoutSession>;
  paymentIntents: Record<string, PaymentIntent>;
}

const MAX_DECLINES = 1000;

function cardFrom(test: TestGiftCard): GiftCard {
  return {
    printedCardNumber: test.printedCardNumber,
    status: test.active ? 'ACTIVE' : 'INACTIVE',
    balanceCents: parseDecimal(test.balance) ?? 0,
    partialRedeem: test.partialRedeem ?? false,
    cardTemplateCode: 1,
    cardTemplateName: 'Gift Card',
  };
}

export function initialPaytronixState(cards: readonly TestGiftCard[] = PAYTRONIX_TEST_CARDS): PaytronixState {
  return {
    cards: Object.fromEntries(cards.map((card) => [card.printedCardNumber, cardFrom(card)])),
    transactions: {},
    declines: [],
    nextPxTransactionId: FIRST_PX_TRANSACTION_ID,
    checkoutSessions: {},
    paymentIntents: {},
  };
}

/** The state plus an index of the journal by posTransactionId (rebuilt after load and reset). */
export class PaytronixBooks {
  private byPos = new Map<string, number[]>();

  constructor(private readonly store: SnapshotStore<PaytronixState>) {
    this.reindex();
  }

  get state(): PaytronixState {
    return this.store.state;
  }

  changed(): void {
    this.store.changed();
  }

  reset(): void {
    this.store.reset();
    this.reindex();
  }

  flush(): void {
    this.store.flush();
  }

  nextIds(): { pxTransactionId: number; pxAuthCode: string } {
    const pxTransactionId = this.state.nextPxTransactionId;
    this.state.nextPxTransactionId += 1;
    return { pxTransactionId, pxAuthCode: String(randomInt(0, 1_000_000)).padStart(6, '0') };
  }

  post(transaction: SvTransaction): SvTransaction {
    this.state.transactions[String(transaction.pxTransactionId)] = transaction;
    this.indexOne(transaction);
    return transaction;
  }

  transaction(pxTransactionId: unknown): SvTransaction | undefined {
    if (typeof pxTransactionId !== 'number' && typeof pxTransactionId !== 'string') return undefined;
    return this.state.transactions[String(pxTransactionId).trim()];
  }

  /** Journal entries carrying this posTransactionId, oldest first. */
  byPosTransactionId(posTransactionId: string): SvTransaction[] {
    return (this.byPos.get(posTransactionId) ?? []).map((id) => this.state.transactions[String(id)]);
  }

  decline(entry: Decline): void {
    this.state.declines.push(entry);
    if (this.state.declines.length > MAX_DECLINES) this.state.declines.shift();
  }

  private reindex(): void {
    this.byPos = new Map();
    for (const transaction of Object.values(this.state.transactions)) this.indexOne(transaction);
  }

  private indexOne(transaction: SvTransaction): void {
    if (transaction.posTransactionId === undefined) return;
    const list = this.byPos.get(transaction.posTransactionId) ?? [];
    list.push(transaction.pxTransactionId);
    this.byPos.set(transaction.posTransactionId, list);
  }
}
