import { WEBHOOK_QUEUE, type QueuedJob } from './queues';

/**
 * The webhook jobs, shared by the API (which writes them to the outbox) and the worker (which runs
 * them). Pure: no Nest, no I/O.
 *
 * Merchant deliveries (`WEBHOOK_QUEUE`, name `deliver`):
 *   - `{ eventId }`: the first attempt, written by `recordMerchantEvents` with id `deliver-<eventId>`;
 *   - `{ eventId, due }`: a retry or a redelivery, `due` = the event's `next_attempt_at` when the job
 *     was planned. It runs only while the event still has that `next_attempt_at`, so a retry planned
 *     before a redelivery (or before another run recorded the attempt) is a no-op.
 *
 * Partner events (`PARTNER_EVENT_QUEUE`, name `process`): `{ partnerEventId, accountIds, … }`, one
 * per stored `partner_event` row; the account ids are the partner accounts whose webhook secret
 * verified the event, so the hint is only applied to transactions of their entities.
 */
export const PARTNER_EVENT_QUEUE = 'partner-events';

export interface DeliveryJobData {
  eventId: string;
  /** ISO `next_attempt_at` this job was planned for (absent on the first attempt). */
  due?: string;
}

export interface PartnerEventJobData {
  partnerEventId: string;
  /** Partner accounts whose webhook secret verified the event. */
  accountIds: string[];
  /** What the adapter read from the event: the partner's id of the object, and our reference. */
  partnerReference?: string;
  reference?: string;
}

/** A retry (or redelivery) of a merchant event, due at `due`. */
export function deliveryJob(eventId: string, due: Date, kind: 'retry' | 'redeliver' = 'retry'): QueuedJob {
  const delayMs = Math.max(0, due.getTime() - Date.now());
  return {
    queue: WEBHOOK_QUEUE,
    name: 'deliver',
    // One id per planned attempt: BullMQ ignores an add whose id it still holds (the sweeper relies on it).
    jobId: `${kind === 'retry' ? 'deliver' : 'redeliver'}-${eventId}-${due.getTime()}`,
    data: { eventId, due: due.toISOString() } satisfies DeliveryJobData,
    ...(delayMs > 0 ? { delayMs } : {}),
  };
}

export function partnerEventJob(data: PartnerEventJobData): QueuedJob {
  return {
    queue: PARTNER_EVENT_QUEUE,
    name: 'process',
    jobId: `partner-event-${data.partnerEventId}`,
    data: { ...data },
  };
}
