import type { WebBundle } from '@tender/web';

/**
 * Tender's hosted payment page: the drop-in mounted on `[data-tender-hosted]`, nothing inline.
 * Scripts, styles and calls go to this origin only; the partner's card page is a top-level
 * navigation, which CSP does not restrict.
 */
export const HOSTED_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function hostedPage(bundle: WebBundle): string {
  const v = encodeURIComponent(bundle.version);
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><title>Payment</title>' +
    `<link rel="stylesheet" href="/checkout/v1/tender.css?v=${v}" data-tender-styles>` +
    '</head><body class="tender-page"><main><div data-tender-hosted></div></main>' +
    `<script src="/checkout/v1/tender.js?v=${v}" integrity="${bundle.integrity}" crossorigin="anonymous"></script>` +
    '</body></html>'
  );
}
