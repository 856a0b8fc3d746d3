import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { ApiError } from './api-error';

export type RawBodyRequest = Request & { rawBody?: Buffer };

/** Merchant-facing bodies (payments, client sessions, token requests). */
export const BODY_LIMIT = '1mb';
/** Partner webhooks: public, unauthenticated until their signature is checked; real events are a few KB. */
export const PARTNER_WEBHOOK_BODY_LIMIT = '64kb';

/** `/v2/webhooks/...`, in any case (Express routes ignore it). */
const PARTNER_WEBHOOK_PATH = /^\/v2\/webhooks(\/|$)/i;

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

function parsers(limit: string): Middleware[] {
  return [
    express.json({
      limit,
      strict: true,
      verify: keepRawBody,
      type: ['application/json', 'application/*+json'],
    }),
    express.urlencoded({ limit, extended: false, verify: keepRawBody }),
  ];
}

function keepRawBody(req: Request, _res: Response, buf: Buffer): void {
  (req as RawBodyRequest).rawBody = Buffer.from(buf);
}

/**
 * JSON (and, for the OAuth2 token endpoint, form) bodies up to 1 MB (64 KB for partner webhooks),
 * keeping the raw bytes for signature checks. A POST whose body is neither is refused with 415
 * before any controller runs; a body over its limit with 413, before it is read any further.
 */
export function installBodyParsing(app: Express): void {
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const hasBody =
      Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody || req.method === 'GET' || req.method === 'HEAD') return next();
    if (req.is(['application/json', 'application/*+json', 'application/x-www-form-urlencoded']))
      return next();
    next(
      new ApiError(
        415,
        'unsupported_media_type',
        'Unsupported media type',
        'Send the body as application/json (or application/x-www-form-urlencoded for /oauth2/token).',
      ),
    );
  });
  const merchant = parsers(BODY_LIMIT);
  const partner = parsers(PARTNER_WEBHOOK_BODY_LIMIT);
  merchant.forEach((parse, i) =>
    app.use((req: Request, res: Response, next: NextFunction) =>
      (PARTNER_WEBHOOK_PATH.test(req.path) ? partner[i] : parse)(req, res, next),
    ),
  );
}

/** Errors raised by the parsers above never reach Nest's filters: answer them here, as problem+json. */
export function bodyParsingErrorHandler(
  render: (error: unknown, res: Response) => void,
): (err: unknown, req: Request, res: Response, next: NextFunction) => void {
  return (err, _req, res, _next) => render(err, res);
}
