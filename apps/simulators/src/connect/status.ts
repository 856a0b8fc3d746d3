/**
 * Status models (digest §5). The enum values are the documented ones; the numeric legacy
 * `statusCode`s are documented only for payment PENDING_APPROVAL (600), refund PENDING_APPROVAL (800)
 * and payment PAID (1000); the rest follow the GlobalCollect legacy numbering as far as it is known
 * and are the simulator's choice ("You should not write new business logic based on this property").
 */

export type PaymentStatus =
  | 'CREATED'
  | 'PENDING_FRAUD_APPROVAL'
  | 'PENDING_APPROVAL'
  | 'PENDING_CAPTURE'
  | 'REJECTED'
  | 'CAPTURE_REQUESTED'
  | 'CAPTURED'
  | 'PAID'
  | 'CANCELLED'
  | 'REJECTED_CAPTURE'
  | 'REFUNDED';

export type CaptureStatus = 'CAPTURE_REQUESTED' | 'CAPTURED' | 'CANCELLED' | 'REJECTED_CAPTURE' | 'REVERSED';

export type RefundStatus =
  'CREATED' | 'PENDING_APPROVAL' | 'REJECTED' | 'REFUND_REQUESTED' | 'REFUNDED' | 'CANCELLED';

export type StatusCategory =
  | 'CREATED'
  | 'PENDING_PAYMENT'
  | 'ACCOUNT_VERIFIED'
  | 'PENDING_MERCHANT'
  | 'PENDING_CONNECT_OR_3RD_PARTY'
  | 'COMPLETED'
  | 'REVERSED'
  | 'REFUNDED'
  | 'UNSUCCESSFUL';

export const PAYMENT_STATUS: Record<PaymentStatus, { statusCode: number; category: StatusCategory }> = {
  CREATED: { statusCode: 0, category: 'CREATED' },
  REJECTED: { statusCode: 100, category: 'UNSUCCESSFUL' },
  PENDING_FRAUD_APPROVAL: { statusCode: 525, category: 'PENDING_MERCHANT' },
  PENDING_APPROVAL: { statusCode: 600, category: 'PENDING_MERCHANT' },
  PENDING_CAPTURE: { statusCode: 680, category: 'PENDING_MERCHANT' },
  CAPTURE_REQUESTED: { statusCode: 800, category: 'PENDING_CONNECT_OR_3RD_PARTY' },
  CAPTURED: { statusCode: 900, category: 'COMPLETED' },
  PAID: { statusCode: 1000, category: 'COMPLETED' },
  REJECTED_CAPTURE: { statusCode: 1100, category: 'UNSUCCESSFUL' },
  REFUNDED: { statusCode: 1800, category: 'REFUNDED' },
  CANCELLED: { statusCode: 99999, category: 'UNSUCCESSFUL' },
};

export const CAPTURE_STATUS_CODE: Record<CaptureStatus, number> = {
  CAPTURE_REQUESTED: 800,
  CAPTURED: 900,
  REJECTED_CAPTURE: 1100,
  REVERSED: 1300,
  CANCELLED: 99999,
};

export const REFUND_STATUS: Record<RefundStatus, { statusCode: number; category: StatusCategory }> = {
  CREATED: { statusCode: 0, category: 'CREATED' },
  REJECTED: { statusCode: 100, category: 'UNSUCCESSFUL' },
  PENDING_APPROVAL: { statusCode: 800, category: 'PENDING_MERCHANT' },
  REFUND_REQUESTED: { statusCode: 900, category: 'PENDING_CONNECT_OR_3RD_PARTY' },
  REFUNDED: { statusCode: 1800, category: 'REFUNDED' },
  CANCELLED: { statusCode: 99999, category: 'UNSUCCESSFUL' },
};

/** Refunds in these statuses count against the refundable amount. */
export const ACTIVE_REFUND_STATUSES: readonly RefundStatus[] = [
  'CREATED',
  'PENDING_APPROVAL',
  'REFUND_REQUESTED',
  'REFUNDED',
];

/** Captures in these statuses count as captured money. */
export const ACTIVE_CAPTURE_STATUSES: readonly CaptureStatus[] = ['CAPTURE_REQUESTED', 'CAPTURED'];

/** `statusCodeChangeDateTime` format: YYYYMMDDHH24MISS (UTC). */
export function statusDateTime(iso: string): string {
  return iso.replace(/[-:T]/g, '').slice(0, 14);
}
