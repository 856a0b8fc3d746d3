import { invalid, notRefundable, validationError } from './errors';
import {
  type CaptureRecord,
  type ConnectBooksState,
  type NewRefund,
  type PaymentAmounts,
  type PaymentRecord,
  type RefundRecord,
  type TransactionView,
} from './books-state';
import { ACTIVE_CAPTURE_STATUSES, ACTIVE_REFUND_STATUSES } from './status';

/**
 * What the books (`books.ts`) derive from their state without changing it: a payment's captures,
 * refunds and amounts, its `/_sim` view, and the refund a request may book.
 */

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function capturesOf(state: ConnectBooksState, payment: PaymentRecord): CaptureRecord[] {
  return payment.captureIds.map((id) => state.captures[id]);
}

export function refundsOf(state: ConnectBooksState, payment: PaymentRecord): RefundRecord[] {
  return payment.refundIds.map((id) => state.refunds[id]);
}

export function paymentAmounts(state: ConnectBooksState, payment: PaymentRecord): PaymentAmounts {
  const captures = capturesOf(state, payment);
  const captured = sum(
    captures.filter((c) => ACTIVE_CAPTURE_STATUSES.includes(c.status)).map((c) => c.amount),
  );
  const settled = sum(captures.filter((c) => c.status === 'CAPTURED').map((c) => c.amount));
  const refunds = refundsOf(state, payment);
  const refunded = sum(refunds.filter((r) => ACTIVE_REFUND_STATUSES.includes(r.status)).map((r) => r.amount));
  const refundedCompleted = sum(refunds.filter((r) => r.status === 'REFUNDED').map((r) => r.amount));
  const authorized = payment.authorized ? payment.amount : 0;
  return {
    authorized,
    captured,
    settled,
    refunded,
    refundedCompleted,
    cancelled: payment.amountCancelled,
    capturable: payment.authorized && !payment.captureClosed ? authorized - captured : 0,
    refundable: settled - refunded,
  };
}

/** Whether `cancel` is allowed now (also `statusOutput.isCancellable`). */
export function isCancellable(state: ConnectBooksState, payment: PaymentRecord): boolean {
  switch (payment.status) {
    case 'PENDING_FRAUD_APPROVAL':
    case 'PENDING_APPROVAL':
    case 'PENDING_CAPTURE':
      return true;
    case 'CAPTURE_REQUESTED':
      return capturesUnsettledAndUnrefunded(state, payment);
    default:
      return false;
  }
}

/** Whether a refund may be requested now (also `statusOutput.isRefundable`): something settled is left. */
export function isRefundable(state: ConnectBooksState, payment: PaymentRecord): boolean {
  const refundableStatus = ['PENDING_CAPTURE', 'CAPTURE_REQUESTED', 'CAPTURED', 'PAID'].includes(
    payment.status,
  );
  return refundableStatus && paymentAmounts(state, payment).refundable > 0;
}

/** No capture settled and no refund asked: a CAPTURE_REQUESTED payment may still be cancelled or undone. */
export function capturesUnsettledAndUnrefunded(state: ConnectBooksState, payment: PaymentRecord): boolean {
  return (
    capturesOf(state, payment).every((c) => c.status !== 'CAPTURED') &&
    refundsOf(state, payment).every((r) => !ACTIVE_REFUND_STATUSES.includes(r.status))
  );
}

export function findPayments(
  state: ConnectBooksState,
  merchantId: string,
  filter: { merchantReference?: string; merchantOrderId?: number },
): PaymentRecord[] {
  return Object.values(state.payments).filter(
    (p) =>
      p.merchantId === merchantId &&
      (filter.merchantReference === undefined || p.merchantReference === filter.merchantReference) &&
      (filter.merchantOrderId === undefined || p.merchantOrderId === filter.merchantOrderId),
  );
}

export function transactionView(state: ConnectBooksState, payment: PaymentRecord): TransactionView {
  const amounts = paymentAmounts(state, payment);
  return {
    paymentId: payment.id,
    merchantId: payment.merchantId,
    merchantReference: payment.merchantReference,
    merchantOrderId: payment.merchantOrderId,
    instrument: payment.instrument,
    status: payment.status,
    currencyCode: payment.currencyCode,
    amount: payment.amount,
    amountAuthorized: amounts.authorized,
    amountCaptured: amounts.captured,
    amountSettled: amounts.settled,
    amountRefunded: amounts.refunded,
    amountCancelled: amounts.cancelled,
    captures: capturesOf(state, payment).map(
      ({ id, amount, status, isFinal, rejectOnSettle, createdAt }) => ({
        id,
        amount,
        status,
        isFinal,
        ...(rejectOnSettle ? { rejectOnSettle } : {}),
        createdAt,
      }),
    ),
    refunds: refundsOf(state, payment).map(
      ({ id, amount, status, merchantReference, captureId, createdAt }) => ({
        id,
        amount,
        status,
        merchantReference,
        captureId,
        createdAt,
      }),
    ),
    idempotencyHits: payment.idempotencyHits,
    createdAt: payment.createdAt,
    statusChangedAt: payment.statusChangedAt,
  };
}

/**
 * The refund `createRefund` books (status CREATED, not yet stored), after Connect's checks: what the
 * payment (or the given capture) has settled and not refunded yet, in the payment's currency.
 */
export function newRefundRecord(
  state: ConnectBooksState,
  payment: PaymentRecord,
  input: NewRefund,
  now: () => Date,
  capture?: CaptureRecord,
): RefundRecord {
  const amounts = paymentAmounts(state, payment);
  if (
    amounts.captured === 0 ||
    !['PENDING_CAPTURE', 'CAPTURE_REQUESTED', 'CAPTURED', 'PAID'].includes(payment.status) ||
    (capture && capture.status !== 'CAPTURED')
  ) {
    throw notRefundable();
  }
  if (input.currencyCode !== undefined && input.currencyCode !== payment.currencyCode) {
    throw validationError([
      invalid(
        'amountOfMoney.currencyCode',
        `currency ${input.currencyCode} differs from the payment currency ${payment.currencyCode}`,
      ),
    ]);
  }
  let refundable = amounts.refundable;
  if (capture) {
    const refundedOnCapture = sum(
      refundsOf(state, payment)
        .filter((r) => r.captureId === capture.id && ACTIVE_REFUND_STATUSES.includes(r.status))
        .map((r) => r.amount),
    );
    refundable = Math.min(refundable, capture.amount - refundedOnCapture);
  }
  const queued = capture ? 0 : amounts.captured - amounts.settled;
  const amount = input.amount ?? refundable;
  if (amount > refundable || refundable <= 0) {
    // what the queued captures will settle is not refundable yet
    if (queued > 0 && amount <= refundable + queued) throw notRefundable();
    throw validationError([
      invalid(
        'amountOfMoney.amount',
        `${amount} exceeds the refundable amount ${refundable} (settled captures minus refunds)`,
      ),
    ]);
  }
  const at = now().toISOString();
  return {
    id: `${payment.id.slice(0, 20)}000-3${String(payment.refundIds.length + 1).padStart(5, '0')}`,
    paymentId: payment.id,
    captureId: capture?.id,
    merchantId: payment.merchantId,
    amount,
    currencyCode: payment.currencyCode,
    merchantReference: input.merchantReference,
    refundDate: input.refundDate,
    status: 'CREATED',
    createdAt: at,
    statusChangedAt: at,
  };
}
