import type { NextFunction, Request, Response } from 'express';

const SHOPPER_PATH = /^\/checkout\/v1\/session(\/|$)/;

/**
 * CORS of the shopper endpoints: the drop-in runs on the merchant's origin and calls Tender with the
 * session credential in `Authorization` (never a cookie), so any origin may call; preflights end here.
 * Installed on the app (not a Nest middleware mount, which would sit outside the route table).
 */
export function shopperCors(req: Request, res: Response, next: NextFunction): void {
  if (!SHOPPER_PATH.test(req.path)) return next();
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After, X-Request-Id');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
}
