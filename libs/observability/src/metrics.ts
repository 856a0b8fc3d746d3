import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { getLogger } from './logger';
import type { Readiness } from './readiness';

/**
 * The process's Prometheus registry and Tender's metrics. The API exposes it at `GET /metrics`,
 * the worker on its own port (WORKER_METRICS_PORT): each process reports what it measures.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** API: every HTTP request, by route pattern (`/v2/payments/:id`), never the raw URL. */
export const httpRequestDuration = new Histogram({
  name: 'tender_http_request_duration_seconds',
  help: 'HTTP request latency by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

/** Worker: each partner adapter call. outcome: ok | unknown | rejected | protocol_error | error. */
export const partnerCallDuration = new Histogram({
  name: 'tender_partner_call_duration_seconds',
  help: 'Partner call latency by partner, operation and outcome (ok, unknown, rejected, protocol_error, error)',
  labelNames: ['partner', 'operation', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

/** Worker: each job run, by queue. */
export const jobDuration = new Histogram({
  name: 'tender_job_duration_seconds',
  help: 'Job processing time by queue and result (completed, failed)',
  labelNames: ['queue', 'result'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

/** Outbox rows enqueued by the relay: a publisher died between its commit and its enqueue. */
export const outboxRelayed = new Counter({
  name: 'tender_outbox_relayed_total',
  help: 'Jobs enqueued by the outbox relay (their publisher did not enqueue them)',
  registers: [registry],
});

export const outboxPublishFailures = new Counter({
  name: 'tender_outbox_publish_failures_total',
  help: 'Post-commit enqueues that failed and were left to the relay',
  registers: [registry],
});

// ---- read from Postgres / Redis when scraped (API) -----------------------------------------------

export const paymentsByStatus = new Gauge({
  name: 'tender_payments',
  help: 'Payments by current authorization status (read from the database at scrape time)',
  labelNames: ['status'] as const,
  registers: [registry],
});

export const queueJobs = new Gauge({
  name: 'tender_queue_jobs',
  help: 'BullMQ jobs by queue and state (read from Redis at scrape time)',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
});

export const webhookEvents = new Gauge({
  name: 'tender_webhook_events',
  help: 'Merchant webhook events awaiting delivery (PENDING) or given up (FAILED)',
  labelNames: ['status'] as const,
  registers: [registry],
});

export const unknownOutcomes = new Gauge({
  name: 'tender_unknown_outcomes',
  help: 'Partner transactions and operation legs whose outcome is UNKNOWN (the reconciler backlog)',
  registers: [registry],
});

export const outboxPending = new Gauge({
  name: 'tender_outbox_pending',
  help: 'Outbox rows not yet enqueued',
  registers: [registry],
});

/**
 * Whether `/metrics` is served at all: always outside production; in production only with a
 * METRICS_TOKEN to ask for (unset: 404, the backlog gauges are nobody's business).
 */
export function metricsServed(nodeEnv: string, token: string | undefined): boolean {
  return nodeEnv !== 'production' || !!token;
}

/** True when the request may read metrics: no token configured, or `Authorization: Bearer <token>`. */
export function metricsAuthorized(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const given = /^Bearer +(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!given) return false;
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(token));
}

export interface OpsServerOptions {
  port: number;
  host: string;
  metricsToken: string | undefined;
  nodeEnv: string;
  /** The readiness checks of `/health/ready` (see {@link checkReadiness}). */
  ready: () => Promise<Readiness>;
}

/**
 * The worker's own HTTP server: `GET /metrics` (rules of {@link metricsServed} and
 * {@link metricsAuthorized}: 404 in production without a token), and the public `GET /health`
 * (liveness) and `GET /health/ready` (200, or 503 when a dependency is down; ok or down for each,
 * never why). Resolves once listening; `close()` stops it.
 */
export async function startOpsServer(
  options: OpsServerOptions,
): Promise<{ port: number; close: () => Promise<void> }> {
  const served = metricsServed(options.nodeEnv, options.metricsToken);
  const json = (res: http.ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server = http.createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(404).end();
    } else if (path === '/health') {
      json(res, 200, { status: 'ok' });
    } else if (path === '/health/ready') {
      options.ready().then(
        (result) => json(res, result.status === 'ok' ? 200 : 503, result),
        (error: unknown) => {
          getLogger('health').error({ err: error }, 'readiness check failed');
          res.writeHead(500).end();
        },
      );
    } else if (path !== '/metrics' || !served) {
      res.writeHead(404).end();
    } else if (!metricsAuthorized(req.headers.authorization, options.metricsToken)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="tender-metrics"' }).end();
    } else {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => {
          getLogger('metrics').error({ err: error }, 'metrics collection failed');
          res.writeHead(500).end();
        },
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
