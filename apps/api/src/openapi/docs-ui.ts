import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The `/docs` page: Swagger UI (swagger-ui-dist, a runtime dependency) rendering `/openapi.json`,
 * with its assets served by the API itself (no CDN). No inline script: the page loads the bundle
 * and a small init script from `/docs/assets/`, so the Content-Security-Policy allows scripts from
 * 'self' only, and never 'unsafe-eval'. Swagger UI sets inline styles (issue swagger-api/swagger-ui#10655)
 * and data: images in its CSS, hence those two; `connect-src 'self'` lets it fetch the document,
 * tokens and "try it out" calls from this API.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const DOCS_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width,initial-scale=1"><title>Tender API reference</title>' +
  '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">' +
  '<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png"></head>' +
  '<body><div id="swagger-ui" data-openapi-url="/openapi.json"></div>' +
  '<script src="/docs/assets/swagger-ui-bundle.js"></script>' +
  '<script src="/docs/assets/init.js"></script></body></html>';

const INIT_SCRIPT = `'use strict';
var root = document.getElementById('swagger-ui');
window.ui = SwaggerUIBundle({
  url: root.getAttribute('data-openapi-url'),
  domNode: root,
  deepLinking: true,
  validatorUrl: null,
  defaultModelsExpandDepth: 0,
});
`;

export interface DocsAsset {
  contentType: string;
  body: Buffer;
}

/** The files `/docs/assets/{file}` serves, read once (Swagger UI's bundle is ~1.7 MB). */
export function loadDocsAssets(): ReadonlyMap<string, DocsAsset> {
  const dist = dirname(require.resolve('swagger-ui-dist/absolute-path.js'));
  const file = (name: string, contentType: string): [string, DocsAsset] => [
    name,
    { contentType, body: readFileSync(join(dist, name)) },
  ];
  return new Map([
    file('swagger-ui.css', 'text/css; charset=utf-8'),
    file('swagger-ui-bundle.js', 'text/javascript; charset=utf-8'),
    file('favicon-32x32.png', 'image/png'),
    ['init.js', { contentType: 'text/javascript; charset=utf-8', body: Buffer.from(INIT_SCRIPT) }],
  ]);
}
