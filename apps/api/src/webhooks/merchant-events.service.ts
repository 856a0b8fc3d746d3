import { Injectable } from '@nestjs/common';
import { Outbox } from '@tender/infra';
import {
  Database,
  enableEndpoint,
  findPaymentMerchantEvent,
  listMerchantEvents,
  paymentExists,
  restartMerchantEventDelivery,
  type MerchantEventRecord as MerchantEvent,
  type MerchantEventWithAttempts as EventWithAttempts,
} from '@tender/persistence';
import { deliveryJob } from '@tender/infra';
import { presentableDeliveryError } from '@tender/infra/webhook-delivery-errors';
import { maskWebhookInPayload } from '@tender/payments';
import { ApiError } from '../http/api-error';

/**
 * The order in which one change records its events (see `paymentEvents`): events of the same
 * change share `created_at`, and their UUIDv7 ids only order them to the millisecond.
 */
const TYPE_RANK: Record<string, number> = {
  PAYMENT_PARTNER_TRANSACTION: 0,
  PAYMENT_AUTHORIZATION: 1,
  PAYMENT_FRAUD_REVIEW: 2,
  PAYMENT_CAPTURE: 3,
  PAYMENT_VOID: 3,
  PAYMENT_REFUND: 3,
  CLIENT_SESSION_STATUS: 4,
};

const action = (event: MerchantEvent): string | null => {
  const payload = event.payload as { action?: unknown } | null;
  return typeof payload?.action === 'string' ? payload.action : null;
};

function creationOrder(a: MerchantEvent, b: MerchantEvent): number {
  return (
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (TYPE_RANK[a.type] ?? 9) - (TYPE_RANK[b.type] ?? 9) ||
    Number(action(b) === 'created') - Number(action(a) === 'created') ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function presentMerchantEvent(event: EventWithAttempts): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    action: action(event),
    created_at: event.createdAt.toISOString(),
    status: event.status,
    url: event.url,
    attempts: event.attempts,
    next_attempt_at: event.nextAttemptAt?.toISOString() ?? null,
    delivered_at: event.deliveredAt?.toISOString() ?? null,
    last_error: presentableDeliveryError(event.lastError),
    payload: maskWebhookInPayload(event.payload),
    delivery_attempts: event.attemptsLog.map((attempt) => ({
      attempted_at: attempt.attemptedAt.toISOString(),
      response_status: attempt.responseStatus,
      error: presentableDeliveryError(attempt.error),
      duration_ms: attempt.durationMs,
    })),
  };
}

/**
 * A payment's merchant events with their delivery state, and redelivery on demand.
 *
 * Redelivery sets the event back to PENDING with a fresh delivery cycle (`attempts` = 0, the
 * retry schedule starts over; `delivery_attempts` keeps every attempt ever made) and enqueues an
 * attempt now (`redeliver-<event>-<ms>`). It is an explicit request to send to that URL, so a
 * disabled endpoint is re-enabled (its `failing_since` restarts at the next failure).
 * Events that were never to be sent (SKIPPED: no webhook URL, or type filtered out) answer 422.
 */
@Injectable()
export class MerchantEventsService {
  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
  ) {}

  async list(entityId: string, paymentId: string): Promise<{ data: Array<Record<string, unknown>> }> {
    await this.requirePayment(entityId, paymentId);
    const events = await listMerchantEvents(this.db, paymentId, entityId);
    return { data: events.sort(creationOrder).map(presentMerchantEvent) };
  }

  async redeliver(entityId: string, paymentId: string, eventId: string): Promise<Record<string, unknown>> {
    await this.requirePayment(entityId, paymentId);
    const event = await findPaymentMerchantEvent(this.db, eventId, paymentId, entityId);
    if (!event) throw ApiError.notFound('event', eventId);
    if (!event.url) {
      throw ApiError.unprocessable(
        'event_not_deliverable',
        'This event was never to be sent: the payment has no webhook URL, or its event_types leave this type out.',
      );
    }
    const url = event.url;
    const due = new Date();
    const job = deliveryJob(event.id, due, 'redeliver');
    const { updated, outboxIds } = await this.db.transaction(async (tx) => {
      const updated = await restartMerchantEventDelivery(tx, event.id, due);
      await enableEndpoint(tx, entityId, url);
      return { updated, outboxIds: await this.outbox.write(tx, [job]) };
    });
    await this.outbox.publish([job], outboxIds);
    return presentMerchantEvent(updated);
  }

  private async requirePayment(entityId: string, paymentId: string): Promise<void> {
    if (!(await paymentExists(this.db, paymentId, entityId))) throw ApiError.notFound('payment', paymentId);
  }
}
