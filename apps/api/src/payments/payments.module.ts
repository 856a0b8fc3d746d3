import { Module } from '@nestjs/common';
import { JwksController, SigningKeys } from '../jwks';
import { RedirectionController, RedirectionTokens } from '../redirection';
import { ApprovePaymentUseCase } from './approve-payment/approve-payment.usecase';
import { CapturePaymentUseCase } from './capture-payment/capture-payment.usecase';
import { CreatePaymentUseCase } from './create-payment/create-payment.usecase';
import { GetPaymentUseCase } from './get-payment/get-payment.usecase';
import { ListPaymentsUseCase } from './list-payments/list-payments.usecase';
import { PaymentOperationFlow } from './operations/payment-operation';
import { PaymentRepository } from './payment.repository';
import { PaymentsController } from './payments.controller';
import { RefundPaymentUseCase } from './refund-payment/refund-payment.usecase';
import { VoidPaymentUseCase } from './void-payment/void-payment.usecase';

/**
 * Payments: one use case per thing a merchant does to a payment (create, get, list, capture, void,
 * refund, approve), and the shopper's return from a hosted page with the signed redirection token (and the
 * JWKS that verifies it).
 */
@Module({
  controllers: [PaymentsController, RedirectionController, JwksController],
  providers: [
    PaymentRepository,
    CreatePaymentUseCase,
    GetPaymentUseCase,
    ListPaymentsUseCase,
    PaymentOperationFlow,
    CapturePaymentUseCase,
    VoidPaymentUseCase,
    RefundPaymentUseCase,
    ApprovePaymentUseCase,
    SigningKeys,
    RedirectionTokens,
  ],
  exports: [
    CreatePaymentUseCase,
    // The operator console's actions go through the same use cases.
    CapturePaymentUseCase,
    VoidPaymentUseCase,
    RefundPaymentUseCase,
    ApprovePaymentUseCase,
  ],
})
export class PaymentsModule {}
