import { Module, type DynamicModule } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CoreModule } from '@tender/infra';
import { AuthModule } from './auth';
import { CheckoutModule } from './checkout/checkout.module';
import { ConsoleModule } from './console/console.module';
import { ClientSessionsModule } from './client-sessions/client-sessions.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { OpsModule } from './ops/ops.module';
import { PaymentsModule } from './payments/payments.module';
import { RateLimitsModule } from './rate-limits';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The merchant API: one module per feature on the shared core (config, Postgres, Redis, outbox),
 * and the operator console (ConsoleModule, internal: out of the OpenAPI document).
 */
@Module({})
export class ApiModule {
  static forRoot(config: TenderConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        CoreModule.forRoot(config),
        RateLimitsModule,
        AuthModule,
        IdempotencyModule,
        PaymentsModule,
        ClientSessionsModule,
        CheckoutModule,
        WebhooksModule,
        OpsModule,
        ConsoleModule,
      ],
    };
  }
}
