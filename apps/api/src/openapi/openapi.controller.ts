import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CONFIG } from '@tender/infra';
import { buildOpenApiDocument, type OpenApiDocument } from './document';
import { renderDocsPage } from './docs-page';
import { Public } from '../auth/decorators';

/**
 * `GET /openapi.json` (the OpenAPI 3.1 document) and `GET /docs` (its HTML rendering): public.
 * Both are built once, at start-up: a schema the document cannot express fails the boot, not a request.
 */
@Public()
@Controller()
export class OpenApiController {
  private readonly document: OpenApiDocument;
  private readonly page: string;

  constructor(@Inject(CONFIG) config: TenderConfig) {
    this.document = buildOpenApiDocument({ serverUrl: config.PUBLIC_URL });
    this.page = renderDocsPage(this.document);
  }

  @Get('openapi.json')
  @Header('Cache-Control', 'public, max-age=300')
  openApi(): OpenApiDocument {
    return this.document;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
  docs(): string {
    return this.page;
  }
}
