import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { TenderConfig } from '@tender/config';
import { CoreModule, Outbox, PaymentNotifications } from '@tender/infra';
import { PartnersModule } from '@tender/partners';
import { AuthModule } from './auth';
import { ClientSessionsController } from './client-sessions/client-sessions.controller';
import { ClientSessionsService } from './client-sessions/client-sessions.service';
import { HealthController } from './health/health.controller';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyService } from './idempotency/idempotency.service';
import { JwksController, SigningKeys } from './jwks';
import { OpenApiController } from './openapi/openapi.controller';
import { ApprovePaymentUseCase } from './payments/approve-payment.usecase';
import { CreatePaymentUseCase } from './payments/create-payment.usecase';
import { GetPaymentUseCase } from './payments/get-payment.usecase';
import { PaymentOperationUseCase } from './payments/payment-operation.usecase';
import { PaymentRepository } from './payments/payment.repository';
import { PaymentsController } from './payments/payments.controller';
import { MerchantEventsController } from './webhooks/merchant-events.controller';
import { MerchantEventsService } from './webhooks/merchant-events.service';
import { PartnerWebhooksController } from './webhooks/partner-webhooks.controller';
import { PartnerWebhooksService } from './webhooks/partner-webhooks.service';
import { RedirectionController, RedirectionTokens } from './redirection';
import { RateLimitsModule } from './rate-limits';

@Module({})
export class ApiModule {
  static forRoot(config: TenderConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [CoreModule.forRoot(config), PartnersModule.forRoot(), RateLimitsModule, AuthModule],
      controllers: [
        HealthController,
        ClientSessionsController,
        PaymentsController,
        OpenApiController,
        JwksController,
        RedirectionController,
        MerchantEventsController,
        PartnerWebhooksController,
      ],
      providers: [
        Outbox,
        PaymentNotifications,
        IdempotencyService,
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        ClientSessionsService,
        PaymentRepository,
        CreatePaymentUseCase,
        GetPaymentUseCase,
        PaymentOperationUseCase,
        ApprovePaymentUseCase,
        SigningKeys,
        RedirectionTokens,
        MerchantEventsService,
        PartnerWebhooksService,
      ],
    };
  }
}
