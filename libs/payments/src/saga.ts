import { decideSagaStep, type SagaStep } from '@tender/domain';
import { partnerJob, type QueuedJob } from '@tender/infra';
import {
  bumpPaymentVersion,
  cancelTender,
  cancelUnsentTenders,
  failUnsentLeg,
  setOperationStatus,
  setPaymentStatus,
  setSessionStatus,
  type Sql,
  type Statement,
} from '@tender/persistence';
import { byCreation } from './aggregate';
import { recordSessionStatusEvent } from './events';
import { writeOperation } from './operations';
import { paymentState } from './payment-state';
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
 * One step of the split-payment saga (libs/domain decideSagaStep decides; this writes it), under the
 * payment's row lock after any tender or leg changed. It keeps `payment` current with what it writes,
 * so the caller needs no re-read; its row updates come back as `writes`, stamped with one time.
 */
export async function advancePayment(tx: Sql, payment: PaymentAggregate): Promise<Advanced> {
  const now = new Date();
  const step = await decideWithUnsentCancelled(tx, payment, now);
  const jobs: QueuedJob[] = [];
  const writes: Statement[] = [];
  const tenderOf = (id: string) => payment.partnerTransactions.find((t) => t.id === id)!;
  const legs = new Map(payment.operations.flatMap((o) => o.legs).map((leg) => [leg.id, leg]));

  for (const { legId, partner } of step.sendRefunds) {
    const job = partnerJob(partner, { kind: 'operation', legId });
    jobs.push({ ...job, jobId: `${job.jobId}-after-captures` });
  }
  for (const failed of step.failRefunds) {
    Object.assign(legs.get(failed.legId)!, {
      status: 'FAILED',
      partnerStatus: failed.partnerStatus,
      partnerStatusDescription: failed.partnerStatusDescription,
      updatedAt: now,
    });
    writes.push(failUnsentLeg(failed.legId, failed.partnerStatus, failed.partnerStatusDescription, now));
  }
  for (const { operationId, status } of step.operationStatuses) {
    Object.assign(
      payment.operations.find((o) => o.id === operationId)!,
      { status, updatedAt: now },
    );
    writes.push(setOperationStatus(operationId, status, now));
  }
  for (const tenderId of step.cancelVoided) {
    Object.assign(tenderOf(tenderId), { status: 'CANCELLED', updatedAt: now });
    writes.push(cancelTender(tenderId, now));
  }
  for (const plan of step.newOperations) {
    const written = await writeOperation(tx, payment, plan);
    payment.operations = [...payment.operations, written.operation].sort(byCreation);
    jobs.push(...written.jobs);
  }
  for (const { tenderId, partner } of step.authorize) {
    jobs.push(partnerJob(partner, { kind: 'authorize', tenderId }));
  }

  if (step.paymentStatus) {
    const { status, failure } = step.paymentStatus;
    writes.push(setPaymentStatus(payment.id, status, failure, now));
    payment.authorizationUpdatedAt = now;
    if (failure) payment.failure = failure as unknown as PaymentAggregate['failure'];
    payment.status = status;
    if (payment.clientSessionId && step.sessionStatus) {
      const ended = await setSessionStatus(tx, payment.clientSessionId, 'SUBMITTED', step.sessionStatus);
      if (ended) jobs.push(...(await recordSessionStatusEvent(tx, payment.clientSessionId)));
    }
  } else if (step.changed) {
    writes.push(bumpPaymentVersion(payment.id, now));
  }
  if (step.changed) {
    // The payment in hand as its UPDATE leaves it (read under the lock, so its version is the row's).
    payment.version += 1;
    payment.updatedAt = now;
  }
  return { jobs, changed: step.changed, writes };
}

/**
 * Decides the step, first cancelling the never-sent tenders it names: atomically and only if still
 * unclaimed (a claim does not take the payment lock). A tender claimed meanwhile is in flight: it is
 * compensated once it settles, and the step is decided again knowing it was sent.
 */
async function decideWithUnsentCancelled(tx: Sql, payment: PaymentAggregate, now: Date): Promise<SagaStep> {
  let cancelledBefore = false;
  for (;;) {
    const step = decideSagaStep(paymentState(payment));
    if (step.cancelUnsent.length === 0) return { ...step, changed: step.changed || cancelledBefore };
    const done = new Set(await cancelUnsentTenders(tx, step.cancelUnsent, now));
    for (const id of step.cancelUnsent) {
      const tender = payment.partnerTransactions.find((t) => t.id === id)!;
      if (done.has(id)) Object.assign(tender, { status: 'CANCELLED', updatedAt: now });
      else tender.attempts = Math.max(tender.attempts, 1); // claimed meanwhile: in flight
    }
    if (done.size === step.cancelUnsent.length) return { ...step, cancelUnsent: [] };
    cancelledBefore ||= done.size > 0;
  }
}
