import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { loadWebBundle, type WebBundle } from '@tender/web';
import { ApiError } from '../http/api-error';
import { ConsoleController } from './console-auth';

/**
 * The console's page and its bundle (apps/console, built by scripts/web-bundles.js): no inline
 * script or style, so the Content-Security-Policy allows scripts and styles from the API only; the
 * script is pinned by Subresource Integrity and its URL carries the bundle's version.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function page(bundle: WebBundle): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><title>Tender console</title>' +
    (bundle.css ? `<link rel="stylesheet" href="/console/assets/console.${bundle.version}.css">` : '') +
    '</head><body><div id="console"></div>' +
    `<script src="/console/assets/console.${bundle.version}.js" integrity="${bundle.integrity}" defer></script>` +
    '</body></html>'
  );
}

function securityHeaders(response: Response): void {
  response.setHeader('Content-Security-Policy', CONSOLE_CSP);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
}

/** `GET /console` (the page) and `/console/assets/<file>` (its bundle): public, the API needs the session. */
@Controller('console')
@ConsoleController('open')
export class ConsolePageController {
  @Get()
  async page(@Res() response: Response): Promise<void> {
    const bundle = await loadWebBundle('console');
    securityHeaders(response);
    response.setHeader('Cache-Control', 'no-cache');
    response.type('text/html; charset=utf-8').send(page(bundle));
  }

  @Get('assets/:file')
  async asset(@Param('file') file: string, @Res() response: Response): Promise<void> {
    const bundle = await loadWebBundle('console');
    const body =
      file === `console.${bundle.version}.js`
        ? bundle.js
        : file === `console.${bundle.version}.css`
          ? bundle.css
          : undefined;
    if (!body) throw new ApiError(404, 'not_found', 'Not found', `No console asset ${file}.`);
    securityHeaders(response);
    // The URL names the version: it never changes.
    response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    response
      .type(file.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8')
      .send(body);
  }
}
