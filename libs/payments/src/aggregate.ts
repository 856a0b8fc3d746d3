import { type LegRecord, type PaymentAggregate, type Prisma, type TenderRecord } from '@tender/persistence';

/**
 * The payment aggregate's reads and lock live in libs/persistence (payments/payments.ts: `loadPayment`,
 * `loadPayments`, `lockPayment`…); what is left here works on the aggregate in hand.
 */

/** The same aggregate through Prisma's `include` (bench/verify-aggregate.ts compares the two). */
export const PAYMENT_AGGREGATE_INCLUDE = {
  partnerTransactions: true,
  operations: { include: { legs: true } },
} satisfies Prisma.PaymentInclude;

/** The aggregate's order of operations and legs: `ORDER BY created_at, id`. */
export function byCreation(a: { createdAt: Date; id: string }, b: { createdAt: Date; id: string }): number {
  const at = a.createdAt.getTime() - b.createdAt.getTime();
  return at !== 0 ? at : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Replaces a tender of the aggregate with the record a store's UPDATE returned. */
export function putTender(payment: PaymentAggregate, tender: TenderRecord): void {
  const index = payment.partnerTransactions.findIndex((t) => t.id === tender.id);
  if (index >= 0) payment.partnerTransactions[index] = tender;
}

/** Replaces an operation leg of the aggregate with the record a store's UPDATE returned. */
export function putLeg(payment: PaymentAggregate, leg: LegRecord): void {
  for (const operation of payment.operations) {
    const index = operation.legs.findIndex((l) => l.id === leg.id);
    if (index >= 0) operation.legs[index] = leg;
  }
}
