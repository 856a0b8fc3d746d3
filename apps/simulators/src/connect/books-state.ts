import type { APIError } from 'connect-sdk-nodejs/lib/v1/model/domain';
import type { IdempotenceEntry } from './idempotence';
import type { ResolvedInstrument } from './instruments';
import type { CaptureStatus, PaymentStatus, RefundStatus } from './status';

/**
 * What the simulator's books (`books.ts`) hold: payments, captures and refunds as records, the
 * idempotence keys and the counters, and what a new payment or refund starts from.
 */

export interface PaymentRecord {
  id: string;
  merchantId: string;
  status: PaymentStatus;
  createdAt: string;
  statusChangedAt: string;
  amount: number;
  currencyCode: string;
  merchantReference?: string;
  merchantOrderId?: number;
  instrument: string;
  outcome: ResolvedInstrument['outcome'];
  last4: string;
  expiryDate?: string;
  paymentProductId: number;
  requiresApproval: boolean;
  authorizationMode: string;
  fraudServiceResult: 'accepted' | 'challenged';
  /** Set once the (simulated) acquirer authorized the amount. */
  authorized: boolean;
  authorisationCode?: string;
  captureIds: string[];
  refundIds: string[];
  /** No further capture possible (final capture done, or the rest of the authorization released). */
  captureClosed: boolean;
  amountCancelled: number;
  errors?: APIError[];
  idempotencyHits: number;
}

export interface CaptureRecord {
  id: string;
  paymentId: string;
  merchantId: string;
  amount: number;
  currencyCode: string;
  isFinal: boolean;
  status: CaptureStatus;
  /** Ends REJECTED_CAPTURE instead of CAPTURED when it settles (decided when it is requested). */
  rejectOnSettle?: boolean;
  createdAt: string;
  statusChangedAt: string;
}

export interface RefundRecord {
  id: string;
  paymentId: string;
  captureId?: string;
  merchantId: string;
  amount: number;
  currencyCode: string;
  merchantReference?: string;
  refundDate?: string;
  status: RefundStatus;
  createdAt: string;
  statusChangedAt: string;
  errors?: APIError[];
}

export interface ConnectBooksState {
  version: 1;
  paymentSequence: number;
  payments: Record<string, PaymentRecord>;
  captures: Record<string, CaptureRecord>;
  refunds: Record<string, RefundRecord>;
  /** `${merchantId} ${idempotenceKey}` → entry, kept 24 h. */
  idempotence: Record<string, IdempotenceEntry>;
  /** connect-error-once markers (idempotence key or merchantReference) that already failed once. */
  errorOnce: Record<string, number>;
  counters: {
    idempotencyHits: number;
    idempotencyConflicts: number;
    authFailures: number;
    injectedFailures: number;
  };
}

export type BooksChange = { type: 'payment' | 'refund' | 'capture'; id: string; status: string };

export interface NewPayment {
  merchantId: string;
  amount: number;
  currencyCode: string;
  merchantReference?: string;
  merchantOrderId?: number;
  instrument: ResolvedInstrument;
  requiresApproval: boolean;
  authorizationMode: string;
  paymentProductId: number;
  expiryDate?: string;
}

export interface NewRefund {
  amount?: number;
  currencyCode?: string;
  merchantReference?: string;
  refundDate?: string;
}

export interface PaymentAmounts {
  authorized: number;
  /** Captures requested or done (CAPTURE_REQUESTED + CAPTURED). */
  captured: number;
  /** Captures done (CAPTURED): what refunds may draw on, and Connect's `amountPaid`. */
  settled: number;
  /** Refunds not cancelled or rejected (requested, pending approval or done). */
  refunded: number;
  /** Refunds in REFUNDED. */
  refundedCompleted: number;
  cancelled: number;
  capturable: number;
  /** Settled minus refunds. */
  refundable: number;
}

export interface TransactionView {
  paymentId: string;
  merchantId: string;
  merchantReference?: string;
  merchantOrderId?: number;
  instrument: string;
  status: PaymentStatus;
  currencyCode: string;
  amount: number;
  amountAuthorized: number;
  amountCaptured: number;
  amountSettled: number;
  amountRefunded: number;
  amountCancelled: number;
  captures: Array<
    Pick<CaptureRecord, 'id' | 'amount' | 'status' | 'isFinal' | 'rejectOnSettle' | 'createdAt'>
  >;
  refunds: Array<
    Pick<RefundRecord, 'id' | 'amount' | 'status' | 'merchantReference' | 'captureId' | 'createdAt'>
  >;
  idempotencyHits: number;
  createdAt: string;
  statusChangedAt: string;
}

export function emptyBooks(): ConnectBooksState {
  return {
    version: 1,
    paymentSequence: 0,
    payments: {},
    captures: {},
    refunds: {},
    idempotence: {},
    errorOnce: {},
    counters: { idempotencyHits: 0, idempotencyConflicts: 0, authFailures: 0, injectedFailures: 0 },
  };
}

/** The record of a new payment (CREATED, nothing authorized yet). */
export function newPaymentRecord(id: string, input: NewPayment, at: string): PaymentRecord {
  return {
    id,
    merchantId: input.merchantId,
    status: 'CREATED',
    createdAt: at,
    statusChangedAt: at,
    amount: input.amount,
    currencyCode: input.currencyCode,
    merchantReference: input.merchantReference,
    merchantOrderId: input.merchantOrderId,
    instrument: input.instrument.given,
    outcome: input.instrument.outcome,
    last4: input.instrument.last4,
    expiryDate: input.expiryDate,
    paymentProductId: input.paymentProductId,
    requiresApproval: input.requiresApproval,
    authorizationMode: input.authorizationMode,
    fraudServiceResult: 'accepted',
    authorized: false,
    captureIds: [],
    refundIds: [],
    captureClosed: false,
    amountCancelled: 0,
    idempotencyHits: 0,
  };
}

/** The record of a new capture (CAPTURE_REQUESTED) of the payment. */
export function newCaptureRecord(
  payment: PaymentRecord,
  amount: number,
  isFinal: boolean,
  at: string,
): CaptureRecord {
  return {
    id: `${payment.id.slice(0, 20)}00002${String(payment.captureIds.length + 1).padStart(5, '0')}`,
    paymentId: payment.id,
    merchantId: payment.merchantId,
    amount,
    currencyCode: payment.currencyCode,
    isFinal,
    status: 'CAPTURE_REQUESTED',
    createdAt: at,
    statusChangedAt: at,
  };
}
