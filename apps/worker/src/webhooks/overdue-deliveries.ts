import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { MerchantWebhookDelivery } from './merchant-webhook-delivery';

const SWEEP_INTERVAL_MS = 60_000;

/** A periodic sweep re-enqueueing overdue merchant webhook deliveries whose job was lost. */
@Injectable()
export class OverdueDeliveries implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('webhook-workers');
  private sweeper?: NodeJS.Timeout;
  private sweeping = false;

  constructor(private readonly delivery: MerchantWebhookDelivery) {}

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS); // sweep() handles its errors
    this.sweeper.unref();
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

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}
