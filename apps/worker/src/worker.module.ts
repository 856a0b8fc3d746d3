import { Module, type DynamicModule } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CoreModule } from '@tender/infra';
import { Partners, PartnersModule, type PartnerAdapter } from '@tender/partners';
import { AdapterRegistry } from './dispatch/adapter-registry';
import { Authorizations } from './dispatch/authorizations';
import { DispatchService } from './dispatch/dispatch.service';
import { OperationLegs } from './dispatch/operation-legs';
import { PartnerRequests } from './dispatch/partner-requests';
import { ReconciliationSchedule } from './dispatch/reconciliation-schedule';
import { PartnerAccounts } from './dispatch/partner-accounts';
import { PartnerWorkers } from './dispatch/partner-workers';
import { PaymentSettler } from './dispatch/settle';
import { Maintenance } from './maintenance';
import { MerchantWebhookDelivery } from './webhooks/merchant-webhook-delivery';
import { PartnerEventProcessor } from './webhooks/partner-event-processor';
import { WebhookWorkers } from './webhooks/webhook-workers';

/** The worker process: partner operations, reconciliation, outbox relay, housekeeping. */
@Module({})
export class WorkerModule {
  static forRoot(config: TenderConfig, adapters?: PartnerAdapter[]): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config), PartnersModule.forRoot({ adapters })],
      providers: [
        {
          provide: AdapterRegistry,
          inject: [Partners],
          useFactory: (partners: Partners) => new AdapterRegistry(partners.adapters()),
        },
        PartnerAccounts,
        PaymentSettler,
        PartnerRequests,
        ReconciliationSchedule,
        Authorizations,
        OperationLegs,
        DispatchService,
        PartnerWorkers,
        Maintenance,
        MerchantWebhookDelivery,
        PartnerEventProcessor,
        WebhookWorkers,
      ],
      exports: [DispatchService, Maintenance],
    };
  }
}
