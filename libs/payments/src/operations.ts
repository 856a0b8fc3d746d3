import {
  allocatableTenders as allocatableTendersOf,
  deriveOperationStatus,
  type AllocatableTender,
  type OperationKind,
  type OperationLegStatus,
  type OperationPlan,
  type OperationType,
} from '@tender/domain';
import { partnerJob, type QueuedJob } from '@tender/infra';
import { methodDefinition } from '@tender/partners';
import { insertOperation, newId, type Sql } from '@tender/persistence';
import { byCreation } from './aggregate';
import { paymentState } from './payment-state';
import type { OperationWithLegs, PaymentAggregate } from './presenter';

export { releasesAfterCapture, type OperationPlan, type OperationType } from '@tender/domain';

export const OPERATION_KIND: Record<OperationType, OperationKind> = {
  CAPTURE: 'capture',
  VOID: 'void',
  REFUND: 'refund',
};

/** What each tender of the payment still allows for an operation of `type` (see libs/domain). */
export function allocatableTenders(payment: PaymentAggregate, type: OperationType): AllocatableTender[] {
  return allocatableTendersOf(paymentState(payment), type);
}

/**
 * Writes an operation and its legs and returns the jobs that execute them. A leg that needs no partner
 * call is written settled: capturing an immediate debit (a gift card redeem already moved the money)
 * is bookkeeping, so it is SUCCESS at once and gets no job.
 */
export async function writeOperation(
  tx: Sql,
  payment: PaymentAggregate,
  plan: OperationPlan,
): Promise<{ operationId: string; operation: OperationWithLegs; jobs: QueuedJob[] }> {
  const operationId = newId();
  const tenderOf = new Map(payment.partnerTransactions.map((t) => [t.id, t]));
  const legs = plan.legs.map((leg) => {
    const tender = tenderOf.get(leg.tenderId)!;
    const local =
      plan.type === 'CAPTURE' &&
      !!methodDefinition(tender.partner, tender.method)?.capabilities.immediateDebit;
    const status: OperationLegStatus = local ? 'SUCCESS' : 'PENDING';
    return { id: newId(), tenderId: leg.tenderId, partner: tender.partner, amount: leg.amount, status };
  });
  // One round trip: the operation, then its legs; both come back as records.
  const written = await insertOperation(tx, {
    id: operationId,
    paymentId: payment.id,
    type: plan.type,
    amount: plan.amount,
    merchantReference: plan.merchantReference ?? null,
    order: plan.order,
    status: deriveOperationStatus(legs.map((leg) => leg.status)),
    triggeredBy: plan.triggeredBy,
    legs,
  });
  const jobs = legs
    .filter((leg) => leg.status === 'PENDING')
    .map((leg) => partnerJob(leg.partner, { kind: 'operation', legId: leg.id }));
  const operation = { ...written.operation, legs: written.legs.sort(byCreation) };
  return { operationId, operation, jobs };
}
