import { Module } from '@nestjs/common';
import { PartnersModule } from '@tender/partners';
import { MerchantEventsController } from './merchant-events.controller';
import { MerchantEventsService } from './merchant-events.service';
import { PartnerWebhooksController } from './partner-webhooks.controller';
import { PartnerWebhooksService } from './partner-webhooks.service';

/** Webhooks: the partners' inbound ones, and the merchant's events with their deliveries. */
@Module({
  imports: [PartnersModule.forRoot()],
  controllers: [MerchantEventsController, PartnerWebhooksController],
  providers: [MerchantEventsService, PartnerWebhooksService],
  exports: [MerchantEventsService],
})
export class WebhooksModule {}
