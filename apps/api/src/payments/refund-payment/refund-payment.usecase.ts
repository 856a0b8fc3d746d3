import { Injectable } from '@nestjs/common';
import type { IdempotencyContext } from '../../idempotency/idempotency.service';
import {
  PaymentOperationFlow,
  type OperationCommand,
  type OperationRules,
} from '../operations/payment-operation';

/** A refund gives back what was captured, also once the rest of the payment was cancelled. */
export const REFUND: OperationRules = {
  type: 'REFUND',
  allowedStatuses: ['AUTHORIZED', 'CANCELLED'],
  availableField: 'available_to_refund',
};

/** POST /v2/payments/{id}/refunds: refund all or part of what was captured. */
@Injectable()
export class RefundPaymentUseCase {
  constructor(private readonly flow: PaymentOperationFlow) {}

  execute(command: OperationCommand, idempotency?: IdempotencyContext): Promise<Record<string, unknown>> {
    return this.flow.run(REFUND, command, idempotency);
  }
}
