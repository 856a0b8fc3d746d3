import type { Outbox, QueuedJob } from '@tender/infra';
import type { PaymentSignalState } from '@tender/observability';
import { loadPayment, lockPaymentStatement, type Database, type Sql } from '@tender/persistence';
import { paymentEventsWrite, type WebhookConfig } from './events';
import { presentPayment, type PaymentAggregate } from './presenter';
import { advancePayment } from './saga';

/**
 * Changes the payment's rows and keeps `payment` (a copy of what was read under the lock) current
 * with the rows its UPDATEs return (`putTender`, `putLeg`): the saga decides on it. May return jobs
 * of its own; throwing rolls everything back.
 */
export type PaymentChangeApply = (tx: Sql, payment: PaymentAggregate) => Promise<QueuedJob[] | void>;

/** A committed change: its jobs (written to the outbox as `outboxIds`) and the payment's state after it. */
export interface CommittedPaymentChange {
  jobs: QueuedJob[];
  outboxIds: string[];
  state: PaymentSignalState;
}

/**
 * The one way a payment changes (the worker's PaymentSettler and the operators' CLI both come here):
 * under the payment's row lock, apply a change, run the saga step, record the merchant events, write
 * every resulting job to the outbox, commit. Enqueueing the jobs (or leaving them to the outbox
 * relay) and signalling waiting API requests is the caller's part, after the commit.
 */
export async function changePayment(
  db: Database,
  outbox: Pick<Outbox, 'writeWith'>,
  paymentId: string,
  apply: PaymentChangeApply,
): Promise<CommittedPaymentChange> {
  return db.transaction(async (tx, locked) => {
    if (locked.length === 0) throw new Error(`payment ${paymentId} not found`);
    const before = (await loadPayment(tx, paymentId))!;
    const payment = structuredClone(before);
    const extra = (await apply(tx, payment)) ?? [];
    // The saga step keeps the payment in hand current too: no re-read. Its row updates, the events
    // and the jobs do not depend on each other: one statement.
    const advanced = await advancePayment(tx, payment);
    const after = payment;
    const view = presentPayment(after);
    const webhook = after.webhook as WebhookConfig | null;
    const events = paymentEventsWrite(before, after, webhook, view);
    const jobs = [...extra, ...advanced.jobs, ...events.jobs];
    const state: PaymentSignalState = {
      status: after.status,
      needsShopper: after.partnerTransactions.some((t) => t.status === 'REQUIRES_ACTION'),
      operations: Object.fromEntries(after.operations.map((o) => [o.id, o.status])),
      view,
    };
    const outboxIds = await outbox.writeWith(tx, jobs, [...advanced.writes, events.statement]);
    return { jobs, state, outboxIds };
  }, lockPaymentStatement(paymentId));
}
