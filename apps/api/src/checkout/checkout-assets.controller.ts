import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { loadWebBundle, type WebBundle } from '@tender/web';
import { Public } from '../auth/decorators';
import { ApiError } from '../http/api-error';
import { HOSTED_PAGE_CSP, hostedPage } from './hosted-page';

const BUNDLE = 'checkout';
/** `?v=<version>` names these exact bytes: cached for a year. The bare URL (widget.js_url) for an hour. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=3600, stale-while-revalidate=86400';

/**
 * The drop-in (`/checkout/v1/tender.js`, its style sheet) and Tender's hosted payment page
 * (`/checkout/v1/pay#<widget.data>`). Public: they hold no data; the page's script reads the
 * credential from the fragment, which browsers never send.
 */
@Public()
@Controller('checkout/v1')
export class CheckoutAssetsController {
  @Get('tender.js')
  async script(@Res() res: Response, @Query('v') version?: string, @Headers('if-none-match') etag?: string) {
    const bundle = await loadWebBundle(BUNDLE);
    this.send(res, bundle, bundle.js, 'text/javascript; charset=utf-8', version, etag);
  }

  @Get('tender.css')
  async styles(@Res() res: Response, @Query('v') version?: string, @Headers('if-none-match') etag?: string) {
    const bundle = await loadWebBundle(BUNDLE);
    if (!bundle.css) throw ApiError.notFound('file');
    this.send(res, bundle, bundle.css, 'text/css; charset=utf-8', version, etag);
  }

  @Get('pay')
  async page(@Res() res: Response) {
    const bundle = await loadWebBundle(BUNDLE);
    res.setHeader('Content-Security-Policy', HOSTED_PAGE_CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.status(200).type('html').send(hostedPage(bundle));
  }

  private send(
    res: Response,
    bundle: WebBundle,
    body: Buffer,
    contentType: string,
    version: string | undefined,
    ifNoneMatch: string | undefined,
  ): void {
    // The CSS shares the JS's version: one build, one pair.
    const etag = contentType.startsWith('text/css') ? `"css-${bundle.version}"` : bundle.etag;
    res.setHeader('Cache-Control', version === bundle.version ? IMMUTABLE : SHORT);
    res.setHeader('ETag', etag);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Merchants' pages load it cross-origin, with `integrity` and `crossorigin="anonymous"`.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (contentType.startsWith('text/javascript')) res.setHeader('X-Integrity', bundle.integrity);
    if (ifNoneMatch === etag) return void res.status(304).end();
    res.status(200).type(contentType).send(body);
  }
}
