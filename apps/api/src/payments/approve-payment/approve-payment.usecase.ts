import { Inject, Injectable } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CONFIG, Outbox, partnerJob, PaymentNotifications } from '@tender/infra';
import { Database, lockPaymentStatement } from '@tender/persistence';
import { ApiError } from '../../http/api-error';
import { presentPayment } from '@tender/payments';
import { PaymentRepository } from '../payment.repository';

/** Back office approval of a payment held for fraud review (Connect `processchallenged`). */
@Injectable()
export class ApprovePaymentUseCase {
  constructor(
    private readonly db: Database,
    private readonly payments: PaymentRepository,
    private readonly outbox: Outbox,
    private readonly notifications: PaymentNotifications,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  async execute(entityId: string, paymentId: string): Promise<Record<string, unknown>> {
    // Listen, write, then wait: no signal of the approval's jobs can come before the wait listens.
    const listener = await this.notifications.listen(paymentId);
    try {
      await this.requestApproval(entityId, paymentId);
      const payment = await listener.until(async () => {
        const current = await this.payments.get(entityId, paymentId);
        return current.status !== 'PENDING_FRAUD_APPROVAL' ? current : undefined;
      }, this.config.API_WAIT_FOR_OUTCOME_MS);
      return presentPayment(payment ?? (await this.payments.get(entityId, paymentId)));
    } finally {
      await listener.close();
    }
  }

  /** Under the payment's lock: an approval job per tender held for review. */
  private async requestApproval(entityId: string, paymentId: string): Promise<void> {
    const { jobs, outboxIds } = await this.db.transaction(
      async (tx, locked) => {
        if (locked.length === 0) throw ApiError.notFound('payment', paymentId);
        const payment = await this.payments.get(entityId, paymentId, tx);
        if (payment.status !== 'PENDING_FRAUD_APPROVAL') {
          throw ApiError.conflict(
            'payment_status_incompatible',
            `Only a payment held for fraud review can be approved; this one is ${payment.status}.`,
          );
        }
        const jobs = payment.partnerTransactions
          .filter((t) => t.status === 'PENDING_FRAUD_APPROVAL')
          .map((t) => partnerJob(t.partner, { kind: 'approve', tenderId: t.id }));
        return { jobs, outboxIds: await this.outbox.write(tx, jobs) };
      },
      lockPaymentStatement(paymentId, entityId),
    );
    await this.outbox.publish(jobs, outboxIds);
  }
}
