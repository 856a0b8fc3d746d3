import type { PaymentAggregate } from './presenter';

/** Test helpers building payment aggregates as Prisma would return them. */
let counter = 0;
const id = () => `00000000-0000-7000-8000-${String(++counter).padStart(12, '0')}`;
const at = new Date('2026-01-01T00:00:00Z');

export function tenderRow(
  partner: string,
  method: string,
  amount: number,
  status = 'AUTHORIZED',
  position = 0,
) {
  return {
    id: id(),
    paymentId: 'p',
    position,
    partner,
    method,
    amount: BigInt(amount),
    currency: 'EUR',
    status,
    instrument: null,
    reference: `ref-${counter}`,
    partnerReference: null,
    partnerStatus: null,
    partnerStatusDescription: null,
    partnerToken: null,
    partnerAdditionalData: null,
    card: null,
    redirectUrl: null,
    parentPaymentId: null,
    parentPartnerTransactionId: null,
    attempts: 1,
    lastError: null,
    nextCheckAt: null,
    unknownSince: null,
    createdAt: at,
    updatedAt: at,
  };
}

export function operationRow(
  type: 'CAPTURE' | 'VOID' | 'REFUND',
  legs: Array<{ tenderId: string; amount: number; status?: string }>,
  status = 'SUCCESS',
) {
  const operationId = id();
  return {
    id: operationId,
    paymentId: 'p',
    type,
    amount: BigInt(legs.reduce((s, l) => s + l.amount, 0)),
    merchantReference: null,
    order: null,
    status,
    triggeredBy: 'MERCHANT',
    failure: null,
    createdAt: at,
    updatedAt: at,
    legs: legs.map((leg) => ({
      id: id(),
      operationId,
      partnerTransactionId: leg.tenderId,
      amount: BigInt(leg.amount),
      status: leg.status ?? status,
      reference: `leg-${counter}`,
      partnerReference: null,
      partnerStatus: null,
      partnerStatusDescription: null,
      attempts: 1,
      lastError: null,
      nextCheckAt: null,
      createdAt: at,
      updatedAt: at,
    })),
  };
}

export function paymentRow(
  tenders: ReturnType<typeof tenderRow>[],
  operations: ReturnType<typeof operationRow>[] = [],
  status = 'AUTHORIZED',
): PaymentAggregate {
  return {
    id: 'p',
    entityId: 'e',
    clientSessionId: null,
    amount: tenders.reduce((s, t) => s + t.amount, 0n),
    currency: 'EUR',
    captureMode: 'MANUAL',
    allowFutureUsage: false,
    status,
    failure: null,
    orderReference: null,
    order: null,
    customer: null,
    browser: null,
    threeDsOptions: null,
    shopperRedirectionUrl: null,
    webhook: null,
    version: 1,
    authorizationUpdatedAt: null,
    createdAt: at,
    updatedAt: at,
    partnerTransactions: tenders,
    operations,
  } as PaymentAggregate;
}
