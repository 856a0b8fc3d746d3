import { deriveAmounts, deriveOverview, type Amounts, type TenderFigures } from '@tender/domain';
import {
  toMinor,
  type OperationWithLegs,
  type PaymentAggregate,
  type TenderRecord as PartnerTransaction,
} from '@tender/persistence';
import { iso, link, type Link } from './links';
import { presentWebhook } from './webhook-view';

export type { OperationWithLegs, PaymentAggregate };

const AUTHORIZED_AMOUNT_STATUSES = new Set(['AUTHORIZED']);
const PENDING_AMOUNT_STATUSES = new Set(['PENDING', 'REQUIRES_ACTION', 'UNKNOWN', 'PENDING_FRAUD_APPROVAL']);

/**
 * A tender's figures, derived from rows: authorized once the partner confirmed it;
 * captured/voided/refunded = its successful legs. A CANCELLED tender counts as authorized for what
 * was captured or voided on it (zero when it was never sent because a sibling failed first).
 */
type MutableFigures = { -readonly [K in keyof TenderFigures]: TenderFigures[K] };

export function tenderFigures(payment: PaymentAggregate): Map<string, TenderFigures> {
  const figures = new Map<string, MutableFigures>();
  for (const tender of payment.partnerTransactions) {
    const amount = toMinor(tender.amount);
    figures.set(tender.id, {
      authorized: AUTHORIZED_AMOUNT_STATUSES.has(tender.status) ? amount : 0,
      authorizePending: PENDING_AMOUNT_STATUSES.has(tender.status) ? amount : 0,
      captured: 0,
      voided: 0,
      refunded: 0,
    });
  }
  for (const operation of payment.operations) {
    const field =
      operation.type === 'CAPTURE' ? 'captured' : operation.type === 'VOID' ? 'voided' : 'refunded';
    for (const leg of operation.legs) {
      const tender = figures.get(leg.partnerTransactionId);
      if (tender && leg.status === 'SUCCESS') tender[field] += toMinor(leg.amount);
    }
  }
  for (const tender of payment.partnerTransactions) {
    const figure = figures.get(tender.id)!;
    if (tender.status === 'CANCELLED') figure.authorized = figure.captured + figure.voided;
  }
  return figures;
}

export function paymentAmounts(payment: PaymentAggregate): Amounts {
  return deriveAmounts([...tenderFigures(payment).values()]);
}

function presentTender(tender: PartnerTransaction): Record<string, unknown> {
  return {
    id: tender.id,
    created_at: iso(tender.createdAt),
    updated_at: iso(tender.updatedAt),
    status: tender.status,
    amount: toMinor(tender.amount),
    partner: tender.partner,
    method: tender.method,
    ...(tender.partnerReference ? { partner_reference: tender.partnerReference } : {}),
    ...(tender.partnerStatus ? { partner_status: tender.partnerStatus } : {}),
    ...(tender.partnerStatusDescription
      ? { partner_status_description: tender.partnerStatusDescription }
      : {}),
    ...(tender.partnerToken ? { partner_token: tender.partnerToken } : {}),
    ...(tender.partnerAdditionalData ? { partner_additional_data: tender.partnerAdditionalData } : {}),
    ...(tender.card ? { card: tender.card } : {}),
    ...(tender.parentPaymentId
      ? {
          parent_payment_id: tender.parentPaymentId,
          parent_partner_transaction_id: tender.parentPartnerTransactionId,
        }
      : {}),
  };
}

function presentOperation(
  operation: OperationWithLegs,
  tenders: Map<string, PartnerTransaction>,
): Record<string, unknown> {
  return {
    id: operation.id,
    amount: toMinor(operation.amount),
    created_at: iso(operation.createdAt),
    updated_at: iso(operation.updatedAt),
    triggered_by: operation.triggeredBy,
    ...(operation.merchantReference ? { merchant_reference: operation.merchantReference } : {}),
    status: operation.status,
    ...(operation.failure ? { failure: operation.failure } : {}),
    partner_transactions: operation.legs.map((leg) => {
      const tender = tenders.get(leg.partnerTransactionId);
      return {
        id: leg.id,
        created_at: iso(leg.createdAt),
        updated_at: iso(leg.updatedAt),
        status: leg.status,
        amount: toMinor(leg.amount),
        partner: tender?.partner,
        method: tender?.method,
        authorization_partner_transaction_id: leg.partnerTransactionId,
        ...(leg.partnerReference ? { partner_reference: leg.partnerReference } : {}),
        ...(leg.partnerStatus ? { partner_status: leg.partnerStatus } : {}),
        ...(leg.partnerStatusDescription ? { partner_status_description: leg.partnerStatusDescription } : {}),
      };
    }),
    ...(operation.order ? { order: operation.order } : {}),
  };
}

/** The payment object of the Purse v2 API; `links` offer only what the amounts and status allow. */
export function presentPayment(payment: PaymentAggregate): Record<string, unknown> {
  const amounts = paymentAmounts(payment);
  const tenders = [...payment.partnerTransactions].sort((a, b) => a.position - b.position);
  const byId = new Map(tenders.map((t) => [t.id, t]));
  const operations = [...payment.operations].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const ofType = (type: string) =>
    operations.filter((o) => o.type === type).map((o) => presentOperation(o, byId));
  const base = `/v2/payments/${payment.id}`;
  const links: Record<string, Link> = { self: link(base) };
  if (payment.status === 'AUTHORIZED' && amounts.available_to_capture > 0)
    links.capture = link(`${base}/captures`, 'POST');
  if (
    (payment.status === 'AUTHORIZED' && amounts.available_to_void > 0) ||
    payment.status === 'PENDING_FRAUD_APPROVAL'
  ) {
    links.void = link(`${base}/voids`, 'POST');
  }
  if (amounts.available_to_refund > 0) links.refund = link(`${base}/refunds`, 'POST');
  if (payment.status === 'PENDING_FRAUD_APPROVAL') links.approve = link(`${base}/approve`, 'POST');
  links.events = link(`${base}/events`);
  const redirecting = tenders.find((t) => t.status === 'REQUIRES_ACTION' && t.redirectUrl);

  return {
    id: payment.id,
    version: payment.version,
    created_at: iso(payment.createdAt),
    updated_at: iso(payment.updatedAt),
    entity_id: payment.entityId,
    amount: toMinor(payment.amount),
    currency: payment.currency,
    capture_mode: payment.captureMode,
    allow_future_usage: payment.allowFutureUsage,
    ...(payment.clientSessionId ? { client_session_id: payment.clientSessionId } : {}),
    ...(payment.orderReference ? { order_reference: payment.orderReference } : {}),
    ...(payment.order ? { order: payment.order } : {}),
    ...(payment.shopperRedirectionUrl ? { shopper_redirection_url: payment.shopperRedirectionUrl } : {}),
    ...(payment.webhook ? { webhook: presentWebhook(payment.webhook) } : {}),
    amounts,
    overview: deriveOverview(amounts),
    split: tenders.map((t) => ({
      partner: t.partner,
      method: t.method,
      amount: toMinor(t.amount),
      ...(t.parentPaymentId ? { parent_payment_id: t.parentPaymentId } : {}),
    })),
    authorization: {
      status: payment.status,
      ...(payment.authorizationUpdatedAt ? { updated_at: iso(payment.authorizationUpdatedAt) } : {}),
      ...(payment.failure ? { failure: payment.failure } : {}),
      partner_transactions: tenders.map(presentTender),
    },
    captures: ofType('CAPTURE'),
    voids: ofType('VOID'),
    refunds: ofType('REFUND'),
    ...(redirecting ? { redirection: link(redirecting.redirectUrl!) } : {}),
    links,
  };
}
