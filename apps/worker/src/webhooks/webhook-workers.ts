import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Worker, type Processor } from 'bullmq';
import type { TenderConfig } from '@tender/config';
import { CONFIG, redisConnectionOptions, WEBHOOK_QUEUE } from '@tender/infra';
import { PARTNER_EVENT_QUEUE, type DeliveryJobData, type PartnerEventJobData } from '@tender/infra';
import { MerchantWebhookDelivery } from './merchant-webhook-delivery';
import { PartnerEventProcessor } from './partner-event-processor';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The BullMQ workers of the webhook queues: merchant deliveries (`merchant-webhooks`) and inbound
 * partner events (`partner-events`), plus a periodic sweep re-enqueueing overdue deliveries whose
 * job was lost.
 */
@Injectable()
export class WebhookWorkers implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('webhook-workers');
  private readonly workers: Worker[] = [];
  private sweeper?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly delivery: MerchantWebhookDelivery,
    private readonly partnerEvents: PartnerEventProcessor,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  onModuleInit(): void {
    this.start<DeliveryJobData>(
      WEBHOOK_QUEUE,
      (job) => this.delivery.handle(job.data),
      this.config.WEBHOOK_CONCURRENCY,
    );
    this.start<PartnerEventJobData>(
      PARTNER_EVENT_QUEUE,
      (job) => this.partnerEvents.handle(job.data),
      this.config.PARTNER_CONCURRENCY,
    );
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  private start<T>(queue: string, processor: Processor<T>, concurrency: number): void {
    const worker = new Worker<T>(queue, processor, {
      connection: redisConnectionOptions(this.config.REDIS_URL),
      prefix: this.config.QUEUE_PREFIX,
      concurrency,
      lockDuration: this.config.WORKER_LOCK_MS,
      stalledInterval: Math.max(250, Math.floor(this.config.WORKER_LOCK_MS / 2)),
    });
    worker.on('failed', (job, error) =>
      this.logger.warn(
        `${queue} job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`,
      ),
    );
    worker.on('error', (error) => this.logger.error(`${queue} worker: ${error.message}`));
    this.workers.push(worker);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.delivery.requeueOverdue();
    } catch (error) {
      this.logger.warn(`webhook sweep: ${(error as Error).message}`);
    } finally {
      this.sweeping = false;
    }
  }

  /** Lets running jobs finish (BullMQ waits for them), then closes. */
  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.allSettled(this.workers.map((worker) => worker.close()));
  }
}
