import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { TenderConfig } from '@tender/config';
import { CONFIG } from '@tender/infra';
import { ApiError } from '../http/api-error';
import { buildOpenApiDocument, type OpenApiDocument } from './document';
import { DOCS_CSP, DOCS_PAGE, loadDocsAssets, type DocsAsset } from './docs-ui';
import { Public } from '../auth/decorators';

/**
 * `GET /openapi.json` (the OpenAPI 3.1 document) and `GET /docs` (Swagger UI on it, assets under
 * `/docs/assets/`): public. Built and read once, at start-up: a schema the document cannot express
 * fails the boot, not a request.
 */
@Public()
@Controller()
export class OpenApiController {
  private readonly document: OpenApiDocument;
  private readonly assets: ReadonlyMap<string, DocsAsset>;

  constructor(@Inject(CONFIG) config: TenderConfig) {
    this.document = buildOpenApiDocument({ serverUrl: config.PUBLIC_URL });
    this.assets = loadDocsAssets();
  }

  @Get('openapi.json')
  @Header('Cache-Control', 'public, max-age=300')
  openApi(): OpenApiDocument {
    return this.document;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Content-Security-Policy', DOCS_CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  docs(): string {
    return DOCS_PAGE;
  }

  @Get('docs/assets/:file')
  docsAsset(@Param('file') file: string, @Res() res: Response): void {
    const asset = this.assets.get(file);
    if (!asset) throw ApiError.notFound('docs asset');
    res.set({
      'Content-Type': asset.contentType,
      'Cache-Control': 'public, max-age=3600',
      'Content-Security-Policy': DOCS_CSP,
      'X-Content-Type-Options': 'nosniff',
    });
    res.send(asset.body);
  }
}
