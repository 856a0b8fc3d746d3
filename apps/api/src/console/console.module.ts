import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { CONFIG, Outbox, REDIS } from '@tender/infra';
import { Database, PrismaClient } from '@tender/persistence';
import { QueueDirectory } from '../ops/queues';
import { ApprovePaymentUseCase } from '../payments/approve-payment/approve-payment.usecase';
import { CapturePaymentUseCase } from '../payments/capture-payment/capture-payment.usecase';
import { PaymentsModule } from '../payments/payments.module';
import { RefundPaymentUseCase } from '../payments/refund-payment/refund-payment.usecase';
import { VoidPaymentUseCase } from '../payments/void-payment/void-payment.usecase';
import { MerchantEventsService } from '../webhooks/merchant-events.service';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { CsrfGuard, NoStoreGuard, OperatorRoleGuard, OperatorSessionGuard } from './console-auth';
import { ConsolePageController } from './console-page';
import { ConsolePayments } from './console-payments';
import { ConsoleHomeController, ConsolePaymentsController } from './console-payments.controller';
import { ConsoleSessionController } from './console-session.controller';
import { NeedsAttention } from './needs-attention';
import { NeedsAttentionController } from './needs-attention.controller';
import { OperatorSessions } from './operator-sessions';
import { SignIn } from './sign-in';

/**
 * The operator console at `/console`: its page and its internal JSON API under `/console/api`.
 * Its controllers are `@InternalApi` (out of the merchant OpenAPI document) and `@Public()` for the
 * merchant token guard: they authenticate by the operator session cookie (console-auth.ts). Its
 * actions go through the payments' use cases, so the merchant API's limits apply.
 */
@Module({
  imports: [PaymentsModule, WebhooksModule],
  controllers: [
    ConsolePageController,
    ConsoleSessionController,
    ConsoleHomeController,
    ConsolePaymentsController,
    NeedsAttentionController,
  ],
  providers: [
    {
      provide: OperatorSessions,
      inject: [PrismaClient, CONFIG],
      useFactory: (prisma: PrismaClient, config: TenderConfig) =>
        new OperatorSessions(prisma, config.CONSOLE_SESSION_TTL_SECONDS),
    },
    {
      provide: SignIn,
      inject: [OperatorSessions, CONFIG, REDIS],
      useFactory: (sessions: OperatorSessions, config: TenderConfig, redis: Redis) =>
        new SignIn(sessions, config, redis),
    },
    {
      provide: ConsolePayments,
      inject: [
        Database,
        PrismaClient,
        CapturePaymentUseCase,
        VoidPaymentUseCase,
        RefundPaymentUseCase,
        ApprovePaymentUseCase,
        MerchantEventsService,
      ],
      useFactory: (
        db: Database,
        prisma: PrismaClient,
        capture: CapturePaymentUseCase,
        voidPayment: VoidPaymentUseCase,
        refund: RefundPaymentUseCase,
        approve: ApprovePaymentUseCase,
        events: MerchantEventsService,
      ) => new ConsolePayments(db, prisma, { capture, void: voidPayment, refund, approve, events }),
    },
    {
      provide: QueueDirectory,
      inject: [Outbox, REDIS, CONFIG],
      useFactory: (outbox: Outbox, redis: Redis, config: TenderConfig) =>
        new QueueDirectory(outbox, redis, config),
    },
    {
      provide: NeedsAttention,
      inject: [Database, PrismaClient, Outbox, QueueDirectory, MerchantEventsService],
      useFactory: (
        db: Database,
        prisma: PrismaClient,
        outbox: Outbox,
        queues: QueueDirectory,
        events: MerchantEventsService,
      ) => new NeedsAttention(db, prisma, outbox, queues, events),
    },
    NoStoreGuard,
    OperatorSessionGuard,
    CsrfGuard,
    OperatorRoleGuard,
  ],
})
export class ConsoleModule {}
