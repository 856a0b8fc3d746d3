import { ConfigError, DEVELOPMENT_DATA_KEY_WARNING, loadConfig } from '@tender/config';
import { createApiApp } from './app';
import { drainHttpServer, getLogger, logLifecycle, onShutdownSignal } from '@tender/observability';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  if (config.DATA_ENCRYPTION_KEYS_DEFAULTED) {
    getLogger().warn(DEVELOPMENT_DATA_KEY_WARNING);
  }
  await app.listen(config.PORT, config.HOST);
  // SIGTERM: stop accepting, let in-flight requests finish (bounded), then close Postgres and Redis.
  onShutdownSignal(config.SHUTDOWN_TIMEOUT_MS, async () => {
    await drainHttpServer(app.getHttpServer(), config.SHUTDOWN_TIMEOUT_MS);
    await app.close();
  });
  logLifecycle(
    `tender api listening on http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`,
    config.ADMIN_PASSWORD ? { queue_dashboard: '/admin/queues' } : {},
  );
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else getLogger().fatal({ err: error }, 'api failed to start');
  process.exit(1);
});
