import type { ConnectionOptions, JobsOptions } from 'bullmq';

/** One queue per partner, so a slow or failing partner never blocks another. */
export const partnerQueueName = (partner: string): string => `partner-${partner}`;
export const WEBHOOK_QUEUE = 'merchant-webhooks';
export const MAINTENANCE_QUEUE = 'maintenance';

/**
 * Jobs on a partner queue. Job ids are our partner transaction (or operation leg) ids.
 * A `readOnly` reconciliation (asked for by a GET refresh, a partner webhook, a shopper's return)
 * looks the transaction up and records what it finds, but never sends anything to the partner.
 */
export type PartnerJob =
  | { kind: 'authorize'; tenderId: string }
  | { kind: 'reconcile-authorization'; tenderId: string; readOnly?: boolean }
  | { kind: 'approve'; tenderId: string }
  | { kind: 'operation'; legId: string }
  | { kind: 'reconcile-operation'; legId: string; readOnly?: boolean };

/** A job to enqueue once the transaction that decided it has committed (see the outbox). */
export interface QueuedJob {
  queue: string;
  name: string;
  jobId: string;
  data: Record<string, unknown>;
  delayMs?: number;
}

export function partnerJob(partner: string, job: PartnerJob, delayMs?: number): QueuedJob {
  const id = 'tenderId' in job ? job.tenderId : job.legId;
  // BullMQ dedupes on job id while the job exists; delayed reconciliations get their own id per check.
  const jobId = delayMs ? `${job.kind}-${id}-${Date.now()}` : `${job.kind}-${id}`;
  return { queue: partnerQueueName(partner), name: job.kind, jobId, data: job, delayMs };
}

/**
 * Retries for crashes and infrastructure errors (the handler itself decides about partner
 * outcomes): exponential backoff with jitter, and completed jobs kept a while for the dashboard.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function redisConnectionOptions(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}
