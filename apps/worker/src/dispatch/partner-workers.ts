import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { TenderConfig } from '@tender/config';
import { CONFIG, partnerQueueName, redisConnectionOptions, type PartnerJob } from '@tender/infra';
import { currentJobSignal, observedProcessor, trackWorker } from '@tender/observability';
import { AdapterRegistry } from './adapter-registry';
import { DispatchService } from './dispatch.service';

/**
 * One BullMQ worker per partner queue, so a slow or failing partner never holds up another.
 * Concurrency and rate limit come from configuration.
 */
@Injectable()
export class PartnerWorkers implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('partner-workers');
  private readonly workers: Worker[] = [];

  constructor(
    private readonly dispatch: DispatchService,
    private readonly adapters: AdapterRegistry,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  onModuleInit(): void {
    for (const partner of this.adapters.partners()) {
      const queue = partnerQueueName(partner);
      const worker = new Worker<PartnerJob>(
        queue,
        // Each job runs in a log context (queue, job, partner, our transaction id) and is timed.
        observedProcessor(
          queue,
          // The job's partner call times and queue wait travel with its payment signals (Server-Timing).
          (job) =>
            currentJobSignal.run({ partner: [], queueMs: queueWaitMs(job) }, () =>
              this.dispatch.handle(job.data),
            ),
          (job) => ({
            partner,
            partner_transaction_id: 'tenderId' in job.data ? job.data.tenderId : job.data.legId,
          }),
        ),
        {
          connection: redisConnectionOptions(this.config.REDIS_URL),
          prefix: this.config.QUEUE_PREFIX,
          concurrency: this.config.PARTNER_CONCURRENCY,
          lockDuration: this.config.WORKER_LOCK_MS,
          stalledInterval: Math.max(250, Math.floor(this.config.WORKER_LOCK_MS / 2)),
          ...(this.config.PARTNER_RATE_LIMIT_PER_SECOND > 0
            ? { limiter: { max: this.config.PARTNER_RATE_LIMIT_PER_SECOND, duration: 1000 } }
            : {}),
        },
      );
      worker.on('failed', (job, error) =>
        this.logger.warn(
          `${partner} job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`,
        ),
      );
      worker.on('error', (error) => this.logger.error(`${partner} worker: ${error.message}`));
      this.workers.push(trackWorker(worker)); // drained first on SIGTERM (worker main.ts)
    }
  }

  /** Lets running jobs finish (BullMQ waits for them), then closes. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.workers.map((worker) => worker.close()));
  }
}

/** How long a job waited in its queue past its planned time. */
function queueWaitMs(job: Job): number {
  return Math.max(0, (job.processedOn ?? Date.now()) - job.timestamp - (job.opts.delay ?? 0));
}
