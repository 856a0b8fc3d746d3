import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { AuthenticatedRequest } from '../auth/decorators';
import { getLogger, httpRequestDuration, withLogContext } from '@tender/observability';

type RoutedRequest = Request & { id?: string; route?: { path?: unknown } };

/** The route pattern that served a request (`/v2/payments/:id`), never the raw URL (ids, query strings). */
export function routeOf(req: Request): string {
  const path = (req as RoutedRequest).route?.path;
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
 * logged while the request runs, one access log line per request (pino-http; never bodies,
 * headers or query strings), and `tender_http_request_duration_seconds`.
 */
export function httpObservability(): RequestHandler[] {
  const context: RequestHandler = (req, _res, next) =>
    withLogContext({ request_id: (req as RoutedRequest).id }, next);

  const accessLog = pinoHttp({
    logger: getLogger(),
    genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? '',
    // Only our fields (accessFields): pino-http's `req`/`res` objects would carry every header.
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
    customLogLevel: (req, res, error) =>
      error || res.statusCode >= 500
        ? 'error'
        : QUIET.test((req as IncomingMessage).url?.split('?')[0] ?? '')
          ? 'debug'
          : 'info',
    customSuccessObject: (req, res, values) =>
      accessFields(req as Request, res as Response, (values as { duration_ms: number }).duration_ms),
    customErrorObject: (req, res, _error, values) =>
      accessFields(req as Request, res as Response, (values as { duration_ms: number }).duration_ms),
    customSuccessMessage: (req, res) => `${req.method} ${routeOf(req as Request)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${routeOf(req as Request)} ${res.statusCode}`,
  }) as unknown as RequestHandler;

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
