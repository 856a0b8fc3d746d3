import {
  availableFor,
  deriveOperationStatus,
  type AllocatableTender,
  type OperationKind,
  type OperationLegStatus,
} from '@tender/domain';
import { partnerJob, type QueuedJob } from '@tender/infra';
import { methodDefinition } from '@tender/partners';
import { json, newId, toMinor, valuesList, type Sql } from '@tender/persistence';
import { LEG_ROW, OPERATION_ROW, operationFromRows } from './aggregate';
import type { OperationWithLegs, PaymentAggregate } from './presenter';

export type OperationType = 'CAPTURE' | 'VOID' | 'REFUND';

export const OPERATION_KIND: Record<OperationType, OperationKind> = {
  CAPTURE: 'capture',
  VOID: 'void',
  REFUND: 'refund',
};

const LIVE_LEG_STATUSES = ['PENDING', 'UNKNOWN', 'SUCCESS'];

/**
 * What each tender still allows, counting operations in flight as already done (a reservation):
 * two concurrent requests can never both take the same amount, since both decide under the
 * payment's row lock and the second sees the first's pending legs.
 */
export function allocatableTenders(payment: PaymentAggregate, type: OperationType): AllocatableTender[] {
  const legsOf = (tenderId: string, opType: OperationType, statuses: string[]) =>
    payment.operations
      .filter((o) => o.type === opType)
      .flatMap((o) => o.legs)
      .filter((leg) => leg.partnerTransactionId === tenderId && statuses.includes(leg.status));
  const sum = (legs: Array<{ amount: bigint }>) =>
    legs.reduce((total, leg) => total + toMinor(leg.amount), 0);

  return payment.partnerTransactions.flatMap((tender) => {
    const definition = methodDefinition(tender.partner, tender.method);
    if (!definition) return [];
    const holds =
      tender.status === 'AUTHORIZED' || (type === 'VOID' && tender.status === 'PENDING_FRAUD_APPROVAL');
    const captures = legsOf(tender.id, 'CAPTURE', LIVE_LEG_STATUSES);
    const refunds = legsOf(tender.id, 'REFUND', LIVE_LEG_STATUSES);

    return [
      {
        id: tender.id,
        partner: tender.partner,
        method: tender.method,
        kind: definition.kind,
        capabilities: definition.capabilities,
        authorized: holds || tender.status === 'CANCELLED' ? toMinor(tender.amount) : 0,
        // Pending captures count too: a refund on one waits until it settles (saga: releaseWaitingRefunds).
        captured: sum(captures),
        voided: sum(legsOf(tender.id, 'VOID', LIVE_LEG_STATUSES)),
        refunded: sum(refunds),
        captureCount: captures.length,
        refundCount: refunds.length,
        position: tender.position,
        lastCapturedAt: Math.max(0, ...captures.map((leg) => leg.updatedAt.getTime())),
      },
    ];
  });
}

export interface OperationPlan {
  type: OperationType;
  amount: number;
  legs: Array<{ tenderId: string; amount: number }>;
  triggeredBy: 'MERCHANT' | 'SYSTEM';
  merchantReference?: string;
  order?: unknown;
}

/**
 * A capture on a tender that captures only once releases the rest of that tender at the partner:
 * that release is recorded as a SYSTEM void, so the amounts say where the money went.
 */
export function releasesAfterCapture(
  tenders: AllocatableTender[],
  allocations: Array<{ tenderId: string; amount: number }>,
): OperationPlan | undefined {
  const legs = allocations.flatMap((a) => {
    const tender = tenders.find((t) => t.id === a.tenderId)!;
    const rest = availableFor('capture', tender) - a.amount;
    return !tender.capabilities.multipleCaptures && rest > 0 ? [{ tenderId: tender.id, amount: rest }] : [];
  });
  if (legs.length === 0) return undefined;
  return { type: 'VOID', amount: legs.reduce((s, l) => s + l.amount, 0), legs, triggeredBy: 'SYSTEM' };
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
  const operation = await operationFromRows(
    tx,
    written[0].operation,
    written.map((w) => w.leg),
  );
  return { operationId, operation, jobs };
}
