import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CONFIG, Outbox, WEBHOOK_QUEUE, type QueuedJob } from '@tender/infra';
import {
  DataCipher,
  newId,
  openWebhookHeaders,
  openWebhookSecret,
  PrismaClient,
  clearEndpointFailing,
  Database,
  disableEndpoint,
  failPendingMerchantEvent,
  failPendingMerchantEventsTo,
  insertDeliveryAttempt,
  markEndpointFailing,
  recordEventAttemptFailed,
  recordEventDelivered,
  findOverdueMerchantEvents,
  loadMerchantEvent,
  type DeliveryFence,
  type MerchantEventRecord,
} from '@tender/persistence';
import type { WebhookEndpoint } from '@tender/persistence/generated/prisma/client';
import { deliveryJob, type DeliveryJobData } from '@tender/infra';
import { isForbiddenWebhookHeader } from '@tender/infra/webhook-headers';
import {
  coarseDeliveryError,
  httpStatusError,
  type DeliveryError,
} from '@tender/infra/webhook-delivery-errors';
import { maskWebhookInPayload } from '@tender/payments/webhook-view';
import { WebhookHttpClient } from './guarded-http';
import { retryDelayMs } from './retry-schedule';
import { standardWebhookHeaders } from './signing';

const USER_AGENT = 'Tender-Webhooks/1.0';
export const ENDPOINT_DISABLED = 'endpoint disabled';
/** A planned attempt this much overdue with no job in the queue is re-enqueued by the sweeper. */
const OVERDUE_MS = 15 * 60_000;

interface AttemptOutcome {
  attemptedAt: Date;
  ok: boolean;
  responseStatus?: number;
  /** Coarse (webhook-delivery-errors.ts): never a raw socket error nor a response body. */
  error?: DeliveryError;
  durationMs: number;
}

type Fence = DeliveryFence & { status: 'PENDING' };

/**
 * Delivers merchant events (Standard Webhooks) at least once, possibly out of order: the payload
 * carries the event id and the object's `version` for the merchant to dedupe and order.
 *
 * One job = one attempt. The outcome is recorded in one transaction: a `webhook_delivery_attempt`
 * row, the event (`attempts`, `last_error`, `next_attempt_at` or DELIVERED / FAILED), the endpoint's
 * health, and, after a failure, the next attempt as a delayed job through the outbox
 * (`deliver-<event>-<due ms>`, see jobs.ts and retry-schedule.ts). The job then completes: BullMQ's
 * own retries are kept for crashes of ours (database down…), which re-run the job harmlessly.
 *
 * Idempotence: a job runs only while the event is PENDING and is still planned for that job
 * (`next_attempt_at` = the job's `due`; none and no attempt yet for the first job), and the outcome
 * is only applied if the event has not moved meanwhile (same `attempts` and `next_attempt_at`).
 * Two runs of one job may both POST (at least once); only the first outcome counts, both are logged.
 *
 * Endpoints (`webhook_endpoint`, one per entity and URL): a 2xx clears `failing_since`; a failure
 * sets it if unset; an endpoint failing continuously for longer than WEBHOOK_DISABLE_AFTER_MS is
 * disabled (`disabled_at`, error log) and its pending events FAILED with `endpoint disabled`: it is
 * not called again until a redelivery is asked for explicitly (which re-enables it).
 */
@Injectable()
export class MerchantWebhookDelivery {
  private readonly logger = new Logger('merchant-webhooks');
  private readonly http: WebhookHttpClient;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly db: Database,
    private readonly cipher: DataCipher,
    private readonly outbox: Outbox,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {
    this.http = new WebhookHttpClient(config.WEBHOOK_ALLOW_PRIVATE_NETWORKS);
  }

  async handle(job: DeliveryJobData): Promise<void> {
    const event = await loadMerchantEvent(this.db, job.eventId);
    if (!event || event.status !== 'PENDING' || !event.url) return;
    const planned =
      job.due === undefined
        ? event.attempts === 0 && event.nextAttemptAt === null
        : event.nextAttemptAt?.toISOString() === job.due;
    if (!planned) return; // superseded by a later plan (retry recorded, redelivery asked)
    const fence: Fence = {
      id: event.id,
      status: 'PENDING',
      attempts: event.attempts,
      nextAttemptAt: event.nextAttemptAt,
    };

    const endpoint = await this.endpoint(event.entityId, event.url);
    if (endpoint.disabledAt) {
      await failPendingMerchantEvent(this.db, fence, ENDPOINT_DISABLED);
      return;
    }
    const outcome = await this.attempt(event, event.url);
    await this.record(event, fence, endpoint, outcome);
  }

  /** One POST of the event to its URL. Never throws: every failure is an outcome. */
  private async attempt(event: MerchantEventRecord, url: string): Promise<AttemptOutcome> {
    const attemptedAt = new Date();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const secrets = await this.activeSecrets(event.entityId, attemptedAt);
    if (secrets.length === 0) {
      return { attemptedAt, ok: false, error: 'no_webhook_secret', durationMs: 0 };
    }
    // Events stored before header values became write-only may still hold them in their payload.
    const body = JSON.stringify(maskWebhookInPayload(event.payload));
    const headers: Record<string, string[]> = {};
    for (const header of merchantHeaders(openWebhookHeaders(this.cipher, event.headers))) {
      if (isForbiddenWebhookHeader(header.name)) continue; // refused by the API since; older events
      (headers[header.name.toLowerCase()] ??= []).push(...header.values);
    }
    headers['content-type'] = ['application/json'];
    headers['user-agent'] = [USER_AGENT];
    for (const [name, value] of Object.entries(
      standardWebhookHeaders(secrets, event.id, attemptedAt, body),
    )) {
      headers[name] = [value];
    }
    try {
      const status = await this.http.post({ url, headers, body, timeoutMs: this.config.WEBHOOK_TIMEOUT_MS });
      const ok = status >= 200 && status < 300; // a redirect is not a delivery
      return {
        attemptedAt,
        ok,
        responseStatus: status,
        ...(ok ? {} : { error: httpStatusError(status) }),
        durationMs: elapsed(),
      };
    } catch (error) {
      const coarse = coarseDeliveryError(error);
      if (coarse === 'blocked_address') {
        this.logger.warn(`event ${event.id}: ${origin(url)} refused: ${(error as Error).message}`);
      }
      return { attemptedAt, ok: false, error: coarse, durationMs: elapsed() };
    }
  }

  private async record(
    event: MerchantEventRecord,
    fence: Fence,
    endpoint: WebhookEndpoint,
    outcome: AttemptOutcome,
  ): Promise<void> {
    const now = new Date();
    const none = {
      jobs: [] as QueuedJob[],
      outboxIds: [] as string[],
      gaveUp: false,
      disabledSince: undefined,
    };
    const result: { jobs: QueuedJob[]; outboxIds: string[]; gaveUp: boolean; disabledSince?: Date } =
      await this.db.transaction(async (tx) => {
        await insertDeliveryAttempt(tx, {
          id: newId(outcome.attemptedAt.getTime()),
          eventId: event.id,
          attemptedAt: outcome.attemptedAt,
          responseStatus: outcome.responseStatus ?? null,
          error: outcome.error ?? null,
          durationMs: outcome.durationMs,
        });
        const attempts = event.attempts + 1;

        if (outcome.ok) {
          if (await recordEventDelivered(tx, fence, attempts, now))
            await clearEndpointFailing(tx, endpoint.id);
          return none;
        }

        const delay = retryDelayMs(
          this.config.WEBHOOK_RETRY_SCHEDULE_MS,
          attempts,
          this.config.WEBHOOK_RETRY_JITTER,
        );
        const next = delay === undefined ? null : new Date(now.getTime() + delay);
        const recorded = await recordEventAttemptFailed(tx, fence, {
          attempts,
          lastError: outcome.error ?? 'failed',
          nextAttemptAt: next,
        });
        if (!recorded) return none; // another run recorded this attempt

        const health = await markEndpointFailing(tx, endpoint.id, outcome.attemptedAt);
        if (
          !health.disabledAt &&
          health.failingSince &&
          now.getTime() - health.failingSince.getTime() > this.config.WEBHOOK_DISABLE_AFTER_MS
        ) {
          await disableEndpoint(tx, endpoint.id, now);
          await failPendingMerchantEventsTo(tx, event.entityId, health.url, ENDPOINT_DISABLED);
          return { ...none, disabledSince: health.failingSince };
        }
        const jobs = next ? [deliveryJob(event.id, next)] : [];
        return { jobs, outboxIds: await this.outbox.write(tx, jobs), gaveUp: next === null };
      });
    await this.outbox.publish(result.jobs, result.outboxIds);

    const { disabledSince } = result;
    if (disabledSince) {
      this.logger.error(
        `webhook endpoint ${endpoint.id} (${origin(endpoint.url)}) of entity ${event.entityId} disabled: ` +
          `failing since ${disabledSince.toISOString()}; its pending events are FAILED until a redelivery re-enables it`,
      );
    } else if (result.gaveUp) {
      this.logger.warn(
        `gave up delivering event ${event.id} to ${origin(event.url!)} after ${event.attempts + 1} attempts: ${outcome.error}`,
      );
    }
  }

  /**
   * Re-enqueues planned attempts whose job is gone (a Redis that lost data, a job that exhausted
   * BullMQ's crash retries): PENDING events well past their `next_attempt_at` (or, never tried,
   * past their creation) with no live job. Run periodically by the worker.
   */
  async requeueOverdue(now = new Date(), batch = 200): Promise<number> {
    const before = new Date(now.getTime() - OVERDUE_MS);
    const overdue = await findOverdueMerchantEvents(this.db, before, batch);
    const queue = this.outbox.queue(WEBHOOK_QUEUE);
    let requeued = 0;
    for (const event of overdue) {
      const due = event.nextAttemptAt;
      const ids = due
        ? [`deliver-${event.id}-${due.getTime()}`, `redeliver-${event.id}-${due.getTime()}`]
        : [`deliver-${event.id}`];
      const existing = (await Promise.all(ids.map((id) => queue.getJob(id)))).filter((job) => !!job);
      if (existing.length) {
        for (const job of existing) if (await job.isFailed()) await job.retry('failed');
        continue;
      }
      const job = due ? deliveryJob(event.id, due) : undefined;
      await queue.add('deliver', job ? job.data : { eventId: event.id }, { jobId: job?.jobId ?? ids[0] });
      requeued += 1;
    }
    if (requeued) this.logger.warn(`re-enqueued ${requeued} overdue webhook deliveries`);
    return requeued;
  }

  private async endpoint(entityId: string, url: string): Promise<WebhookEndpoint> {
    const where = { entityId_url: { entityId, url } };
    const existing = await this.prisma.webhookEndpoint.findUnique({ where });
    if (existing) return existing;
    try {
      return await this.prisma.webhookEndpoint.create({ data: { id: newId(), entityId, url } });
    } catch (error) {
      if ((error as { code?: string } | null)?.code !== 'P2002') throw error;
      return this.prisma.webhookEndpoint.findUniqueOrThrow({ where });
    }
  }

  /** The entity's secrets that have not expired, newest (the one without expiry) first. */
  private async activeSecrets(entityId: string, now: Date): Promise<string[]> {
    const secrets = await this.prisma.webhookSecret.findMany({
      where: { entityId, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      orderBy: [{ expiresAt: { sort: 'desc', nulls: 'first' } }, { id: 'desc' }],
      select: { secret: true },
    });
    return secrets.map((s) => openWebhookSecret(this.cipher, s.secret));
  }
}

function merchantHeaders(value: unknown): Array<{ name: string; values: string[] }> {
  if (!Array.isArray(value)) return [];
  return (value as unknown[]).filter((h): h is { name: string; values: string[] } => {
    const header = h as { name?: unknown; values?: unknown } | null;
    return (
      !!header &&
      typeof header.name === 'string' &&
      Array.isArray(header.values) &&
      header.values.every((v: unknown) => typeof v === 'string')
    );
  });
}

/** Scheme, host and port of a URL: enough to identify an endpoint in logs without its path or query secrets. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '<invalid url>';
  }
}
