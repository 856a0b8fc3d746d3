import { Injectable, Logger } from '@nestjs/common';
import {
  currentJobSignal,
  Outbox,
  PaymentNotifications,
  type PaymentSignalState,
  type QueuedJob,
} from '@tender/infra';
import {
  advancePayment,
  findPaymentAggregate,
  lockPaymentStatement,
  presentPayment,
  paymentEventsWrite,
  type PaymentAggregate,
  type WebhookConfig,
} from '@tender/payments';
import { Database, type Sql } from '@tender/persistence';

/**
 * The one way the worker changes a payment: under its row lock, apply a change, run the saga step,
 * write the resulting jobs to the outbox, commit; then enqueue them and signal waiting API requests.
 */
@Injectable()
export class PaymentSettler {
  private readonly logger = new Logger('settle');

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    private readonly notifications: PaymentNotifications,
  ) {}

  /**
   * `apply` changes the payment's rows and must keep `payment` (a copy of what it read under the lock)
   * current, with the rows its UPDATEs return (`putTender`, `putLeg`): the saga decides on it.
   */
  async change(
    paymentId: string,
    apply: (tx: Sql, payment: PaymentAggregate) => Promise<QueuedJob[] | void>,
  ): Promise<void> {
    const { jobs, state, outboxIds } = await this.db.transaction(async (tx, locked) => {
      if (locked.length === 0) throw new Error(`payment ${paymentId} not found`);
      const before = (await findPaymentAggregate(tx, paymentId))!;
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
      const outboxIds = await this.outbox.writeWith(tx, jobs, [...advanced.writes, events.statement]);
      return { jobs, state, outboxIds };
    }, lockPaymentStatement(paymentId));
    await this.outbox.publish(jobs, outboxIds);
    // The job's partner call times travel with the signal, so a waiting request can report its own overhead.
    const signal = currentJobSignal.getStore();
    await this.notifications
      .notify([paymentId], { partner: signal?.partner?.splice(0), queueMs: signal?.queueMs, state })
      .catch((error: Error) => this.logger.warn(error.message));
    if (signal) signal.queueMs = 0;
  }
}
