import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CONFIG } from '@tender/infra';
import { CurrentClient, Scopes, type AuthenticatedClient } from '../auth';
import { Idempotency } from '../idempotency/idempotency-key.decorator';
import { RateLimit } from '../rate-limits';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { parseRequest } from '../validation/parse';
import { uuidParam } from '../validation/params';
import { assertShopperRedirectionUrlAllowed } from '../validation/redirection-url';
import { assertWebhookUrlAllowed, webhookUrlPolicy } from '../validation/webhook-url';
import { ApprovePaymentUseCase } from './approve-payment/approve-payment.usecase';
import { CapturePaymentUseCase } from './capture-payment/capture-payment.usecase';
import { CreatePaymentUseCase } from './create-payment/create-payment.usecase';
import { GetPaymentUseCase, maxAgeSeconds } from './get-payment/get-payment.usecase';
import { listPaymentsQuery } from './list-payments/list-payments.schemas';
import { ListPaymentsUseCase } from './list-payments/list-payments.usecase';
import type { OperationCommand } from './operations/payment-operation';
import { RefundPaymentUseCase } from './refund-payment/refund-payment.usecase';
import { VoidPaymentUseCase } from './void-payment/void-payment.usecase';
import { assertMayChargeMerchantInitiated } from './merchant-initiated';
import { createPaymentBody, operationBody } from './payment.schemas';

@Controller('v2/payments')
export class PaymentsController {
  constructor(
    private readonly createPayment: CreatePaymentUseCase,
    private readonly getPayment: GetPaymentUseCase,
    private readonly listPayments: ListPaymentsUseCase,
    private readonly capturePayment: CapturePaymentUseCase,
    private readonly voidPayment: VoidPaymentUseCase,
    private readonly refundPayment: RefundPaymentUseCase,
    private readonly approvePayment: ApprovePaymentUseCase,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  @Post()
  @RateLimit('payment-write')
  @HttpCode(201)
  @Scopes('front_office', 'back_office')
  create(
    @CurrentClient() client: AuthenticatedClient,
    @Body() body: unknown,
    @Idempotency() idempotency?: IdempotencyContext,
  ) {
    const request = parseRequest(createPaymentBody, body);
    assertMayChargeMerchantInitiated(client, request.split);
    const policy = webhookUrlPolicy(this.config);
    assertShopperRedirectionUrlAllowed(request.shopper_redirection_url, policy);
    assertWebhookUrlAllowed(request.webhook, policy);
    return this.createPayment.execute(client.entityId, request, idempotency);
  }

  /** The caller's entity's payments, newest first, filtered; a page of at most `limit`. */
  @Get()
  @Scopes('back_office')
  list(@CurrentClient() client: AuthenticatedClient, @Query() query: unknown) {
    return this.listPayments.execute(client.entityId, parseRequest(listPaymentsQuery, query));
  }

  @Get(':id')
  @Scopes('front_office', 'back_office')
  get(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Headers('cache-control') cacheControl?: string,
  ) {
    return this.getPayment.execute(client.entityId, uuidParam(id, 'payment'), maxAgeSeconds(cacheControl));
  }

  @Post(':id/captures')
  @RateLimit('payment-write')
  @HttpCode(201)
  @Scopes('back_office')
  capture(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body() body: unknown,
    @Idempotency() idem?: IdempotencyContext,
  ) {
    return this.capturePayment.execute(operationCommand(client, id, body), idem);
  }

  @Post(':id/voids')
  @RateLimit('payment-write')
  @HttpCode(201)
  @Scopes('back_office')
  void(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body() body: unknown,
    @Idempotency() idem?: IdempotencyContext,
  ) {
    return this.voidPayment.execute(operationCommand(client, id, body), idem);
  }

  @Post(':id/refunds')
  @RateLimit('payment-write')
  @HttpCode(201)
  @Scopes('back_office')
  refund(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Body() body: unknown,
    @Idempotency() idem?: IdempotencyContext,
  ) {
    return this.refundPayment.execute(operationCommand(client, id, body), idem);
  }

  @Post(':id/approve')
  @RateLimit('payment-write')
  @HttpCode(200)
  @Scopes('back_office')
  approve(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string) {
    return this.approvePayment.execute(client.entityId, uuidParam(id, 'payment'));
  }
}

function operationCommand(client: AuthenticatedClient, id: string, body: unknown): OperationCommand {
  return {
    entityId: client.entityId,
    paymentId: uuidParam(id, 'payment'),
    body: parseRequest(operationBody, body),
  };
}
