import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, DEVELOPMENT_DATA_KEY_WARNING, loadConfig } from '@tender/config';
import { WorkerModule } from './worker.module';
import {
  drainWorkers,
  getLogger,
  initLogging,
  logLifecycle,
  onShutdownSignal,
  PinoNestLogger,
  startOpsServer,
  checkReadiness,
} from '@tender/observability';
import { REDIS } from '@tender/infra';
import { Database, pingDatabase } from '@tender/persistence';
import type Redis from 'ioredis';

async function main(): Promise<void> {
  const config = loadConfig();
  initLogging({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  if (config.DATA_ENCRYPTION_KEYS_DEFAULTED) {
    getLogger().warn(DEVELOPMENT_DATA_KEY_WARNING);
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new PinoNestLogger(),
  });
  const db = app.get(Database);
  const redis = app.get<Redis>(REDIS);
  // A taken port costs the metrics and health routes, not the payments: logged, and the worker runs on.
  const metrics = config.WORKER_METRICS_PORT
    ? await startOpsServer({
        port: config.WORKER_METRICS_PORT,
        host: config.HOST,
        metricsToken: config.METRICS_TOKEN,
        nodeEnv: config.NODE_ENV,
        ready: () =>
          checkReadiness({
            postgres: () => pingDatabase(db),
            redis: () => redis.ping(),
          }),
      }).catch((error: Error) => void getLogger().error({ err: error }, 'worker metrics server not started'))
    : undefined;
  // SIGTERM: take no new job, let running ones finish (bounded; the rest BullMQ re-runs later),
  // then close Postgres and Redis. Not Nest's shutdown hooks: they close connections first.
  onShutdownSignal(config.SHUTDOWN_TIMEOUT_MS, async () => {
    await drainWorkers(config.SHUTDOWN_TIMEOUT_MS);
    await app.close();
    await metrics?.close();
  });
  logLifecycle(`tender worker started (queue prefix "${config.QUEUE_PREFIX}")`, {
    ...(metrics
      ? {
          metrics: `http://${config.HOST}:${metrics.port}/metrics`,
          health: `http://${config.HOST}:${metrics.port}/health/ready`,
        }
      : {}),
  });
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else getLogger().fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
