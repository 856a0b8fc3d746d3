import { Injectable, Logger } from '@nestjs/common';
import { Outbox, PaymentNotifications } from '@tender/infra';
import { currentJobSignal } from '@tender/observability';
import { changePayment, type PaymentChangeApply } from '@tender/payments';
import { Database } from '@tender/persistence';

/**
 * The one way the worker changes a payment: `changePayment` (under its row lock, apply a change, run
 * the saga step, write the resulting jobs to the outbox, commit); then enqueue them and signal
 * waiting API requests.
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
  async change(paymentId: string, apply: PaymentChangeApply): Promise<void> {
    const { jobs, state, outboxIds } = await changePayment(this.db, this.outbox, paymentId, apply);
    await this.outbox.publish(jobs, outboxIds);
    // The job's partner call times travel with the signal, so a waiting request can report its own overhead.
    const signal = currentJobSignal.getStore();
    await this.notifications
      .notify([paymentId], { partner: signal?.partner?.splice(0), queueMs: signal?.queueMs, state })
      .catch((error: Error) => this.logger.warn(error.message));
    if (signal) signal.queueMs = 0;
  }
}
