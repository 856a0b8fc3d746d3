import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { every, type Periodic } from '../periodic';
import { MerchantWebhookDelivery } from './merchant-webhook-delivery';

const SWEEP_INTERVAL_MS = 60_000;

/** A periodic sweep re-enqueueing overdue merchant webhook deliveries whose job was lost. */
@Injectable()
export class OverdueDeliveries implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('webhook-workers');
  private sweep?: Periodic;

  constructor(private readonly delivery: MerchantWebhookDelivery) {}

  onModuleInit(): void {
    this.sweep = every('webhook sweep', SWEEP_INTERVAL_MS, () => this.delivery.requeueOverdue(), this.logger);
  }

  onApplicationShutdown(): void {
    this.sweep?.stop();
  }
}
