import {
  canTransition,
  UNSETTLED_LEG_STATUSES,
  UNSETTLED_TENDER_STATUSES,
  type OperationLegStatus,
  type TenderStatus,
} from '@tender/domain';
import { partnerJob, type Outbox, type PartnerJob, type QueuedJob } from '@tender/infra';
import {
  findOutcomeTarget,
  insertAuditLog,
  isUuid,
  listGivenUpOutcomes,
  newId,
  resolveOutcomeByOperator,
  restartOutcomeChecks,
  toMinor,
  type Database,
  type OutcomeKind,
  type Sql,
} from '@tender/persistence';
import { putLeg, putTender } from './aggregate';
import { changePayment } from './change';
import type { PaymentAggregate } from './presenter';

/** A refusal of an operator's request on an outcome (not found, not open, invalid input): the CLI and console say it as is. */
export class OutcomeActionError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Outcomes the reconciler gave up on (docs/money-safety.md, rule 6), for an operator (the CLI's
 * `tender unknown …` and the console's Needs attention): list them, look one up again, or settle one by hand. A settlement goes through `changePayment`, as the worker's
 * does (payment row lock, saga step, merchant events), and is recorded in `audit_log` in the same
 * transaction.
 *
 * Jobs (the lookup of a retry, the voids and webhooks a settlement leads to) are written to the
 * outbox only: the CLI never talks to Redis, the worker's outbox relay enqueues them within a few
 * seconds, whether or not Redis was reachable from here.
 */

export type { OutcomeKind };
export type Resolution = 'succeeded' | 'failed';
export const RESOLUTIONS: readonly Resolution[] = ['succeeded', 'failed'];

/** A tender in one of these, or a leg in PENDING / UNKNOWN, with `last_error.gave_up`, awaits an operator. */

export interface OpenOutcome {
  /** The tender (partner transaction) or the operation leg. */
  id: string;
  kind: OutcomeKind;
  payment_id: string;
  entity_id: string;
  partner: string;
  method: string;
  /** The tender a leg belongs to (for an authorization, its own id). */
  tender_id: string;
  operation_id: string | null;
  /** Minor units. */
  amount: number;
  currency: string;
  status: string;
  /** Why the last lookup settled nothing (`last_error.reason`). */
  reason: string | null;
  /** Lookups and waits the reconciler made before giving up. */
  checks: number;
  /** Calls sent to the partner. */
  attempts: number;
  partner_reference: string | null;
  /** Since when the outcome is open: a tender's `unknown_since` (else its creation), a leg's creation. */
  unknown_since: string;
  age_seconds: number;
  /** When the reconciler gave up (its last check). */
  gave_up_at: string | null;
}

/** Outcomes the reconciler gave up on, still open: oldest first (the longest-waiting money first). */
export async function listOpenOutcomes(
  db: Sql,
  filters: { entityId?: string; partner?: string } = {},
): Promise<OpenOutcome[]> {
  if (filters.entityId !== undefined && !isUuid(filters.entityId)) {
    throw new OutcomeActionError('invalid', '--entity must be an entity id (a uuid)');
  }
  const rows = await listGivenUpOutcomes(db, filters, UNSETTLED_TENDER_STATUSES, UNSETTLED_LEG_STATUSES);
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    payment_id: row.payment_id,
    entity_id: row.entity_id,
    partner: row.partner,
    method: row.method,
    tender_id: row.tender_id,
    operation_id: row.operation_id,
    amount: toMinor(BigInt(row.amount)),
    currency: row.currency,
    status: row.status,
    reason: row.last_error?.reason ?? null,
    checks: row.last_error?.checks ?? 0,
    attempts: row.attempts,
    partner_reference: row.partner_reference,
    unknown_since: row.unknown_since.toISOString(),
    age_seconds: row.age_seconds,
    gave_up_at: row.last_error?.at ?? null,
  }));
}

/** What an operator's command did, as the CLI prints it. */
interface QueuedJobView {
  queue: string;
  name: string;
  job_id: string;
}

export interface RetriedOutcome {
  id: string;
  kind: OutcomeKind;
  payment_id: string;
  status: string;
  /** Written to the outbox; the worker's relay enqueues them. */
  queued: QueuedJobView[];
  audit_log_id: string;
}

export interface ResolvedOutcome {
  id: string;
  kind: OutcomeKind;
  payment_id: string;
  status_before: string;
  status: string;
  resolved: { as: Resolution; by: string; reason: string; at: string };
  /** The payment's authorization status after the saga step. */
  payment_status: string;
  queued: QueuedJobView[];
  audit_log_id: string;
}

interface Operator {
  by: string;
  reason?: string;
  /** The console's signed-in operator (audit_log.operator_id); the CLI has none. */
  operatorId?: string;
}

/**
 * Looks a given-up outcome up again: the reconciler's bookkeeping starts over (checks 0, no longer
 * given up, next check now) and its lookup job goes to the outbox. The lookup then follows the rules
 * of docs/money-safety.md, as any scheduled one: it may resend or reverse once the lease has expired.
 */
export async function retryOutcome(
  db: Database,
  outbox: Pick<Outbox, 'writeWith'>,
  id: string,
  operator: Operator,
): Promise<RetriedOutcome> {
  const target = await findTarget(db, id);
  const auditId = newId();
  let status = '';
  const committed = await changePayment(db, outbox, target.paymentId, async (tx, payment) => {
    const current = openRowOf(payment, target);
    put(payment, await restartOutcomeChecks(tx, target.table, id));
    status = current.status;
    await audit(tx, auditId, 'unknown.retry', target, operator, { kind: target.kind, status });
    return [lookupJob(target)];
  });
  return {
    id,
    kind: target.kind,
    payment_id: target.paymentId,
    status,
    queued: committed.jobs.map(viewOf),
    audit_log_id: auditId,
  };
}

/**
 * Settles a given-up outcome by hand, as the worker settles one it learns from the partner.
 * - authorization succeeded → AUTHORIZED: the partner holds (or debited) the money; the payment
 *   continues as if the partner had said so (the next tenders are sent, or it is voided if the
 *   split already failed). failed → FAILED: no money is held; a split is refused and compensated.
 * - capture / void / refund succeeded → SUCCESS: the money moved (captured; released or given back
 *   to the shopper). failed → FAILED: nothing moved (the hold stands, nothing was refunded).
 * The reason is recorded in `partner_status_description` (which the merchant sees) and, with the
 * operator, in `last_error.resolved` and `audit_log`.
 */
export async function resolveOutcome(
  db: Database,
  outbox: Pick<Outbox, 'writeWith'>,
  id: string,
  resolution: { as: Resolution; partnerReference?: string },
  operator: Operator & { reason: string },
): Promise<ResolvedOutcome> {
  if (!RESOLUTIONS.includes(resolution.as)) {
    throw new OutcomeActionError('invalid', `--as must be one of ${RESOLUTIONS.join(', ')}`);
  }
  const target = await findTarget(db, id);
  if (resolution.partnerReference !== undefined && target.kind !== 'authorization') {
    throw new OutcomeActionError('invalid', '--partner-reference applies to an authorization only');
  }
  const isTender = target.table === 'partner_transaction';
  const status = resolution.as === 'failed' ? 'FAILED' : isTender ? 'AUTHORIZED' : 'SUCCESS';
  const resolved = {
    as: resolution.as,
    by: operator.by,
    reason: operator.reason,
    at: new Date().toISOString(),
  };
  const auditId = newId();
  let before = '';
  const committed = await changePayment(db, outbox, target.paymentId, async (tx, payment) => {
    const current = openRowOf(payment, target);
    before = current.status;
    const allowed = isTender
      ? canTransition('tender', before as TenderStatus, status as TenderStatus)
      : canTransition('operationLeg', before as OperationLegStatus, status as OperationLegStatus);
    if (!allowed) {
      throw new OutcomeActionError('conflict', `a ${before} ${target.kind} cannot become ${status}`);
    }
    const known = current.partnerReference;
    if (resolution.partnerReference && known && known !== resolution.partnerReference) {
      throw new OutcomeActionError(
        'conflict',
        `--partner-reference ${resolution.partnerReference} differs from the one the partner gave: ${known}`,
      );
    }
    const updated = await resolveOutcomeByOperator(tx, target.table, id, {
      status,
      description: `resolved by an operator as ${resolution.as}: ${operator.reason}`,
      resolved,
      partnerReference: isTender ? resolution.partnerReference : undefined,
    });
    put(payment, updated);
    await audit(tx, auditId, 'unknown.resolve', target, operator, {
      kind: target.kind,
      as: resolution.as,
      status_before: before,
      status_after: status,
      ...(resolution.partnerReference ? { partner_reference: resolution.partnerReference } : {}),
    });
  });
  return {
    id,
    kind: target.kind,
    payment_id: target.paymentId,
    status_before: before,
    status,
    resolved,
    payment_status: committed.state.status,
    queued: committed.jobs.map(viewOf),
    audit_log_id: auditId,
  };
}

interface Target {
  table: 'partner_transaction' | 'operation_transaction';
  id: string;
  kind: OutcomeKind;
  paymentId: string;
  partner: string;
}

/** The tender or leg with this id (ids are uuids, unique across both tables). */
async function findTarget(db: Sql, id: string): Promise<Target> {
  if (!isUuid(id))
    throw new OutcomeActionError('invalid', '--id must be a tender or operation leg id (a uuid)');
  const row = await findOutcomeTarget(db, id);
  if (!row) throw new OutcomeActionError('not_found', `no tender or operation leg with id ${id}`);
  return { ...row, id };
}

/** The row as read under the payment's lock; refused unless it is an open outcome the reconciler gave up on. */
function openRowOf(
  payment: PaymentAggregate,
  target: Target,
): { status: string; lastError: unknown; nextCheckAt: Date | null; partnerReference: string | null } {
  const row =
    target.table === 'partner_transaction'
      ? payment.partnerTransactions.find((t) => t.id === target.id)
      : payment.operations.flatMap((o) => o.legs).find((l) => l.id === target.id);
  if (!row) throw new OutcomeActionError('not_found', `no tender or operation leg with id ${target.id}`);
  const open = (
    (target.table === 'partner_transaction'
      ? UNSETTLED_TENDER_STATUSES
      : UNSETTLED_LEG_STATUSES) as readonly string[]
  ).includes(row.status);
  if (!open) {
    throw new OutcomeActionError(
      'conflict',
      `${target.id} is not an open outcome: the ${target.kind} is ${row.status}`,
    );
  }
  if ((row.lastError as { gave_up?: boolean } | null)?.gave_up !== true) {
    const next = row.nextCheckAt ? ` (next lookup at ${row.nextCheckAt.toISOString()})` : '';
    throw new OutcomeActionError(
      'conflict',
      `${target.id} is not an open outcome: the reconciler has not given up on this ${row.status} ${target.kind}${next}`,
    );
  }
  return row;
}

function put(payment: PaymentAggregate, changed: Awaited<ReturnType<typeof restartOutcomeChecks>>): void {
  if (changed.table === 'partner_transaction') putTender(payment, changed.row);
  else putLeg(payment, changed.row);
}

/** The reconciler's lookup, under a job id of its own (an earlier job with the plain id may still be kept). */
function lookupJob(target: Target): QueuedJob {
  const job: PartnerJob =
    target.table === 'partner_transaction'
      ? { kind: 'reconcile-authorization', tenderId: target.id }
      : { kind: 'reconcile-operation', legId: target.id };
  const queued = partnerJob(target.partner, job);
  return { ...queued, jobId: `${queued.jobId}-retry-${Date.now()}` };
}

async function audit(
  tx: Sql,
  id: string,
  action: string,
  target: Target,
  operator: Operator,
  details: Record<string, unknown>,
): Promise<void> {
  await insertAuditLog(tx, {
    id,
    actor: operator.by,
    action,
    targetType: target.table,
    targetId: target.id,
    paymentId: target.paymentId,
    reason: operator.reason ?? null,
    details,
    operatorId: operator.operatorId ?? null,
  });
}

function viewOf(job: QueuedJob): QueuedJobView {
  return { queue: job.queue, name: job.name, job_id: job.jobId };
}
