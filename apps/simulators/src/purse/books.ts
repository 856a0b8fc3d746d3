import { randomBytes, randomUUID } from 'node:crypto';
import type { TokenTable } from './auth';
import { purseInstrument } from './instruments';

/**
 * The Purse simulator's books: payments in (almost) the seed's wire shape, plus what the
 * simulator needs internally. `amounts`, `overview` and `links` are never stored; `toWire` (wire.ts)
 * derives them from the partner transactions, with the invariants of the seed's line-53 example:
 *
 *   available_to_capture = available_to_void = total_authorized − total_captured − total_voided
 *   available_to_refund  = total_captured − total_refunded
 *
 * Only operations with status SUCCESS count. Overview values are NOT / PARTIALLY / FULLY
 * (the seed shows NOT and PARTIALLY; FULLY is our spelling of the full value).
 *
 * Allocation of a capture/void/refund over the split (the seed does not state it): gift cards
 * first (as in the seed's example, where easy2play/giftcard was captured in full before dalenys),
 * then the remaining tenders in split order.
 */
export type CaptureMode = 'AUTOMATIC' | 'MANUAL';
export type OperationKind = 'capture' | 'void' | 'refund';
export type OperationStatus = 'SUCCESS' | 'FAILED' | 'PENDING';
export type PartnerTransactionStatus = 'AUTHORIZED' | 'REFUSED' | 'CANCELLED' | OperationStatus;
export type Overview = 'NOT' | 'PARTIALLY' | 'FULLY';

export interface PartnerTransaction {
  id: string;
  created_at: string;
  updated_at: string;
  status: PartnerTransactionStatus;
  amount: number;
  partner: string;
  method: string;
  partner_reference: string;
  partner_status: string;
  partner_status_description: string;
  /** The stored credential a later MIT reuses (authorizations under allow_future_usage, line 60). */
  partner_token?: string;
}

/** A partner transaction inside an operation, tied to the authorization transaction it draws on. */
export interface BookedPartnerTransaction extends PartnerTransaction {
  authorization_transaction_id: string;
}

export interface Operation {
  id: string;
  amount: number;
  created_at: string;
  updated_at: string;
  /** MERCHANT for API calls; SYSTEM for the capture Purse itself makes under capture_mode AUTOMATIC. */
  triggered_by: 'MERCHANT' | 'SYSTEM';
  merchant_reference: string | null;
  status: OperationStatus;
  partner_transactions: BookedPartnerTransaction[];
  order?: unknown;
}

export interface SplitEntry {
  partner: string;
  method: string;
  amount: number;
  /** The test instrument (`order.additional_data.payment_method_tokens[i]`); not in the wire split. */
  token: string;
  /** For a merchant-initiated entry: what it reuses, as line 60's split shows it. */
  parent?: {
    parent_payment_id: string;
    parent_partner_transaction_id: string;
    parent_partner_token: string;
    parent_partner_reference: string;
  };
}

export interface PaymentRecord {
  id: string;
  version: number;
  created_at: string;
  entity_id: string;
  amount: number;
  currency: string;
  capture_mode: CaptureMode;
  allow_future_usage: boolean;
  order_reference?: string;
  order?: Record<string, unknown>;
  shopper_redirection_url?: string;
  webhook?: unknown;
  split: SplitEntry[];
  authorization: {
    status: 'AUTHORIZED' | 'REFUSED';
    updated_at: string;
    partner_transactions: PartnerTransaction[];
  };
  captures: Operation[];
  voids: Operation[];
  refunds: Operation[];
  /** How many times an Idempotency-Key replay answered for this payment (inspection only). */
  idempotency_hits: number;
}

export interface IdempotencyRecord {
  fingerprint: string;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  payment_id?: string;
  created_at: string;
  hits: number;
}

export interface PurseState {
  payments: Record<string, PaymentRecord>;
  /** Keyed by `<client id> <Idempotency-Key>`. */
  idempotency: Record<string, IdempotencyRecord>;
  tokens: TokenTable;
  idempotencyHits: number;
}

export function initialPurseState(): PurseState {
  return { payments: {}, idempotency: {}, tokens: {}, idempotencyHits: 0 };
}

export interface Amounts {
  authorize_pending: number;
  total_authorized: number;
  total_captured: number;
  total_voided: number;
  total_refunded: number;
  available_to_capture: number;
  available_to_void: number;
  available_to_refund: number;
}

function partnerReference(): string {
  return randomBytes(7).toString('hex').slice(0, 13);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function succeeded(operations: Operation[]): Operation[] {
  return operations.filter((operation) => operation.status === 'SUCCESS');
}

export function computeAmounts(payment: PaymentRecord): Amounts {
  const authorized =
    payment.authorization.status === 'AUTHORIZED'
      ? sum(payment.authorization.partner_transactions.map((transaction) => transaction.amount))
      : 0;
  const captured = sum(succeeded(payment.captures).map((operation) => operation.amount));
  const voided = sum(succeeded(payment.voids).map((operation) => operation.amount));
  const refunded = sum(succeeded(payment.refunds).map((operation) => operation.amount));
  const open = authorized - captured - voided;
  return {
    authorize_pending: 0,
    total_authorized: authorized,
    total_captured: captured,
    total_voided: voided,
    total_refunded: refunded,
    available_to_capture: open,
    available_to_void: open,
    available_to_refund: captured - refunded,
  };
}

function overviewOf(part: number, whole: number): Overview {
  if (part <= 0 || whole <= 0) return 'NOT';
  return part >= whole ? 'FULLY' : 'PARTIALLY';
}

export function computeOverview(
  amounts: Amounts,
): Record<'consumed' | 'captured' | 'voided' | 'refunded', Overview> {
  return {
    consumed: overviewOf(amounts.total_captured + amounts.total_voided, amounts.total_authorized),
    captured: overviewOf(amounts.total_captured, amounts.total_authorized),
    voided: overviewOf(amounts.total_voided, amounts.total_authorized),
    refunded: overviewOf(amounts.total_refunded, amounts.total_captured),
  };
}

export interface CreatePaymentInput {
  entity_id: string;
  amount: number;
  currency: string;
  capture_mode: CaptureMode;
  allow_future_usage: boolean;
  order?: Record<string, unknown>;
  shopper_redirection_url?: string;
  webhook?: unknown;
  split: SplitEntry[];
}

/**
 * Authorizes every split entry. If any is refused, the whole authorization is REFUSED and the
 * tenders that were approved are released at once (their partner transaction reads CANCELLED),
 * so nothing stays held. Under capture_mode AUTOMATIC a successful authorization is captured in
 * full by a SYSTEM capture.
 */
export function createPayment(input: CreatePaymentInput, now: Date): PaymentRecord {
  const at = now.toISOString();
  const outcomes = input.split.map((entry) => purseInstrument(entry.token));
  const refused = outcomes.some((instrument) => instrument.authorization === 'REFUSED');
  const transactions: PartnerTransaction[] = input.split.map((entry, index) => {
    const instrument = outcomes[index];
    const released = refused && instrument.authorization === 'AUTHORIZED';
    return {
      id: randomUUID(),
      created_at: at,
      updated_at: at,
      status: released ? 'CANCELLED' : instrument.authorization,
      amount: entry.amount,
      partner: entry.partner,
      method: entry.method,
      partner_reference: partnerReference(),
      partner_status: instrument.partnerStatus,
      partner_status_description: released
        ? 'Authorization released: another tender of the split was refused'
        : instrument.partnerStatusDescription,
      ...(input.allow_future_usage && !refused ? { partner_token: randomUUID() } : {}),
    };
  });
  const payment: PaymentRecord = {
    id: randomUUID(),
    version: 1,
    created_at: at,
    entity_id: input.entity_id,
    amount: input.amount,
    currency: input.currency,
    capture_mode: input.capture_mode,
    allow_future_usage: input.allow_future_usage,
    order_reference: typeof input.order?.reference === 'string' ? input.order.reference : undefined,
    order: input.order,
    shopper_redirection_url: input.shopper_redirection_url,
    webhook: input.webhook,
    split: input.split,
    authorization: {
      status: refused ? 'REFUSED' : 'AUTHORIZED',
      updated_at: at,
      partner_transactions: transactions,
    },
    captures: [],
    voids: [],
    refunds: [],
    idempotency_hits: 0,
  };
  if (!refused && input.capture_mode === 'AUTOMATIC') {
    applyOperation(payment, 'capture', { amount: input.amount, merchant_reference: null }, now, 'SYSTEM');
  }
  return payment;
}

/**
 * The tender a merchant-initiated split entry `{amount, parent_payment_id}` reuses (line 67): partner,
 * method and instrument of the parent payment's tender (line 60 shows them resolved). The seed states
 * no condition on the parent; ours: this entity's, made with allow_future_usage, authorized, one tender.
 * Returns why not otherwise.
 */
export function reusedTender(
  state: PurseState,
  entityId: string,
  parentId: string,
  amount: number,
): SplitEntry | string {
  const parent = state.payments[parentId];
  if (!parent || parent.entity_id !== entityId) return 'no payment of this entity has this id';
  if (!parent.allow_future_usage) return 'the parent payment was not made with allow_future_usage';
  if (parent.authorization.status !== 'AUTHORIZED') return 'the parent payment is not authorized';
  if (parent.split.length !== 1) return `the parent payment has ${parent.split.length} tenders, not one`;
  const [tender] = parent.split;
  const [transaction] = parent.authorization.partner_transactions;
  return {
    partner: tender.partner,
    method: tender.method,
    amount,
    token: tender.token,
    parent: {
      parent_payment_id: parent.id,
      parent_partner_transaction_id: transaction.id,
      parent_partner_token: transaction.partner_token ?? '',
      parent_partner_reference: transaction.partner_reference,
    },
  };
}

/** Gift cards first, then split order. */
function allocationOrder(payment: PaymentRecord): PartnerTransaction[] {
  const authorized = payment.authorization.partner_transactions.filter(
    (transaction) => transaction.status === 'AUTHORIZED',
  );
  return [
    ...authorized.filter((transaction) => transaction.method === 'giftcard'),
    ...authorized.filter((transaction) => transaction.method !== 'giftcard'),
  ];
}

export function drawnOn(operations: Operation[], authorizationId: string): number {
  return sum(
    succeeded(operations).flatMap((operation) =>
      operation.partner_transactions
        .filter((transaction) => transaction.authorization_transaction_id === authorizationId)
        .map((transaction) => transaction.amount),
    ),
  );
}

/** What each authorization transaction still offers to an operation of this kind. */
function availableOn(payment: PaymentRecord, kind: OperationKind, authorization: PartnerTransaction): number {
  const captured = drawnOn(payment.captures, authorization.id);
  if (kind === 'refund') return captured - drawnOn(payment.refunds, authorization.id);
  return authorization.amount - captured - drawnOn(payment.voids, authorization.id);
}

export function availableFor(payment: PaymentRecord, kind: OperationKind): number {
  const amounts = computeAmounts(payment);
  if (kind === 'capture') return amounts.available_to_capture;
  if (kind === 'void') return amounts.available_to_void;
  return amounts.available_to_refund;
}

/**
 * Books a capture, void or refund whose amount the caller has checked against `availableFor`.
 * The operation fails as a whole (status FAILED, nothing moves) when a capture touches a tender
 * whose instrument is `purse-capture-fail`.
 */
export function applyOperation(
  payment: PaymentRecord,
  kind: OperationKind,
  request: { amount: number; merchant_reference: string | null; order?: unknown },
  now: Date,
  triggeredBy: Operation['triggered_by'] = 'MERCHANT',
): Operation {
  const at = now.toISOString();
  const tokenOf = new Map(
    payment.authorization.partner_transactions.map((transaction, index) => [
      transaction.id,
      payment.split[index].token,
    ]),
  );
  const parts: { authorization: PartnerTransaction; amount: number }[] = [];
  let left = request.amount;
  for (const authorization of allocationOrder(payment)) {
    if (left <= 0) break;
    const take = Math.min(left, availableOn(payment, kind, authorization));
    if (take <= 0) continue;
    parts.push({ authorization, amount: take });
    left -= take;
  }
  const failed =
    kind === 'capture' &&
    parts.some(({ authorization }) => purseInstrument(tokenOf.get(authorization.id) ?? '').captureFails);
  const status: OperationStatus = failed ? 'FAILED' : 'SUCCESS';
  const operation: Operation = {
    id: randomUUID(),
    amount: request.amount,
    created_at: at,
    updated_at: at,
    triggered_by: triggeredBy,
    merchant_reference: request.merchant_reference,
    status,
    partner_transactions: parts.map(({ authorization, amount }) => ({
      id: randomUUID(),
      created_at: at,
      updated_at: at,
      status,
      amount,
      partner: authorization.partner,
      method: authorization.method,
      partner_reference: partnerReference(),
      partner_status: failed ? '96' : '0000',
      partner_status_description: failed ? 'Capture refused by partner' : 'Successful operation',
      authorization_transaction_id: authorization.id,
    })),
    ...(request.order !== undefined ? { order: request.order } : {}),
  };
  const list = kind === 'capture' ? payment.captures : kind === 'void' ? payment.voids : payment.refunds;
  list.push(operation);
  payment.version += 1;
  return operation;
}

/** Payments whose order reference or one of whose operations' merchant_reference is `reference`. */
export function findByReference(state: PurseState, reference: string | undefined): PaymentRecord[] {
  const payments = Object.values(state.payments);
  if (reference === undefined) return payments;
  return payments.filter(
    (payment) =>
      payment.order_reference === reference ||
      [...payment.captures, ...payment.voids, ...payment.refunds].some(
        (operation) => operation.merchant_reference === reference,
      ),
  );
}
