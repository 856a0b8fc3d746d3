import { Injectable } from '@nestjs/common';
import { releasesAfterCapture } from '@tender/domain';
import type { IdempotencyContext } from '../../idempotency/idempotency.service';
import {
  PaymentOperationFlow,
  type OperationCommand,
  type OperationRules,
} from '../operations/payment-operation';

/** A capture takes from what is authorized; on a tender that captures once, the rest is released with it. */
export const CAPTURE: OperationRules = {
  type: 'CAPTURE',
  allowedStatuses: ['AUTHORIZED'],
  availableField: 'available_to_capture',
  followUps: releasesAfterCapture,
};

/** POST /v2/payments/{id}/captures: capture all or part of what is authorized. */
@Injectable()
export class CapturePaymentUseCase {
  constructor(private readonly flow: PaymentOperationFlow) {}

  execute(command: OperationCommand, idempotency?: IdempotencyContext): Promise<Record<string, unknown>> {
    return this.flow.run(CAPTURE, command, idempotency);
  }
}
