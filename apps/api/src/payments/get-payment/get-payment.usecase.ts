import { Inject, Injectable } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { UNSETTLED_LEG_STATUSES, UNSETTLED_TENDER_STATUSES } from '@tender/domain';
import { CONFIG, Outbox, partnerJob, PaymentNotifications, type QueuedJob } from '@tender/infra';
import { presentPayment, type PaymentAggregate } from '@tender/payments';
import { PaymentRepository } from '../payment.repository';

const REFRESH_AT_MOST_EVERY_MS = 1000;

/** Parses `Cache-Control: max-age=N`; undefined when the header does not carry one. */
export function maxAgeSeconds(cacheControl: string | undefined): number | undefined {
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?\s*(?:,|$)/i.exec(cacheControl ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Get a payment. Without `Cache-Control: max-age=N` its open partner transactions are refreshed
 * from the partners first (bounded by API_WAIT_FOR_OUTCOME_MS); with it, stored data at most N
 * seconds old is served as is.
 */
@Injectable()
export class GetPaymentUseCase {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly outbox: Outbox,
    private readonly notifications: PaymentNotifications,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  async execute(entityId: string, paymentId: string, maxAge?: number): Promise<Record<string, unknown>> {
    const payment = await this.payments.get(entityId, paymentId);
    const refresh = this.refreshJobs(payment);
    const fresh = maxAge !== undefined && Date.now() - payment.updatedAt.getTime() <= maxAge * 1000;
    if (refresh.length === 0 || fresh) return presentPayment(payment);

    await Promise.all(
      refresh.map((job) => this.outbox.queue(job.queue).add(job.name, job.data, { jobId: job.jobId })),
    );
    const refreshed = await this.notifications.waitFor(
      paymentId,
      async () => {
        const current = await this.payments.get(entityId, paymentId);
        return current.version !== payment.version ? current : undefined;
      },
      Math.min(this.config.API_WAIT_FOR_OUTCOME_MS, 3000),
    );
    return presentPayment(refreshed ?? payment);
  }

  /**
   * A status lookup at the partner for every tender and operation leg still open, unless it changed
   * in the last second (readers polling a payment must not turn into a flood of partner calls).
   * Read-only: what a lookup finds is recorded, but a reader never makes Tender send anything.
   */
  private refreshJobs(payment: PaymentAggregate): QueuedJob[] {
    const recent = Date.now() - REFRESH_AT_MOST_EVERY_MS;
    const tenders = payment.partnerTransactions.filter(
      (t) => UNSETTLED_TENDER_STATUSES.includes(t.status) && t.attempts > 0 && t.updatedAt.getTime() < recent,
    );
    const partnerOf = new Map(payment.partnerTransactions.map((t) => [t.id, t.partner]));
    const legs = payment.operations
      .flatMap((o) => o.legs)
      .filter(
        (leg) =>
          UNSETTLED_LEG_STATUSES.includes(leg.status) && leg.attempts > 0 && leg.updatedAt.getTime() < recent,
      );
    // A job id of its own per refresh: BullMQ would ignore a second job under the id of a finished one it keeps.
    const unique = (job: QueuedJob): QueuedJob => ({ ...job, jobId: `${job.jobId}-refresh-${Date.now()}` });
    return [
      ...tenders.map((t) =>
        unique(partnerJob(t.partner, { kind: 'reconcile-authorization', tenderId: t.id, readOnly: true })),
      ),
      ...legs.map((leg) =>
        unique(
          partnerJob(partnerOf.get(leg.partnerTransactionId)!, {
            kind: 'reconcile-operation',
            legId: leg.id,
            readOnly: true,
          }),
        ),
      ),
    ];
  }
}
