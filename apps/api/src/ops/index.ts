import type { NestExpressApplication } from '@nestjs/platform-express';
import type Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { Outbox, REDIS } from '@tender/infra';
import { Database } from '@tender/persistence';
import { metricsEndpoint } from './metrics-endpoint';
import { installQueueDashboard } from './queue-dashboard';
import { QueueDirectory } from './queues';

export { httpObservability } from './http-observability';

/** `GET /metrics` and the queue dashboard, on the Express app before Nest's routes. */
export async function installOps(app: NestExpressApplication, config: TenderConfig): Promise<void> {
  const express = app.getHttpAdapter().getInstance();
  const queues = new QueueDirectory(app.get(Outbox), app.get<Redis>(REDIS), config);
  express.get('/metrics', metricsEndpoint(app.get(Database), queues, config));
  await installQueueDashboard(express, queues, config);
}
