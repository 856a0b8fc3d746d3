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
import { json, newId, valuesList, type Sql } from '@tender/persistence';
import { LEG_ROW, OPERATION_ROW, operationFromRows } from './aggregate';
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
  const rows = valuesList(
    ['uuid', 'uuid', 'bigint', 'text', 'text'],
    legs.map((leg) => [leg.id, leg.tenderId, leg.amount, leg.id.replace(/-/g, ''), leg.status]),
    8,
  );
  // One round trip: the operation, then its legs; both come back as the aggregate holds them.
  const written = await tx.query<{ operation: Record<string, unknown>; leg: Record<string, unknown> }>(
    `WITH operation_row AS (
       INSERT INTO operation (id, payment_id, type, amount, merchant_reference, "order", status, triggered_by,
                              created_at, updated_at)
       VALUES ($1::uuid, $2::uuid, $3::text, $4::bigint, $5::text, $6::jsonb, $8::text, $7::text,
               clock_timestamp(), clock_timestamp())
       RETURNING id, ${OPERATION_ROW})
     INSERT INTO operation_transaction (id, operation_id, partner_transaction_id, amount, reference, status,
                                        created_at, updated_at)
     SELECT v.id, operation_row.id, v.tender_id, v.amount, v.reference, v.status, clock_timestamp(), clock_timestamp()
       FROM operation_row, (VALUES ${rows.sql}) AS v(id, tender_id, amount, reference, status)
     RETURNING ${LEG_ROW.replace(' AS row', ' AS leg')}, (SELECT row FROM operation_row) AS operation`,
    [
      operationId,
      payment.id,
      plan.type,
      plan.amount,
      plan.merchantReference ?? null,
      json(plan.order),
      plan.triggeredBy,
      deriveOperationStatus(legs.map((leg) => leg.status)),
      ...rows.values,
    ],
  );
  const jobs = legs
    .filter((leg) => leg.status === 'PENDING')
    .map((leg) => partnerJob(leg.partner, { kind: 'operation', legId: leg.id }));
  const operation = operationFromRows(
    written[0].operation,
    written.map((w) => w.leg),
  );
  return { operationId, operation, jobs };
}
