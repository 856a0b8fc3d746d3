import { deriveOverview, UNSETTLED_LEG_STATUSES, UNSETTLED_TENDER_STATUSES } from '@tender/domain';
import { toMinor } from '@tender/persistence';
import type { OperationTransaction, PartnerTransaction } from '@tender/persistence/generated/prisma/client';
import { paymentAmounts, tenderFigures, type PaymentAggregate } from './presenter';

/**
 * What the operator console shows of a payment: its tenders with their split figures, and one
 * timeline of everything that happened to it, read from the rows as they are (nothing is recorded
 * for the timeline alone). A partner call's outcome is its row's status and partner status; its
 * duration runs from the row's creation to its settlement (`updated_at` of a settled row); `calls`
 * is the row's `attempts` (calls sent to the partner, lookups excluded).
 *
 * Never carries instruments, partner tokens or credentials: only what an operator needs to follow.
 */

export interface TimelineCall {
  id: string;
  partner: string;
  method: string;
  amount: number;
  status: string;
  calls: number;
  duration_ms: number | null;
  partner_reference: string | null;
  partner_status: string | null;
  partner_status_description: string | null;
  /** Why the last call or lookup settled nothing (`last_error.reason`), while it is open. */
  open_reason: string | null;
  gave_up: boolean;
}

export interface TimelineEntry {
  at: string;
  kind: 'payment' | 'authorization' | 'capture' | 'void' | 'refund' | 'event' | 'audit';
  title: string;
  status: string | null;
  amount: number | null;
  calls: TimelineCall[];
  detail: Record<string, unknown>;
}

export interface TimelineEvent {
  id: string;
  type: string;
  action: string | null;
  created_at: string;
  status: string;
  delivery_attempts: Array<{ attempted_at: string; response_status: number | null; duration_ms: number }>;
}

export interface TimelineAudit {
  id: string;
  at: Date;
  actor: string;
  action: string;
  reason: string | null;
  targetId: string;
  details: unknown;
}

export interface TenderSplit {
  id: string;
  position: number;
  partner: string;
  method: string;
  amount: number;
  status: string;
  authorized: number;
  captured: number;
  voided: number;
  refunded: number;
}

const lastError = (value: unknown) => (value ?? {}) as { reason?: string; gave_up?: boolean };

function call(row: PartnerTransaction | OperationTransaction, tender: PartnerTransaction, settled: boolean) {
  const error = lastError(row.lastError);
  return {
    id: row.id,
    partner: tender.partner,
    method: tender.method,
    amount: toMinor(row.amount),
    status: row.status,
    calls: row.attempts,
    duration_ms: settled ? row.updatedAt.getTime() - row.createdAt.getTime() : null,
    partner_reference: row.partnerReference,
    partner_status: row.partnerStatus,
    partner_status_description: row.partnerStatusDescription,
    open_reason: settled ? null : (error.reason ?? null),
    gave_up: !settled && error.gave_up === true,
  };
}

const tenderSettled = (t: PartnerTransaction) =>
  !(UNSETTLED_TENDER_STATUSES as readonly string[]).includes(t.status);
const legSettled = (l: OperationTransaction) =>
  !(UNSETTLED_LEG_STATUSES as readonly string[]).includes(l.status);

export function tenderSplits(payment: PaymentAggregate): TenderSplit[] {
  const figures = tenderFigures(payment);
  return [...payment.partnerTransactions]
    .sort((a, b) => a.position - b.position)
    .map((t) => {
      const f = figures.get(t.id)!;
      return {
        id: t.id,
        position: t.position,
        partner: t.partner,
        method: t.method,
        amount: toMinor(t.amount),
        status: t.status,
        authorized: f.authorized,
        captured: f.captured,
        voided: f.voided,
        refunded: f.refunded,
      };
    });
}

/** Oldest first; entries at the same instant keep the order payment, tenders, operations, events, audit. */
export function paymentTimeline(
  payment: PaymentAggregate,
  events: readonly TimelineEvent[],
  audit: readonly TimelineAudit[],
): TimelineEntry[] {
  const tenders = new Map(payment.partnerTransactions.map((t) => [t.id, t]));
  const entries: TimelineEntry[] = [
    {
      at: payment.createdAt.toISOString(),
      kind: 'payment',
      title: 'Payment created',
      status: payment.status,
      amount: toMinor(payment.amount),
      calls: [],
      detail: { capture_mode: payment.captureMode, order_reference: payment.orderReference },
    },
  ];
  for (const tender of [...payment.partnerTransactions].sort((a, b) => a.position - b.position)) {
    entries.push({
      at: tender.createdAt.toISOString(),
      kind: 'authorization',
      title: `Authorization ${tender.position + 1}: ${tender.partner} ${tender.method}`,
      status: tender.status,
      amount: toMinor(tender.amount),
      calls: [call(tender, tender, tenderSettled(tender))],
      detail: tender.unknownSince ? { unknown_since: tender.unknownSince.toISOString() } : {},
    });
  }
  for (const operation of payment.operations) {
    const kind = operation.type.toLowerCase() as 'capture' | 'void' | 'refund';
    entries.push({
      at: operation.createdAt.toISOString(),
      kind,
      title: `${operation.type[0]}${operation.type.slice(1).toLowerCase()} (${operation.triggeredBy.toLowerCase()})`,
      status: operation.status,
      amount: toMinor(operation.amount),
      calls: operation.legs.flatMap((leg) => {
        const tender = tenders.get(leg.partnerTransactionId);
        return tender ? [call(leg, tender, legSettled(leg))] : [];
      }),
      detail: operation.merchantReference ? { merchant_reference: operation.merchantReference } : {},
    });
  }
  for (const event of events) {
    entries.push({
      at: event.created_at,
      kind: 'event',
      title: `Event ${event.type}${event.action ? ` ${event.action}` : ''}`,
      status: event.status,
      amount: null,
      calls: [],
      detail: { event_id: event.id, delivery_attempts: event.delivery_attempts },
    });
  }
  for (const entry of audit) {
    entries.push({
      at: entry.at.toISOString(),
      kind: 'audit',
      title: `${entry.action} by ${entry.actor}`,
      status: null,
      amount: null,
      calls: [],
      detail: { reason: entry.reason, target_id: entry.targetId, ...(entry.details as object) },
    });
  }
  const rank = (e: TimelineEntry) =>
    ['payment', 'authorization', 'capture', 'void', 'refund', 'event', 'audit'].indexOf(e.kind);
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) => a.entry.at.localeCompare(b.entry.at) || rank(a.entry) - rank(b.entry) || a.index - b.index,
    )
    .map(({ entry }) => entry);
}

/** Amounts, overview and the actions the status and amounts allow, with the most each may take. */
export function consoleActions(payment: PaymentAggregate) {
  const amounts = paymentAmounts(payment);
  const authorized = payment.status === 'AUTHORIZED';
  return {
    amounts,
    overview: deriveOverview(amounts),
    actions: {
      capture: { allowed: authorized && amounts.available_to_capture > 0, max: amounts.available_to_capture },
      void: {
        allowed: (authorized && amounts.available_to_void > 0) || payment.status === 'PENDING_FRAUD_APPROVAL',
        max: amounts.available_to_void,
      },
      refund: { allowed: amounts.available_to_refund > 0, max: amounts.available_to_refund },
      approve: { allowed: payment.status === 'PENDING_FRAUD_APPROVAL', max: null },
    },
  };
}
