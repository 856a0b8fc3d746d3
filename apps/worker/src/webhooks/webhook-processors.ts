import { Logger, type Type } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import type { TenderConfig } from '@tender/config';
import {
  PARTNER_EVENT_QUEUE,
  WEBHOOK_QUEUE,
  type DeliveryJobData,
  type PartnerEventJobData,
} from '@tender/infra';
import { MerchantWebhookDelivery } from './merchant-webhook-delivery';
import { PartnerEventProcessor } from './partner-event-processor';

/** Worker options of the webhook queues (concurrency from the configuration). */
function options(config: TenderConfig, concurrency: number) {
  return {
    concurrency,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: Math.max(250, Math.floor(config.WORKER_LOCK_MS / 2)),
  };
}

/** Logs what BullMQ reports of a queue's jobs and worker. */
abstract class LoggedWorkerHost extends WorkerHost {
  protected abstract readonly queue: string;
  private readonly logger = new Logger('webhook-workers');

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.warn(
      `${this.queue} job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`,
    );
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error(`${this.queue} worker: ${error.message}`);
  }
}

/** The processors of the merchant webhook deliveries and of the inbound partner events. */
export function webhookProcessors(config: TenderConfig): Type<WorkerHost>[] {
  @Processor(WEBHOOK_QUEUE, options(config, config.WEBHOOK_CONCURRENCY))
  class MerchantWebhooksProcessor extends LoggedWorkerHost {
    protected readonly queue = WEBHOOK_QUEUE;
    constructor(private readonly delivery: MerchantWebhookDelivery) {
      super();
    }
    process(job: Job<DeliveryJobData>): Promise<unknown> {
      return this.delivery.handle(job.data);
    }
  }

  @Processor(PARTNER_EVENT_QUEUE, options(config, config.PARTNER_CONCURRENCY))
  class PartnerEventsProcessor extends LoggedWorkerHost {
    protected readonly queue = PARTNER_EVENT_QUEUE;
    constructor(private readonly partnerEvents: PartnerEventProcessor) {
      super();
    }
    process(job: Job<PartnerEventJobData>): Promise<unknown> {
      return this.partnerEvents.handle(job.data);
    }
  }

  return [MerchantWebhooksProcessor, PartnerEventsProcessor];
}
