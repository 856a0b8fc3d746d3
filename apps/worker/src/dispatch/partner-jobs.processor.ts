import { Logger, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import type { TenderConfig } from '@tender/config';
import { partnerQueueName, type PartnerJob } from '@tender/infra';
import { currentJobSignal, observedProcessor, trackWorker } from '@tender/observability';
import { DispatchService } from './dispatch.service';

/**
 * The processor of one partner's queue (`partner-<name>`): each job runs in a log context (queue,
 * job, partner, our transaction id), is timed, and carries its partner call times and queue wait to
 * the payment's signals (Server-Timing). Concurrency, rate limit and lock duration come from the
 * configuration; the worker is drained first on SIGTERM (worker main.ts).
 */
export function partnerJobsProcessor(partner: string, config: TenderConfig): Type<WorkerHost> {
  const queue = partnerQueueName(partner);

  @Processor(queue, {
    concurrency: config.PARTNER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: Math.max(250, Math.floor(config.WORKER_LOCK_MS / 2)),
    ...(config.PARTNER_RATE_LIMIT_PER_SECOND > 0
      ? { limiter: { max: config.PARTNER_RATE_LIMIT_PER_SECOND, duration: 1000 } }
      : {}),
  })
  class PartnerJobsProcessor extends WorkerHost implements OnApplicationBootstrap {
    private readonly logger = new Logger('partner-workers');
    private readonly run = observedProcessor<PartnerJob, void>(
      queue,
      (job) =>
        currentJobSignal.run({ partner: [], queueMs: queueWaitMs(job) }, () =>
          this.dispatch.handle(job.data),
        ),
      (job) => ({
        partner,
        partner_transaction_id: 'tenderId' in job.data ? job.data.tenderId : job.data.legId,
      }),
    );

    constructor(private readonly dispatch: DispatchService) {
      super();
    }

    process(job: Job<PartnerJob>): Promise<void> {
      return this.run(job);
    }

    onApplicationBootstrap(): void {
      trackWorker(this.worker);
    }

    @OnWorkerEvent('failed')
    onFailed(job: Job | undefined, error: Error): void {
      this.logger.warn(
        `${partner} job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`,
      );
    }

    @OnWorkerEvent('error')
    onError(error: Error): void {
      this.logger.error(`${partner} worker: ${error.message}`);
    }
  }
  Object.defineProperty(PartnerJobsProcessor, 'name', { value: `PartnerJobsProcessor(${partner})` });
  return PartnerJobsProcessor;
}

/** How long a job waited in its queue past its planned time. */
function queueWaitMs(job: Job): number {
  return Math.max(0, (job.processedOn ?? Date.now()) - job.timestamp - (job.opts.delay ?? 0));
}
