import { computeAmounts, computeOverview, drawnOn, type Operation, type PaymentRecord } from './books';

/**
 * A payment of the books (`books.ts`) as the Purse API answers it (`toWire`: amounts, overview and
 * links derived, never stored) and as the inspection API under /_sim shows it (`ledgerOf`).
 */

function wireOperation(operation: Operation): unknown {
  return {
    ...operation,
    partner_transactions: operation.partner_transactions.map(
      ({ authorization_transaction_id: _tie, ...transaction }) => transaction,
    ),
  };
}

/** The payment exactly as the API answers it. */
export function toWire(payment: PaymentRecord): Record<string, unknown> {
  const amounts = computeAmounts(payment);
  const base = `/v2/payments/${payment.id}`;
  const links: Record<string, { href: string; method: string }> = { self: { href: base, method: 'GET' } };
  if (amounts.available_to_capture > 0) links.capture = { href: `${base}/captures`, method: 'POST' };
  if (amounts.available_to_refund > 0) links.refund = { href: `${base}/refunds`, method: 'POST' };
  if (amounts.available_to_void > 0) links.void = { href: `${base}/voids`, method: 'POST' };
  return {
    id: payment.id,
    version: payment.version,
    created_at: payment.created_at,
    entity_id: payment.entity_id,
    amount: payment.amount,
    currency: payment.currency,
    allow_future_usage: payment.allow_future_usage,
    ...(payment.order_reference !== undefined ? { order_reference: payment.order_reference } : {}),
    ...(payment.order !== undefined ? { order: payment.order } : {}),
    capture_mode: payment.capture_mode,
    amounts,
    overview: computeOverview(amounts),
    split: payment.split.map(({ partner, method, amount, parent }) => ({
      partner,
      method,
      amount,
      ...parent,
    })),
    authorization: payment.authorization,
    captures: payment.captures.map(wireOperation),
    voids: payment.voids.map(wireOperation),
    refunds: payment.refunds.map(wireOperation),
    links,
    ...(payment.webhook !== undefined ? { webhook: payment.webhook } : {}),
  };
}

/** A payment's books for the inspection API. */
export function ledgerOf(payment: PaymentRecord): Record<string, unknown> {
  const amounts = computeAmounts(payment);
  const operations = (['capture', 'void', 'refund'] as const).flatMap((kind) =>
    (kind === 'capture' ? payment.captures : kind === 'void' ? payment.voids : payment.refunds).map(
      (operation) => ({
        kind,
        id: operation.id,
        amount: operation.amount,
        merchant_reference: operation.merchant_reference,
        status: operation.status,
        triggered_by: operation.triggered_by,
        created_at: operation.created_at,
      }),
    ),
  );
  return {
    payment_id: payment.id,
    order_reference: payment.order_reference ?? null,
    entity_id: payment.entity_id,
    currency: payment.currency,
    capture_mode: payment.capture_mode,
    version: payment.version,
    authorization_status: payment.authorization.status,
    amount: payment.amount,
    held: amounts.available_to_capture,
    authorized: amounts.total_authorized,
    captured: amounts.total_captured,
    voided: amounts.total_voided,
    refunded: amounts.total_refunded,
    tenders: payment.authorization.partner_transactions.map((authorization, index) => ({
      partner: authorization.partner,
      method: authorization.method,
      instrument: payment.split[index].token,
      status: authorization.status,
      amount: authorization.amount,
      captured: drawnOn(payment.captures, authorization.id),
      voided: drawnOn(payment.voids, authorization.id),
      refunded: drawnOn(payment.refunds, authorization.id),
    })),
    operations: operations.sort((a, b) => a.created_at.localeCompare(b.created_at)),
    idempotency_hits: payment.idempotency_hits,
  };
}
