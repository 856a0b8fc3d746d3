import {
  allocateOperation,
  deriveAuthorizationStatus,
  deriveOperationStatus,
  tendersToAuthorizeNow,
  type OperationLegStatus,
  type TenderStatus,
} from '@tender/domain';
import { partnerJob, type QueuedJob } from '@tender/infra';
import { methodDefinition } from '@tender/partners';
import { json, toMinor, type Sql, type Statement } from '@tender/persistence';
import { byCreation } from './aggregate';
import { recordSessionStatusEvent } from './events';
import { allocatableTenders, releasesAfterCapture, writeOperation, type OperationPlan } from './operations';
import type { PaymentAggregate } from './presenter';

/**
 * What advancing a payment decided: jobs to enqueue after the commit, whether anything changed, and
 * the updates the caller must still run in the same transaction (`combine` them with its own writes).
 */
export interface Advanced {
  jobs: QueuedJob[];
  changed: boolean;
  writes: Statement[];
}

/**
 * The split-payment saga, one step (it keeps `payment` current with what it writes, so the caller needs
 * no re-read; its row updates come back as `writes`, stamped with the same time as `payment`): called under the payment's row lock after any tender or leg
 * changed. It derives the payment status from its tenders and decides what comes next:
 * - still pending: authorize the next tenders (holds first, then immediate debits);
 * - refused: compensate (void / reverse) every tender that holds money, cancel those never sent;
 * - authorized: with capture_mode AUTOMATIC, capture everything;
 * - operations: their status follows their legs; a fully voided tender becomes CANCELLED.
 * It is idempotent: running it twice on the same state decides nothing new.
 */
export async function advancePayment(tx: Sql, payment: PaymentAggregate): Promise<Advanced> {
  const jobs: QueuedJob[] = [];
  const writes: Statement[] = [];
  const now = new Date();
  let changed = false;

  const released = releaseWaitingRefunds(payment, now);
  jobs.push(...released.jobs);
  writes.push(...released.writes);
  changed ||= released.changed;

  // Operations follow their legs.
  for (const operation of payment.operations) {
    const status = deriveOperationStatus(operation.legs.map((l) => l.status as OperationLegStatus));
    if (status !== operation.status) {
      writes.push({
        sql: 'UPDATE operation SET status = $2::text, updated_at = $3::timestamptz WHERE id = $1::uuid',
        values: [operation.id, status, now],
      });
      operation.status = status;
      operation.updatedAt = now;
      changed = true;
    }
  }

  // A tender whose whole authorization was voided (nothing captured) is CANCELLED.
  for (const tender of payment.partnerTransactions) {
    if (
      tender.status !== 'AUTHORIZED' &&
      tender.status !== 'PENDING_FRAUD_APPROVAL' &&
      tender.status !== 'REQUIRES_ACTION'
    )
      continue;
    const legs = payment.operations.flatMap((o) => o.legs.map((l) => ({ ...l, type: o.type })));
    const settled = (type: string) =>
      legs
        .filter((l) => l.partnerTransactionId === tender.id && l.type === type && l.status === 'SUCCESS')
        .reduce((s, l) => s + toMinor(l.amount), 0);
    if (settled('VOID') > 0 && settled('VOID') === toMinor(tender.amount) && settled('CAPTURE') === 0) {
      writes.push(cancelTender(tender, now));
      changed = true;
    }
  }

  let derived = deriveAuthorizationStatus(payment.partnerTransactions.map((t) => t.status as TenderStatus));

  if (derived === 'REFUSED' || (payment.cancelRequestedAt && derived !== 'CANCELLED')) {
    // A failed split, or a payment whose session the merchant aborted: undo whatever holds money.
    const compensation = await compensate(tx, payment, now);
    jobs.push(...compensation.jobs);
    writes.push(...compensation.writes);
    changed ||= compensation.changed;
  } else if (derived === 'PENDING') {
    const next = tendersToAuthorizeNow(
      payment.partnerTransactions.map((t) => ({
        id: t.id,
        status: t.status as TenderStatus,
        immediateDebit: methodDefinition(t.partner, t.method)?.capabilities.immediateDebit ?? false,
      })),
    );
    for (const id of next) {
      const tender = payment.partnerTransactions.find((t) => t.id === id)!;
      if (tender.attempts === 0) jobs.push(partnerJob(tender.partner, { kind: 'authorize', tenderId: id }));
    }
  } else if (
    derived === 'AUTHORIZED' &&
    payment.status !== 'AUTHORIZED' &&
    payment.captureMode === 'AUTOMATIC'
  ) {
    jobs.push(...(await captureEverything(tx, payment)));
    changed = true;
  }

  derived = deriveAuthorizationStatus(payment.partnerTransactions.map((t) => t.status as TenderStatus));
  // A cancelled payment never shows as authorized while its voids are on their way.
  if (payment.cancelRequestedAt && derived === 'AUTHORIZED') derived = payment.status as typeof derived;
  const statusChanged = derived !== payment.status;
  if (statusChanged) {
    const failure = derived === 'REFUSED' ? failureOf(payment) : undefined;
    writes.push({
      sql: `UPDATE payment SET status = $2::text, authorization_updated_at = $3::timestamptz,
                   failure = COALESCE($4::jsonb, failure), version = version + 1, updated_at = $3::timestamptz
             WHERE id = $1::uuid`,
      values: [payment.id, derived, now, json(failure)],
    });
    payment.authorizationUpdatedAt = now;
    if (failure) payment.failure = failure as PaymentAggregate['failure'];
    bumpVersion(payment, now);
    if (payment.clientSessionId && (derived === 'AUTHORIZED' || derived === 'REFUSED')) {
      const ended = await tx.query(
        `UPDATE client_session SET status = $2, version = version + 1, updated_at = clock_timestamp()
          WHERE id = $1::uuid AND status = 'SUBMITTED' RETURNING id`,
        [payment.clientSessionId, derived === 'AUTHORIZED' ? 'COMPLETED' : 'FAILED'],
      );
      if (ended.length) jobs.push(...(await recordSessionStatusEvent(tx, payment.clientSessionId)));
    }
    payment.status = derived;
  } else if (changed) {
    writes.push({
      sql: 'UPDATE payment SET version = version + 1, updated_at = $2::timestamptz WHERE id = $1::uuid',
      values: [payment.id, now],
    });
    bumpVersion(payment, now);
  }
  return { jobs, changed: changed || statusChanged, writes };
}

/** The payment in hand as its UPDATE leaves it (read under the lock, so its version is the row's). */
function bumpVersion(payment: PaymentAggregate, now: Date): void {
  payment.version += 1;
  payment.updatedAt = now;
}

function cancelTender(tender: PaymentAggregate['partnerTransactions'][number], now: Date): Statement {
  tender.status = 'CANCELLED';
  tender.updatedAt = now;
  return {
    sql: `UPDATE partner_transaction SET status = 'CANCELLED', updated_at = $2::timestamptz WHERE id = $1::uuid`,
    values: [tender.id, now],
  };
}

/** Writes an operation and adds it to the payment in hand, in the aggregate's order. */
async function addOperation(tx: Sql, payment: PaymentAggregate, plan: OperationPlan): Promise<QueuedJob[]> {
  const written = await writeOperation(tx, payment, plan);
  payment.operations = [...payment.operations, written.operation].sort(byCreation);
  return written.jobs;
}

/** The tender that failed the split, named with its partner and partner status. */
function failureOf(payment: PaymentAggregate): Record<string, unknown> | undefined {
  const failed = [...payment.partnerTransactions]
    .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime())
    .find((t) => t.status === 'REFUSED' || t.status === 'FAILED');
  if (!failed) return undefined;
  return {
    partner_transaction_id: failed.id,
    partner: failed.partner,
    method: failed.method,
    status: failed.status,
    partner_status: failed.partnerStatus ?? null,
    partner_status_description: failed.partnerStatusDescription ?? null,
  };
}

/**
 * Undoes a failed split: tenders never sent are cancelled; every tender holding money (or a hosted
 * session the shopper could still complete) gets a SYSTEM void of its uncaptured rest. Tenders in
 * flight or UNKNOWN are left until they settle: this step runs again then.
 */
async function compensate(tx: Sql, payment: PaymentAggregate, now: Date): Promise<Advanced> {
  let changed = false;
  const writes: Statement[] = [];
  const legs: OperationPlan['legs'] = [];
  const voidable = allocatableTenders(payment, 'VOID');
  for (const tender of payment.partnerTransactions) {
    if (tender.status === 'PENDING' && tender.attempts === 0) {
      // Never sent, unless its job claims it right now (claims do not take the payment lock): cancel
      // it only if still unclaimed, atomically; a claimed one is compensated once it settles.
      const cancelled = await tx.query(
        `UPDATE partner_transaction SET status = 'CANCELLED', updated_at = $2::timestamptz
          WHERE id = $1::uuid AND status = 'PENDING' AND attempts = 0 RETURNING id`,
        [tender.id, now],
      );
      if (cancelled.length === 0) continue;
      tender.status = 'CANCELLED';
      tender.updatedAt = now;
      changed = true;
      continue;
    }
    const holdsMoney = ['AUTHORIZED', 'PENDING_FRAUD_APPROVAL', 'REQUIRES_ACTION'].includes(tender.status);
    if (!holdsMoney || failedVoids(payment, tender.id) >= MAX_COMPENSATION_ATTEMPTS) continue;
    // A hosted page the shopper may still complete holds nothing yet, but must be closed (voided) all the same.
    const figures = voidable.find((t) => t.id === tender.id);
    const rest =
      tender.status === 'REQUIRES_ACTION'
        ? toMinor(tender.amount) - sumLegs(payment, tender.id, 'VOID')
        : figures
          ? figures.authorized - figures.captured - figures.voided
          : 0;
    if (rest > 0) legs.push({ tenderId: tender.id, amount: rest });
  }
  if (legs.length === 0) return { jobs: [], changed, writes };
  const plan: OperationPlan = {
    type: 'VOID',
    amount: legs.reduce((s, l) => s + l.amount, 0),
    legs,
    triggeredBy: 'SYSTEM',
    merchantReference: 'split-refused-compensation',
  };
  return { jobs: await addOperation(tx, payment, plan), changed: true, writes };
}

/** After this many refused voids on a tender, compensation stops and the payment's failure awaits an operator. */
const MAX_COMPENSATION_ATTEMPTS = 3;

function failedVoids(payment: PaymentAggregate, tenderId: string): number {
  return payment.operations
    .filter((o) => o.type === 'VOID')
    .flatMap((o) => o.legs)
    .filter((l) => l.partnerTransactionId === tenderId && l.status === 'FAILED').length;
}

function sumLegs(payment: PaymentAggregate, tenderId: string, type: string): number {
  return payment.operations
    .filter((o) => o.type === type)
    .flatMap((o) => o.legs)
    .filter((l) => l.partnerTransactionId === tenderId && l.status !== 'FAILED')
    .reduce((s, l) => s + toMinor(l.amount), 0);
}

/**
 * Refunds wait for the captures they draw on: a partner refuses to refund a capture it has not settled
 * (Connect's CAPTURE_REQUESTED), so a refund leg is not sent (not claimed, see CLAIM_LEG) while a
 * capture of its tender is in flight. Once none is: the refunds the settled captures cover are sent,
 * in creation order; one they no longer cover (a capture was rejected) fails without being sent.
 */
function releaseWaitingRefunds(payment: PaymentAggregate, now: Date): Advanced {
  const jobs: QueuedJob[] = [];
  const writes: Statement[] = [];
  const legs = payment.operations.flatMap((o) => o.legs.map((leg) => ({ leg, type: o.type })));
  for (const tender of payment.partnerTransactions) {
    const mine = legs.filter(({ leg }) => leg.partnerTransactionId === tender.id);
    const captures = mine.filter(({ type }) => type === 'CAPTURE').map(({ leg }) => leg);
    if (captures.some((c) => c.status === 'PENDING' || c.status === 'UNKNOWN')) continue;
    const lastSettled = Math.max(0, ...captures.map((c) => c.updatedAt.getTime()));
    const refunds = mine.filter(({ type }) => type === 'REFUND').map(({ leg }) => leg);
    // Waiting: never sent, and created before a capture of its tender settled.
    const waiting = refunds.filter(
      (r) => r.status === 'PENDING' && r.attempts === 0 && r.createdAt.getTime() < lastSettled,
    );
    if (waiting.length === 0) continue;
    const captured = captures
      .filter((c) => c.status === 'SUCCESS')
      .reduce((s, c) => s + toMinor(c.amount), 0);
    let committed = refunds
      .filter((r) => !waiting.includes(r) && r.status !== 'FAILED')
      .reduce((s, r) => s + toMinor(r.amount), 0);
    for (const refund of waiting) {
      if (committed + toMinor(refund.amount) <= captured) {
        committed += toMinor(refund.amount);
        const job = partnerJob(tender.partner, { kind: 'operation', legId: refund.id });
        jobs.push({ ...job, jobId: `${job.jobId}-after-captures` });
        continue;
      }
      refund.status = 'FAILED';
      refund.partnerStatus = 'capture_not_settled';
      refund.partnerStatusDescription = 'the capture this refund drew on did not succeed: nothing was sent';
      refund.updatedAt = now;
      writes.push({
        sql: `UPDATE operation_transaction SET status = 'FAILED', partner_status = $2::text,
                     partner_status_description = $3::text, updated_at = $4::timestamptz
               WHERE id = $1::uuid AND status = 'PENDING' AND attempts = 0`,
        values: [refund.id, refund.partnerStatus, refund.partnerStatusDescription, now],
      });
    }
  }
  return { jobs, writes, changed: writes.length > 0 };
}

/** capture_mode AUTOMATIC: capture the whole payment once every tender is authorized. */
async function captureEverything(tx: Sql, payment: PaymentAggregate): Promise<QueuedJob[]> {
  const alreadyCapturing = payment.operations.some((o) => o.type === 'CAPTURE' && o.triggeredBy === 'SYSTEM');
  if (alreadyCapturing) return [];
  const tenders = allocatableTenders({ ...payment, status: 'AUTHORIZED' }, 'CAPTURE');
  const amount = tenders.reduce((s, t) => s + t.authorized - t.captured - t.voided, 0);
  if (amount <= 0) return [];
  const allocation = allocateOperation('capture', amount, tenders);
  if (!allocation.ok) return [];
  const plan: OperationPlan = {
    type: 'CAPTURE',
    amount,
    legs: allocation.allocations.map((a) => ({ tenderId: a.tenderId, amount: a.amount })),
    triggeredBy: 'SYSTEM',
    merchantReference: 'automatic-capture',
  };
  const jobs = await addOperation(tx, payment, plan);
  const release = releasesAfterCapture(tenders, allocation.allocations);
  if (release) jobs.push(...(await addOperation(tx, payment, release)));
  return jobs;
}
