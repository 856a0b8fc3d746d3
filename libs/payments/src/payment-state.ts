import type { PaymentState } from '@tender/domain';
import { methodDefinition } from '@tender/partners';
import { toMinor } from '@tender/persistence';
import type { PaymentAggregate } from './presenter';

/** The aggregate's records as the domain decides on them. */
export function paymentState(payment: PaymentAggregate): PaymentState {
  return {
    status: payment.status,
    captureMode: payment.captureMode,
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
        status: tender.status,
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
      type: operation.type,
      status: operation.status,
      triggeredBy: operation.triggeredBy,
      legs: operation.legs.map((leg) => ({
        id: leg.id,
        tenderId: leg.partnerTransactionId,
        amount: toMinor(leg.amount),
        status: leg.status,
        attempts: leg.attempts,
        createdAt: leg.createdAt.getTime(),
        updatedAt: leg.updatedAt.getTime(),
      })),
    })),
  };
}
