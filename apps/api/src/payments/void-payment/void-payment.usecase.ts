import { Injectable } from '@nestjs/common';
import type { IdempotencyContext } from '../../idempotency/idempotency.service';
import {
  PaymentOperationFlow,
  type OperationCommand,
  type OperationRules,
} from '../operations/payment-operation';

/** A void releases what is authorized and not captured, also while a fraud review holds it. */
export const VOID: OperationRules = {
  type: 'VOID',
  allowedStatuses: ['AUTHORIZED', 'PENDING_FRAUD_APPROVAL'],
  availableField: 'available_to_void',
};

/** POST /v2/payments/{id}/voids: release all or part of what is authorized and not captured. */
@Injectable()
export class VoidPaymentUseCase {
  constructor(private readonly flow: PaymentOperationFlow) {}

  execute(command: OperationCommand, idempotency?: IdempotencyContext): Promise<Record<string, unknown>> {
    return this.flow.run(VOID, command, idempotency);
  }
}
