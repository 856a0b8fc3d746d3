import type {
  AuthorizationStatus,
  OperationLegStatus,
  OperationStatus,
  OperationType,
  PaymentState,
  TenderStatus,
} from '@tender/domain';
import { methodDefinition } from '@tender/partners';
import { toMinor } from '@tender/persistence';
import type { PaymentAggregate } from './presenter';

/** The aggregate's rows as the domain decides on them (statuses as the state machines type them). */
export function paymentState(payment: PaymentAggregate): PaymentState {
  return {
    status: payment.status as AuthorizationStatus,
    captureMode: payment.captureMode === 'AUTOMATIC' ? 'AUTOMATIC' : 'MANUAL',
    cancelRequested: payment.cancelRequestedAt !== null && payment.cancelRequestedAt !== undefined,
    tenders: payment.partnerTransactions.map((tender) => {
      const definition = methodDefinition(tender.partner, tender.method);
      return {
        id: tender.id,
        partner: tender.partner,
        method: tender.method,
        ...(definition
          ? { definition: { kind: definition.kind, capabilities: definition.capabilities } }
          : {}),
        status: tender.status as TenderStatus,
        amount: toMinor(tender.amount),
        attempts: tender.attempts,
        position: tender.position,
        updatedAt: tender.updatedAt.getTime(),
        partnerStatus: tender.partnerStatus ?? null,
        partnerStatusDescription: tender.partnerStatusDescription ?? null,
      };
    }),
    operations: payment.operations.map((operation) => ({
      id: operation.id,
      type: operation.type as OperationType,
      status: operation.status as OperationStatus,
      triggeredBy: operation.triggeredBy === 'SYSTEM' ? 'SYSTEM' : 'MERCHANT',
      legs: operation.legs.map((leg) => ({
        id: leg.id,
        tenderId: leg.partnerTransactionId,
        amount: toMinor(leg.amount),
        status: leg.status as OperationLegStatus,
        attempts: leg.attempts,
        createdAt: leg.createdAt.getTime(),
        updatedAt: leg.updatedAt.getTime(),
      })),
    })),
  };
}
