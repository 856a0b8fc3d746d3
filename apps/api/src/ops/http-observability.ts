import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthenticatedRequest } from '../auth/decorators';
import { getLogger, httpRequestDuration, withLogContext } from '@tender/observability';

type RoutedRequest = Request & { id?: string };

/** The route pattern that served a request (`/v2/payments/:id`), never the raw URL (ids, query strings). */
export function routeOf(req: Request): string {
  // Express types req.route as any.
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return (req.baseUrl || '') + path;
  return req.baseUrl ? `${req.baseUrl}/*` : 'unmatched';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Probes and scrapes: logged at debug when they succeed, so they do not drown the access log. */
const QUIET = /^\/(health(\/|$)|metrics$)/;

function accessFields(req: Request, res: Response, durationMs: number): Record<string, unknown> {
  const route = routeOf(req);
  const id = (req.params as Record<string, string> | undefined)?.id;
  return {
    method: req.method,
    route,
    status: res.statusCode,
    duration_ms: durationMs,
    entity_id: (req as AuthenticatedRequest).auth?.entityId,
    payment_id: /\/payments\/:id(\/|$)/.test(route) && UUID.test(id ?? '') ? id : undefined,
  };
}

/**
 * Middleware, right after the request id: a log context carrying `request_id` for everything
 * logged while the request runs, one access log line per request (never bodies,
 * headers or query strings), and `tender_http_request_duration_seconds`.
 */
export function httpObservability(): RequestHandler[] {
  const context: RequestHandler = (req, _res, next) =>
    withLogContext({ request_id: (req as RoutedRequest).id }, next);

  // One line per request when it ends (a logger per request, as pino-http makes, costs more than the line).
  const log = getLogger();
  const accessLog: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : 499;
      const level = status >= 500 ? 'error' : QUIET.test(req.path) ? 'debug' : 'info';
      if (!log.isLevelEnabled(level)) return;
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      log[level](
        { request_id: (req as RoutedRequest).id, ...accessFields(req, res, durationMs), status },
        `${req.method} ${routeOf(req)} ${status}`,
      );
    });
    next();
  };

  const metrics = (req: Request, res: Response, next: NextFunction) => {
    const end = httpRequestDuration.startTimer();
    res.once('close', () =>
      end({
        method: req.method,
        route: routeOf(req),
        // Closed before the answer was complete: the client went away (nginx's 499).
        status: String(res.writableFinished ? res.statusCode : 499),
      }),
    );
    next();
  };

  return [context, accessLog, metrics];
}
