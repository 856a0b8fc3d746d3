import { Controller, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { RawBodyRequest } from '../http/body-parsing';
import { RateLimit } from '../rate-limits';
import { PartnerWebhooksService } from './partner-webhooks.service';
import { Public } from '../auth/decorators';

/**
 * Public endpoints the partners call (no bearer token: each request is authenticated by its
 * signature, checked on the exact bytes received). Each partner's folder declares how
 * (libs/partners/src/<partner>/partner.ts).
 *
 * - `POST /v2/webhooks/:partner/:entityId`: the URL a merchant configures at the partner names its
 *   Tender entity, so only that entity's accounts are tried. `POST /v2/webhooks/:partner` tries the
 *   partner's oldest few accounts (see PartnerWebhooksService). 200 `{received, duplicate}` once the
 *   event is stored (a redelivered event is acknowledged and ignored); 401 for a missing or wrong
 *   signature, an unknown key or a stale timestamp, 400 for a malformed body (problem+json, nothing
 *   stored); 404 for an unknown partner, a partner that sends no webhooks, or no entity id.
 * - `GET /v2/webhooks/:partner`: the partner's endpoint check where it has one (Connect's
 *   `X-GCS-Webhooks-Endpoint-Verification` value echoed as text/plain).
 */
@Public()
@Controller('v2/webhooks')
export class PartnerWebhooksController {
  constructor(private readonly webhooks: PartnerWebhooksService) {}

  @Get(':partner')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('X-Content-Type-Options', 'nosniff')
  answerEndpointCheck(@Param('partner') partner: string, @Req() req: RawBodyRequest): string {
    return this.webhooks.answerEndpointCheck(partner, flatten(req.headers));
  }

  @Post(':partner')
  @RateLimit('partner-webhook')
  @HttpCode(200)
  receive(@Param('partner') partner: string, @Req() req: RawBodyRequest) {
    return this.webhooks.receive(partner, req.rawBody, flatten(req.headers));
  }

  @Post(':partner/:entityId')
  @RateLimit('partner-webhook')
  @HttpCode(200)
  receiveForEntity(
    @Param('partner') partner: string,
    @Param('entityId') entityId: string,
    @Req() req: RawBodyRequest,
  ) {
    return this.webhooks.receive(partner, req.rawBody, flatten(req.headers), entityId);
  }
}

function flatten(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
