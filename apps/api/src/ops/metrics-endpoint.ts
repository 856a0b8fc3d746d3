import type { Request, Response } from 'express';
import type { TenderConfig } from '@tender/config';
import { AUTHORIZATION_STATUSES } from '@tender/domain';
import {
  countMerchantEventsByStatus,
  countOutboxRows,
  countPaymentsByStatus,
  countUnknownOutcomes,
  type Database,
} from '@tender/persistence';
import {
  getLogger,
  metricsAuthorized,
  metricsServed,
  outboxPending,
  paymentsByStatus,
  queueJobs,
  registry,
  unknownOutcomes,
  webhookEvents,
} from '@tender/observability';
import type { QueueDirectory } from './queues';

const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'paused',
  'failed',
  'completed',
] as const;
const WEBHOOK_BACKLOG_STATUSES = ['PENDING', 'FAILED'];
const SCRAPE_QUERY_TIMEOUT_MS = 3000;

/**
 * `GET /metrics`: the process's metrics in Prometheus text format, with the backlog gauges read
 * from Postgres and Redis at scrape time. Public, unless METRICS_TOKEN is set (then Bearer); in
 * production without METRICS_TOKEN, not served (404).
 */
export function metricsEndpoint(
  db: Database,
  queues: QueueDirectory,
  config: TenderConfig,
): (req: Request, res: Response) => Promise<void> {
  const log = getLogger('metrics');
  const gauges: Array<[string, { reset(): void }, () => Promise<void>]> = [
    [
      'payments',
      paymentsByStatus,
      async () => {
        const rows = await countPaymentsByStatus(db);
        for (const status of AUTHORIZATION_STATUSES) paymentsByStatus.set({ status }, 0);
        for (const row of rows) paymentsByStatus.set({ status: row.status }, row.count);
      },
    ],
    [
      'webhook events',
      webhookEvents,
      async () => {
        const rows = await countMerchantEventsByStatus(db, WEBHOOK_BACKLOG_STATUSES);
        for (const status of WEBHOOK_BACKLOG_STATUSES) webhookEvents.set({ status }, 0);
        for (const row of rows) webhookEvents.set({ status: row.status }, row.count);
      },
    ],
    [
      'unknown outcomes',
      unknownOutcomes,
      async () => {
        unknownOutcomes.set(await countUnknownOutcomes(db));
      },
    ],
    ['outbox', outboxPending, async () => outboxPending.set(await countOutboxRows(db))],
    [
      'queues',
      queueJobs,
      async () => {
        const counts = await Promise.all(
          (await queues.queues()).map(
            async (queue) => [queue.name, await queue.getJobCounts(...QUEUE_STATES)] as const,
          ),
        );
        queueJobs.reset();
        for (const [queue, byState] of counts)
          for (const state of QUEUE_STATES) queueJobs.set({ queue, state }, byState[state] ?? 0);
      },
    ],
  ];

  const served = metricsServed(config.NODE_ENV, config.METRICS_TOKEN);
  return async (req, res) => {
    if (!served) {
      res.status(404).end();
      return;
    }
    if (!metricsAuthorized(req.headers.authorization, config.METRICS_TOKEN)) {
      res.status(401).setHeader('WWW-Authenticate', 'Bearer realm="tender-metrics"').end();
      return;
    }
    // A gauge that cannot be read is left out of this scrape (absent, not stale).
    await Promise.all(
      gauges.map(([name, gauge, refresh]) =>
        withTimeout(refresh(), SCRAPE_QUERY_TIMEOUT_MS).catch((error: unknown) => {
          gauge.reset();
          log.warn({ err: error, gauge: name }, 'metrics: could not read a gauge');
        }),
      ),
    );
    const text = await registry.metrics();
    res.status(200).setHeader('Content-Type', registry.contentType).end(text);
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
