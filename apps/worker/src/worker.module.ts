import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import {
  CoreModule,
  PARTNER_EVENT_QUEUE,
  partnerQueueName,
  redisConnectionOptions,
  WEBHOOK_QUEUE,
} from '@tender/infra';
import { Partners, PARTNERS, PartnersModule, type PartnerAdapter } from '@tender/partners';
import { AdapterRegistry } from './dispatch/adapter-registry';
import { Authorizations } from './dispatch/authorizations';
import { DispatchService } from './dispatch/dispatch.service';
import { OperationLegs } from './dispatch/operation-legs';
import { PartnerAccounts } from './dispatch/partner-accounts';
import { partnerJobsProcessor } from './dispatch/partner-jobs.processor';
import { PartnerRequests } from './dispatch/partner-requests';
import { ReconciliationSchedule } from './reconciliation/reconciliation-schedule';
import { PaymentSettler } from './dispatch/settle';
import { Maintenance } from './maintenance';
import { MerchantWebhookDelivery } from './webhooks/merchant-webhook-delivery';
import { OverdueDeliveries } from './webhooks/overdue-deliveries';
import { PartnerEventProcessor } from './webhooks/partner-event-processor';
import { webhookProcessors } from './webhooks/webhook-processors';

/**
 * The worker process: one BullMQ processor (@nestjs/bullmq) per partner queue, and the merchant
 * webhook and partner event queues; reconciliation, outbox relay, housekeeping.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: TenderConfig, adapters?: PartnerAdapter[]): DynamicModule {
    const partners = adapters?.map((adapter) => adapter.partner) ?? PARTNERS.map((partner) => partner.name);
    return {
      module: WorkerModule,
      imports: [
        CoreModule.forRoot(config),
        PartnersModule.forRoot({ adapters }),
        BullModule.forRoot({
          connection: redisConnectionOptions(config.REDIS_URL),
          prefix: config.QUEUE_PREFIX,
        }),
        BullModule.registerQueue(
          ...[...partners.map(partnerQueueName), WEBHOOK_QUEUE, PARTNER_EVENT_QUEUE].map((name) => ({
            name,
          })),
        ),
      ],
      providers: [
        {
          provide: AdapterRegistry,
          inject: [Partners],
          useFactory: (registered: Partners) => new AdapterRegistry(registered.adapters()),
        },
        PartnerAccounts,
        PaymentSettler,
        PartnerRequests,
        ReconciliationSchedule,
        Authorizations,
        OperationLegs,
        DispatchService,
        ...partners.map((partner) => partnerJobsProcessor(partner, config)),
        Maintenance,
        MerchantWebhookDelivery,
        PartnerEventProcessor,
        ...webhookProcessors(config),
        OverdueDeliveries,
      ],
      exports: [DispatchService, Maintenance, ReconciliationSchedule],
    };
  }
}
