import { WEBHOOK_QUEUE, type QueuedJob } from '@tender/infra';
import {
  insertMerchantEvents,
  loadSessionEventSource,
  newId,
  runStatement,
  type NewMerchantEvent,
  type Sql,
  type Statement,
} from '@tender/persistence';
import { presentPayment, type PaymentAggregate } from './presenter';

/**
 * Events a merchant receives (Standard Webhooks). `type` is what `webhook.event_types` filters on,
 * in the Purse style; `action` says what happened.
 *
 * | type                          | action                                        |
 * |-------------------------------|-----------------------------------------------|
 * | CLIENT_SESSION_STATUS         | the new status, lower case (created, submitted, completed, failed, aborted_by_merchant, expired) |
 * | PAYMENT_AUTHORIZATION         | the new authorization status (authorized, refused, cancelled, pending_fraud_approval) |
 * | PAYMENT_PARTNER_TRANSACTION   | the tender's new status (authorized, refused, failed, unknown, requires_action, cancelled…) |
 * | PAYMENT_FRAUD_REVIEW          | held, released, cancelled                     |
 * | PAYMENT_CAPTURE / _VOID / _REFUND | created, succeeded, failed               |
 */
export const MERCHANT_EVENT_TYPES = [
  'CLIENT_SESSION_STATUS',
  'PAYMENT_AUTHORIZATION',
  'PAYMENT_PARTNER_TRANSACTION',
  'PAYMENT_FRAUD_REVIEW',
  'PAYMENT_CAPTURE',
  'PAYMENT_VOID',
  'PAYMENT_REFUND',
] as const;
export type MerchantEventType = (typeof MERCHANT_EVENT_TYPES)[number];

export interface MerchantEventDraft {
  type: MerchantEventType;
  action: string;
  /** What the event is about, besides the payment or session object itself. */
  subject?: Record<string, unknown>;
}

export interface WebhookConfig {
  url: string;
  headers?: Array<{ name: string; values: string[] }>;
  event_types?: string[];
}

const OPERATION_EVENT: Record<string, MerchantEventType> = {
  CAPTURE: 'PAYMENT_CAPTURE',
  VOID: 'PAYMENT_VOID',
  REFUND: 'PAYMENT_REFUND',
};

/** What changed between two versions of a payment, as merchant events (pure). */
export function paymentEvents(
  before: PaymentAggregate | undefined,
  after: PaymentAggregate,
): MerchantEventDraft[] {
  const events: MerchantEventDraft[] = [];
  for (const tender of after.partnerTransactions) {
    const previous = before?.partnerTransactions.find((t) => t.id === tender.id);
    if (previous && previous.status !== tender.status) {
      events.push({
        type: 'PAYMENT_PARTNER_TRANSACTION',
        action: tender.status.toLowerCase(),
        subject: { partner_transaction_id: tender.id, partner: tender.partner, method: tender.method },
      });
    }
  }
  if (before && before.status !== after.status) {
    events.push({ type: 'PAYMENT_AUTHORIZATION', action: after.status.toLowerCase() });
    if (after.status === 'PENDING_FRAUD_APPROVAL')
      events.push({ type: 'PAYMENT_FRAUD_REVIEW', action: 'held' });
    if (before.status === 'PENDING_FRAUD_APPROVAL') {
      events.push({
        type: 'PAYMENT_FRAUD_REVIEW',
        action: after.status === 'AUTHORIZED' ? 'released' : 'cancelled',
      });
    }
  }
  for (const operation of after.operations) {
    const previous = before?.operations.find((o) => o.id === operation.id);
    const subject = { operation_id: operation.id, amount: Number(operation.amount) };
    if (!previous) events.push({ type: OPERATION_EVENT[operation.type], action: 'created', subject });
    if (operation.status !== 'PENDING' && previous?.status !== operation.status) {
      events.push({
        type: OPERATION_EVENT[operation.type],
        action: operation.status === 'SUCCESS' ? 'succeeded' : 'failed',
        subject,
      });
    }
  }
  return events;
}

export function wantsEvent(config: WebhookConfig | null | undefined, type: string): config is WebhookConfig {
  return !!config?.url && (!config.event_types?.length || config.event_types.includes(type));
}

/**
 * Records events in the caller's transaction (the one that made the change) and returns their
 * delivery jobs for the outbox: an event exists exactly when its change committed.
 */
export async function recordMerchantEvents(
  tx: Sql,
  target: EventTarget,
  drafts: MerchantEventDraft[],
): Promise<QueuedJob[]> {
  const { statement, jobs } = merchantEventsWrite(target, drafts);
  if (statement) await runStatement(tx, statement);
  return jobs;
}

interface EventTarget {
  entityId: string;
  paymentId?: string;
  clientSessionId?: string;
  version: number;
  webhook: WebhookConfig | null;
  object: Record<string, unknown>;
  objectName: 'payment' | 'client_session';
}

/** What `recordMerchantEvents` writes, as a statement to run or combine, and the delivery jobs. */
export interface EventsWrite {
  statement?: Statement;
  jobs: QueuedJob[];
}

function merchantEventsWrite(target: EventTarget, drafts: MerchantEventDraft[]): EventsWrite {
  if (drafts.length === 0) return { jobs: [] };
  const now = new Date();
  const rows = drafts.map((draft): NewMerchantEvent => {
    const id = newId(now.getTime());
    const deliver = wantsEvent(target.webhook, draft.type);
    return {
      id,
      entityId: target.entityId,
      paymentId: target.paymentId ?? null,
      clientSessionId: target.clientSessionId ?? null,
      type: draft.type,
      objectVersion: target.version,
      payload: {
        id,
        type: draft.type,
        action: draft.action,
        timestamp: now.toISOString(),
        entity_id: target.entityId,
        version: target.version,
        data: { ...(draft.subject ?? {}), [target.objectName]: target.object },
      },
      url: deliver ? target.webhook!.url : null,
      headers: deliver ? (target.webhook!.headers ?? []) : null,
      status: deliver ? 'PENDING' : 'SKIPPED',
    };
  });
  const statement = insertMerchantEvents(rows, now);
  const jobs = rows
    .filter((row) => row.status === 'PENDING')
    .map((row) => ({
      queue: WEBHOOK_QUEUE,
      name: 'deliver',
      jobId: `deliver-${row.id}`,
      data: { eventId: row.id },
    }));
  return { statement, jobs };
}

/**
 * Records the merchant events of a payment change (before → after) in the same transaction. `view`
 * is `presentPayment(after)` when the caller has it already.
 */
export async function recordPaymentEvents(
  tx: Sql,
  before: PaymentAggregate | undefined,
  after: PaymentAggregate,
  webhook: WebhookConfig | null,
  view?: Record<string, unknown>,
): Promise<QueuedJob[]> {
  const { statement, jobs } = paymentEventsWrite(before, after, webhook, view);
  if (statement) await runStatement(tx, statement);
  return jobs;
}

/** What `recordPaymentEvents` writes, as a statement to run or combine with other writes, and the jobs. */
export function paymentEventsWrite(
  before: PaymentAggregate | undefined,
  after: PaymentAggregate,
  webhook: WebhookConfig | null,
  view?: Record<string, unknown>,
): EventsWrite {
  const drafts = paymentEvents(before, after);
  if (drafts.length === 0) return { jobs: [] };
  return merchantEventsWrite(
    {
      entityId: after.entityId,
      paymentId: after.id,
      clientSessionId: after.clientSessionId ?? undefined,
      version: after.version,
      webhook,
      object: view ?? presentPayment(after),
      objectName: 'payment',
    },
    drafts,
  );
}

/** Records a CLIENT_SESSION_STATUS event for the session's current status (call after changing it). */
export async function recordSessionStatusEvent(tx: Sql, sessionId: string): Promise<QueuedJob[]> {
  const session = await loadSessionEventSource(tx, sessionId);
  if (!session) return [];
  return recordMerchantEvents(
    tx,
    {
      entityId: session.entityId,
      clientSessionId: session.id,
      paymentId: session.paymentId ?? undefined,
      version: session.version,
      webhook: session.webhook as WebhookConfig | null,
      object: {
        id: session.id,
        status: session.status,
        amount: Number(session.amount),
        currency: session.currency,
        entity_id: session.entityId,
        ...(session.paymentId ? { payment_id: session.paymentId } : {}),
        expires_at: session.expiresAt.toISOString(),
        version: session.version,
      },
      objectName: 'client_session',
    },
    [{ type: 'CLIENT_SESSION_STATUS', action: session.status.toLowerCase() }],
  );
}
