import type { NextFunction, Request, Response } from 'express';
import { RequestTiming } from '@tender/observability';

/**
 * Every response says where its time went: `Server-Timing: total, partner, queue, tender`, where
 * `tender` = total − time waiting on partners. The benchmark measures Tender's overhead with it.
 */
export function serverTimingMiddleware(_req: Request, res: Response, next: NextFunction): void {
  const timing = new RequestTiming();
  const writeHead = res.writeHead.bind(res);
  res.writeHead = function (...args: Parameters<Response['writeHead']>) {
    if (!res.headersSent) res.setHeader('Server-Timing', timing.header());
    return writeHead(...args);
  } as Response['writeHead'];
  RequestTiming.run(timing, next);
}
