import { randomInt } from 'node:crypto';
import { SnapshotStore } from '../common/snapshot-store';
import { apiError, invalid, notAllowedInStatus, notFound, validationError } from './errors';
import type { CaptureStatus, PaymentStatus, RefundStatus } from './status';
import {
  emptyBooks,
  newCaptureRecord,
  newPaymentRecord,
  type BooksChange,
  type CaptureRecord,
  type ConnectBooksState,
  type NewPayment,
  type NewRefund,
  type PaymentAmounts,
  type PaymentRecord,
  type RefundRecord,
  type TransactionView,
} from './books-state';
import {
  capturesOf,
  capturesUnsettledAndUnrefunded,
  findPayments,
  isCancellable,
  isRefundable,
  newRefundRecord,
  paymentAmounts,
  refundsOf,
  transactionView,
} from './books-views';

/**
 * The simulator's books: payments, captures and refunds with the Connect status model, the amount
 * rules, and the idempotence keys. Every operation checks the state it needs (405 / 404 / 400 like
 * Connect), applies the change, and reports status changes (for webhooks) once it is complete.
 *
 * Transitions (the documents give no table; digest Gaps 7/8/10; where they are silent the simulator
 * takes the stricter plausible behaviour):
 *   create  approve, requiresApproval ........ PENDING_APPROVAL
 *           approve, no approval needed ...... CAPTURE_REQUESTED (one final capture of the full amount)
 *           challenge ........................ PENDING_FRAUD_APPROVAL (processchallenged → as approve; cancel → CANCELLED)
 *           decline / unknown instrument ..... REJECTED (HTTP 402)
 *   approve(amount ≤ authorized) ............. CAPTURE_REQUESTED (single final capture, rest released)
 *   capture(amount, isFinal) ................. PENDING_CAPTURE while more may be captured, CAPTURE_REQUESTED once final
 *                                              (isFinal, full amount captured, or amount omitted)
 *   cancelapproval (captures not settled) .... PENDING_APPROVAL (captures CANCELLED)
 *   cancel: nothing captured ................. CANCELLED; partially captured PENDING_CAPTURE: releases the rest;
 *           CAPTURE_REQUESTED, nothing settled or refunded: CANCELLED (captures CANCELLED)
 *   settle (/_sim, or settleDelayMs after the request) of a capture: CAPTURED, or REJECTED_CAPTURE when
 *           it was marked to be rejected (connect-capture-reject, captureRejectRate); a CAPTURE_REQUESTED
 *           payment follows once none is queued: CAPTURED if any capture succeeded, else REJECTED_CAPTURE.
 *           A rejected capture's amount is not captured (while the payment is PENDING_CAPTURE it can be
 *           captured again).
 *   refunds: REFUND_REQUESTED (or PENDING_APPROVAL with refundRequiresApproval) → approve → REFUND_REQUESTED;
 *            cancel → CANCELLED; cancelapproval → PENDING_APPROVAL; settle → REFUNDED (payment REFUNDED
 *            once everything captured is refunded); refund-decline → REJECTED.
 * Refunds draw only on settled (CAPTURED) captures: asked before, Connect's refund refusal of [002]
 * (404, code 300240) answers, until the captures settle. Records: `books-state.ts`; amounts, views and
 * the refund checks: `books-views.ts`.
 */

export interface BooksOptions {
  /** Share of captures (0..1) that end REJECTED_CAPTURE when they settle. Default 0. */
  captureRejectRate?: number;
  /** Random source for captureRejectRate (tests). */
  random?: () => number;
}

export class ConnectBooks {
  private readonly store: SnapshotStore<ConnectBooksState>;
  private pending: BooksChange[] = [];
  private readonly listeners: Array<(change: BooksChange) => void> = [];

  constructor(
    private readonly now: () => Date,
    snapshotFile?: string,
    private readonly options: BooksOptions = {},
  ) {
    this.store = new SnapshotStore(emptyBooks, snapshotFile);
    // A request that was running when the process stopped will never finish: forget its key.
    for (const [key, entry] of Object.entries(this.state.idempotence)) {
      if (entry.state === 'in_progress') delete this.state.idempotence[key];
    }
  }

  get state(): ConnectBooksState {
    return this.store.state;
  }

  onChange(listener: (change: BooksChange) => void): void {
    this.listeners.push(listener);
  }

  /** Persist (coalesced) and publish the status changes of the operation that just finished. */
  commit(): void {
    this.store.changed();
    // one notification per object and operation, with its final status
    const latest = new Map<string, BooksChange>();
    for (const change of this.pending) {
      const key = `${change.type} ${change.id}`;
      latest.delete(key);
      latest.set(key, change);
    }
    this.pending = [];
    for (const change of latest.values()) for (const listener of this.listeners) listener(change);
  }

  flush(): void {
    this.store.flush();
  }

  reset(): void {
    this.pending = [];
    this.store.reset();
  }

  // ---- look-ups ----------------------------------------------------------------------------

  payment(merchantId: string, id: string): PaymentRecord {
    const payment = this.state.payments[id];
    if (!payment || payment.merchantId !== merchantId) throw notFound('payment', id);
    return payment;
  }

  capture(merchantId: string, id: string): CaptureRecord {
    const capture = this.state.captures[id];
    if (!capture || capture.merchantId !== merchantId) throw notFound('capture', id);
    return capture;
  }

  refund(merchantId: string, id: string): RefundRecord {
    const refund = this.state.refunds[id];
    if (!refund || refund.merchantId !== merchantId) throw notFound('refund', id);
    return refund;
  }

  capturesOf(payment: PaymentRecord): CaptureRecord[] {
    return capturesOf(this.state, payment);
  }

  refundsOf(payment: PaymentRecord): RefundRecord[] {
    return refundsOf(this.state, payment);
  }

  amounts(payment: PaymentRecord): PaymentAmounts {
    return paymentAmounts(this.state, payment);
  }

  /** Whether `cancel` is allowed now (also `statusOutput.isCancellable`). */
  isCancellable(payment: PaymentRecord): boolean {
    return isCancellable(this.state, payment);
  }

  /** Whether a refund may be requested now (also `statusOutput.isRefundable`): something settled is left. */
  isRefundable(payment: PaymentRecord): boolean {
    return isRefundable(this.state, payment);
  }

  findPayments(
    merchantId: string,
    filter: { merchantReference?: string; merchantOrderId?: number },
  ): PaymentRecord[] {
    return findPayments(this.state, merchantId, filter);
  }

  transactions(reference?: string): TransactionView[] {
    return Object.values(this.state.payments)
      .filter((p) => reference === undefined || p.merchantReference === reference)
      .map((p) => this.transaction(p));
  }

  transaction(payment: PaymentRecord): TransactionView {
    return transactionView(this.state, payment);
  }

  // ---- payment operations ------------------------------------------------------------------

  createPayment(input: NewPayment): PaymentRecord {
    const state = this.state;
    state.paymentSequence += 1;
    const merchantDigits = (input.merchantId.replace(/\D/g, '').slice(-4) || '0').padStart(4, '0');
    const id = `000000${merchantDigits}${String(state.paymentSequence).padStart(10, '0')}0000100001`;
    const at = this.now().toISOString();
    const payment = newPaymentRecord(id, input, at);
    state.payments[id] = payment;
    if (input.instrument.outcome === 'decline') {
      payment.errors = [
        apiError(
          'declined',
          402,
          input.instrument.known
            ? 'NOT AUTHORISED'
            : `NOT AUTHORISED: unknown test instrument "${input.instrument.given}"`,
        ),
      ];
      this.setPaymentStatus(payment, 'REJECTED');
    } else if (input.instrument.outcome === 'challenge') {
      payment.fraudServiceResult = 'challenged';
      this.setPaymentStatus(payment, 'PENDING_FRAUD_APPROVAL');
    } else {
      this.authorize(payment);
    }
    this.commit();
    return payment;
  }

  processChallenged(payment: PaymentRecord): PaymentRecord {
    if (payment.status !== 'PENDING_FRAUD_APPROVAL') throw notAllowedInStatus('PAYMENT IS NOT CHALLENGED');
    this.authorize(payment);
    this.commit();
    return payment;
  }

  /** Single capture (approval) of at most the authorized amount; the rest of the authorization is released. */
  approve(payment: PaymentRecord, amount: number | undefined): CaptureRecord {
    if (payment.status !== 'PENDING_APPROVAL') {
      throw notAllowedInStatus(`PAYMENT ${payment.id} CANNOT BE APPROVED IN STATUS ${payment.status}`);
    }
    const { capturable } = this.amounts(payment);
    const toCapture = amount ?? capturable;
    if (toCapture > capturable) {
      throw validationError([invalid('amount', `${toCapture} exceeds the authorized amount ${capturable}`)]);
    }
    const capture = this.addCapture(payment, toCapture, true);
    payment.captureClosed = true;
    payment.amountCancelled = payment.amount - toCapture;
    this.setPaymentStatus(payment, 'CAPTURE_REQUESTED');
    this.commit();
    return capture;
  }

  capturePayment(
    payment: PaymentRecord,
    amount: number | undefined,
    isFinal: boolean | undefined,
  ): CaptureRecord {
    if (!['PENDING_APPROVAL', 'PENDING_CAPTURE'].includes(payment.status) || payment.captureClosed) {
      throw notAllowedInStatus(`PAYMENT ${payment.id} CANNOT BE CAPTURED IN STATUS ${payment.status}`);
    }
    const { capturable } = this.amounts(payment);
    const toCapture = amount ?? capturable;
    if (toCapture > capturable) {
      throw validationError([
        invalid('amount', `${toCapture} exceeds the remaining authorized amount ${capturable}`),
      ]);
    }
    const final = amount === undefined || isFinal === true || toCapture === capturable;
    const capture = this.addCapture(payment, toCapture, final);
    if (final) {
      payment.captureClosed = true;
      payment.amountCancelled = capturable - toCapture;
      this.setPaymentStatus(payment, 'CAPTURE_REQUESTED');
    } else {
      this.setPaymentStatus(payment, 'PENDING_CAPTURE');
    }
    this.commit();
    return capture;
  }

  /** Undo a requested (not yet settled) capture: back to PENDING_APPROVAL. */
  cancelApproval(payment: PaymentRecord): PaymentRecord {
    if (payment.status !== 'CAPTURE_REQUESTED' || !capturesUnsettledAndUnrefunded(this.state, payment)) {
      throw notAllowedInStatus(
        `CAPTURE OF PAYMENT ${payment.id} CANNOT BE UNDONE IN STATUS ${payment.status}`,
      );
    }
    for (const capture of this.capturesOf(payment)) this.setCaptureStatus(capture, 'CANCELLED');
    payment.captureClosed = false;
    payment.amountCancelled = 0;
    this.setPaymentStatus(payment, 'PENDING_APPROVAL');
    this.commit();
    return payment;
  }

  cancel(payment: PaymentRecord): PaymentRecord {
    if (!this.isCancellable(payment)) {
      throw notAllowedInStatus(`PAYMENT ${payment.id} CANNOT BE CANCELLED IN STATUS ${payment.status}`);
    }
    const { captured } = this.amounts(payment);
    if (payment.status === 'PENDING_CAPTURE' && captured > 0) {
      // release what is left of the authorization; the captures stand
      payment.amountCancelled = payment.amount - captured;
      payment.captureClosed = true;
      this.setPaymentStatus(payment, 'CAPTURE_REQUESTED');
      this.closeCaptureRequested(payment);
    } else {
      for (const capture of this.capturesOf(payment)) this.setCaptureStatus(capture, 'CANCELLED');
      payment.amountCancelled = payment.authorized ? payment.amount : 0;
      payment.captureClosed = true;
      this.setPaymentStatus(payment, 'CANCELLED');
    }
    this.commit();
    return payment;
  }

  // ---- refunds -------------------------------------------------------------------------------

  /**
   * Returns the refund; a REJECTED one (refund-decline instrument) is booked too, the caller answers
   * 402. Refunds draw on settled captures only: a refund that needs captures still queued
   * (CAPTURE_REQUESTED) is refused like one on a payment with nothing to refund ([002] 404, 300240).
   */
  createRefund(
    payment: PaymentRecord,
    input: NewRefund,
    refundApproval: boolean,
    capture?: CaptureRecord,
  ): RefundRecord {
    const refund = newRefundRecord(this.state, payment, input, () => this.now(), capture);
    this.state.refunds[refund.id] = refund;
    payment.refundIds.push(refund.id);
    if (payment.outcome === 'refund-decline') {
      refund.errors = [apiError('declined', 402, 'REFUND REJECTED')];
      this.setRefundStatus(refund, 'REJECTED');
    } else {
      this.setRefundStatus(refund, refundApproval ? 'PENDING_APPROVAL' : 'REFUND_REQUESTED');
    }
    this.commit();
    return refund;
  }

  approveRefund(refund: RefundRecord, amount: number | undefined): RefundRecord {
    if (refund.status !== 'PENDING_APPROVAL') {
      throw notAllowedInStatus(`REFUND ${refund.id} CANNOT BE APPROVED IN STATUS ${refund.status}`);
    }
    if (amount !== undefined) {
      if (amount > refund.amount) {
        throw validationError([invalid('amount', `${amount} exceeds the refund amount ${refund.amount}`)]);
      }
      refund.amount = amount;
    }
    this.setRefundStatus(refund, 'REFUND_REQUESTED');
    this.commit();
    return refund;
  }

  cancelRefund(refund: RefundRecord): RefundRecord {
    if (refund.status !== 'PENDING_APPROVAL' && refund.status !== 'REFUND_REQUESTED') {
      throw notAllowedInStatus(`REFUND ${refund.id} CANNOT BE CANCELLED IN STATUS ${refund.status}`);
    }
    this.setRefundStatus(refund, 'CANCELLED');
    this.commit();
    return refund;
  }

  cancelRefundApproval(refund: RefundRecord): RefundRecord {
    if (refund.status !== 'REFUND_REQUESTED') {
      throw notAllowedInStatus(`APPROVAL OF REFUND ${refund.id} CANNOT BE UNDONE IN STATUS ${refund.status}`);
    }
    this.setRefundStatus(refund, 'PENDING_APPROVAL');
    this.commit();
    return refund;
  }

  /** What the acquirer confirms later: every requested capture and refund of the payment completes. */
  settle(payment: PaymentRecord): PaymentRecord {
    for (const capture of this.capturesOf(payment)) this.completeCapture(capture);
    for (const refund of this.refundsOf(payment)) this.completeRefund(refund);
    this.commit();
    return payment;
  }

  /** One requested capture completes: CAPTURED, or REJECTED_CAPTURE when it was marked so. */
  settleCapture(capture: CaptureRecord): void {
    this.completeCapture(capture);
    this.commit();
  }

  /** One requested refund completes: REFUNDED. */
  settleRefund(refund: RefundRecord): void {
    this.completeRefund(refund);
    this.commit();
  }

  // ---- internals ----------------------------------------------------------------------------

  private authorize(payment: PaymentRecord): void {
    payment.authorized = true;
    payment.authorisationCode = String(randomInt(100000, 1000000));
    if (payment.requiresApproval) {
      this.setPaymentStatus(payment, 'PENDING_APPROVAL');
    } else {
      this.addCapture(payment, payment.amount, true);
      payment.captureClosed = true;
      this.setPaymentStatus(payment, 'CAPTURE_REQUESTED');
    }
  }

  private completeCapture(capture: CaptureRecord): void {
    if (capture.status !== 'CAPTURE_REQUESTED') return;
    this.setCaptureStatus(capture, capture.rejectOnSettle ? 'REJECTED_CAPTURE' : 'CAPTURED');
    const payment = this.state.payments[capture.paymentId];
    this.closeCaptureRequested(payment);
    // the payment changed (amountPaid, maybe its status): announce it (webhook) even if its status did not
    this.pending.push({ type: 'payment', id: payment.id, status: payment.status });
  }

  /** A CAPTURE_REQUESTED payment with nothing queued any more: CAPTURED, or REJECTED_CAPTURE if none succeeded. */
  private closeCaptureRequested(payment: PaymentRecord): void {
    const captures = this.capturesOf(payment);
    if (payment.status !== 'CAPTURE_REQUESTED' || captures.some((c) => c.status === 'CAPTURE_REQUESTED'))
      return;
    if (captures.some((c) => c.status === 'CAPTURED')) this.setPaymentStatus(payment, 'CAPTURED');
    else if (captures.some((c) => c.status === 'REJECTED_CAPTURE'))
      this.setPaymentStatus(payment, 'REJECTED_CAPTURE');
  }

  private completeRefund(refund: RefundRecord): void {
    if (refund.status !== 'REFUND_REQUESTED') return;
    this.setRefundStatus(refund, 'REFUNDED');
    const payment = this.state.payments[refund.paymentId];
    const amounts = this.amounts(payment);
    if (
      payment.status === 'CAPTURED' &&
      amounts.settled > 0 &&
      amounts.refundedCompleted >= amounts.settled
    ) {
      this.setPaymentStatus(payment, 'REFUNDED');
    }
  }

  private addCapture(payment: PaymentRecord, amount: number, isFinal: boolean): CaptureRecord {
    const capture = newCaptureRecord(payment, amount, isFinal, this.now().toISOString());
    const rate = this.options.captureRejectRate ?? 0;
    if (payment.outcome === 'capture-reject' || (rate > 0 && (this.options.random ?? Math.random)() < rate)) {
      capture.rejectOnSettle = true;
    }
    this.state.captures[capture.id] = capture;
    payment.captureIds.push(capture.id);
    this.pending.push({ type: 'capture', id: capture.id, status: capture.status });
    return capture;
  }

  private setPaymentStatus(payment: PaymentRecord, status: PaymentStatus): void {
    if (payment.status === status) return;
    payment.status = status;
    payment.statusChangedAt = this.now().toISOString();
    this.pending.push({ type: 'payment', id: payment.id, status });
  }

  private setCaptureStatus(capture: CaptureRecord, status: CaptureStatus): void {
    if (capture.status === status) return;
    capture.status = status;
    capture.statusChangedAt = this.now().toISOString();
    this.pending.push({ type: 'capture', id: capture.id, status });
  }

  private setRefundStatus(refund: RefundRecord, status: RefundStatus): void {
    if (refund.status === status) return;
    refund.status = status;
    refund.statusChangedAt = this.now().toISOString();
    this.pending.push({ type: 'refund', id: refund.id, status });
  }
}
