import type { Prisma } from '@tender/persistence';
import type { PaymentAggregate } from './presenter';

export const PAYMENT_AGGREGATE_INCLUDE = {
  partnerTransactions: true,
  operations: { include: { legs: true } },
} satisfies Prisma.PaymentInclude;

/** A payment with everything its API view and money decisions need, in one query. */
export function findPaymentAggregate(
  db: Prisma.TransactionClient,
  id: string,
  entityId?: string,
): Promise<PaymentAggregate | null> {
  return db.payment.findFirst({
    where: { id, ...(entityId ? { entityId } : {}) },
    include: PAYMENT_AGGREGATE_INCLUDE,
  });
}

/** Takes the payment's row lock for the rest of the transaction: every money decision is made under it. */
export async function lockPayment(
  tx: Prisma.TransactionClient,
  id: string,
  entityId?: string,
): Promise<boolean> {
  const rows = entityId
    ? await tx.$queryRaw<
        unknown[]
      >`SELECT 1 FROM payment WHERE id = ${id}::uuid AND entity_id = ${entityId}::uuid FOR UPDATE`
    : await tx.$queryRaw<unknown[]>`SELECT 1 FROM payment WHERE id = ${id}::uuid FOR UPDATE`;
  return rows.length === 1;
}
