import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { ApiError } from './api-error';

export type RawBodyRequest = Request & { rawBody?: Buffer };

export const BODY_LIMIT = '1mb';

function keepRawBody(req: Request, _res: Response, buf: Buffer): void {
  (req as RawBodyRequest).rawBody = Buffer.from(buf);
}

/**
 * JSON (and, for the OAuth2 token endpoint, form) bodies up to 1 MB, keeping the raw bytes for
 * signature checks. A POST whose body is neither is refused with 415 before any controller runs.
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
  app.use(
    express.json({
      limit: BODY_LIMIT,
      strict: true,
      verify: keepRawBody,
      type: ['application/json', 'application/*+json'],
    }),
  );
  app.use(express.urlencoded({ limit: BODY_LIMIT, extended: false, verify: keepRawBody }));
}

/** Errors raised by the parsers above never reach Nest's filters: answer them here, as problem+json. */
export function bodyParsingErrorHandler(
  render: (error: unknown, res: Response) => void,
): (err: unknown, req: Request, res: Response, next: NextFunction) => void {
  return (err, _req, res, _next) => render(err, res);
}
