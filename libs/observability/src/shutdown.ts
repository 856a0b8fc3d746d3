import type { Server } from 'node:http';
import { getLogger, logLifecycle } from './logger';

/** Time allowed, after draining, to close the database and Redis connections before giving up. */
const CLOSE_GRACE_MS = 5000;

/**
 * On SIGTERM or SIGINT, runs `shutdown` once and exits 0 (1 when it fails, or when it exceeds
 * `drainTimeoutMs` + 5 s of closing). Later signals are ignored: a supervisor (or `npm start`)
 * forwarding Ctrl-C as SIGTERM does not cut the drain short.
 *
 * We do not use Nest's `enableShutdownHooks()`: Nest runs `onModuleDestroy` (which closes Postgres
 * and Redis) before it stops the HTTP server and before `onApplicationShutdown` (which closes the
 * BullMQ workers), so in-flight requests and jobs would lose their connections; and it re-raises
 * the signal, so the process never exits 0.
 */
export function onShutdownSignal(drainTimeoutMs: number, shutdown: (signal: string) => Promise<void>): void {
  const log = getLogger('lifecycle');
  let started = false;
  const handle = (signal: NodeJS.Signals) => {
    if (started) {
      logLifecycle('already shutting down', { signal });
      return;
    }
    started = true;
    logLifecycle('shutting down', { signal, timeout_ms: drainTimeoutMs });
    const deadline = setTimeout(() => {
      log.error('shutdown took too long, exiting');
      process.exit(1);
    }, drainTimeoutMs + CLOSE_GRACE_MS);
    deadline.unref();
    shutdown(signal).then(
      () => {
        logLifecycle('shut down');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/**
 * Stops accepting connections and waits (at most `timeoutMs`) for in-flight requests to finish,
 * closing keep-alive connections as soon as they are idle; past the bound, closes the rest.
 * Resolves to whether every request finished in time.
 */
export function drainHttpServer(server: Server, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (inTime: boolean) => {
      if (done) return;
      done = true;
      clearInterval(sweeper);
      clearTimeout(timer);
      if (!inTime) server.closeAllConnections();
      resolve(inTime);
    };
    server.close(() => finish(true));
    // A keep-alive connection becomes idle when its request ends: close it then, not at the bound.
    server.closeIdleConnections();
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    const timer = setTimeout(() => {
      getLogger('lifecycle').warn({ timeout_ms: timeoutMs }, 'requests still running at the shutdown bound');
      finish(false);
    }, timeoutMs);
  });
}
