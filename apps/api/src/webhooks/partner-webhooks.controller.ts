import { Controller, Get, Header, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../http/api-error';
import type { RawBodyRequest } from '../http/body-parsing';
import { RateLimit } from '../rate-limits';
import { PartnerWebhooksService } from './partner-webhooks.service';
import { Public } from '../auth/decorators';

/**
 * Public endpoints the partners call (no bearer token: each request is authenticated by its
 * signature, checked on the exact bytes received).
 *
 * - `POST /v2/webhooks/:partner` (connect, purse): 200 `{received, duplicate}` once the event is
 *   stored (a redelivered event is acknowledged and ignored); 401 for a missing or wrong signature,
 *   an unknown key or a stale timestamp, 400 for a malformed body (problem+json, nothing stored);
 *   404 for an unknown partner and for paytronix, which sends no webhooks.
 * - `POST /v2/webhooks/purse/:entityId`: the URL a merchant configures at Purse names its Tender
 *   entity, so only that entity's Purse accounts are tried (one HMAC per request). The unnamed
 *   `/v2/webhooks/purse` tries at most a few accounts (see PartnerWebhooksService).
 * - `GET /v2/webhooks/connect`: Connect's endpoint verification, the
 *   `X-GCS-Webhooks-Endpoint-Verification` value echoed as text/plain.
 */
@Public()
@Controller('v2/webhooks')
export class PartnerWebhooksController {
  constructor(private readonly webhooks: PartnerWebhooksService) {}

  @Get('connect')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('X-Content-Type-Options', 'nosniff')
  verifyConnectEndpoint(@Headers('x-gcs-webhooks-endpoint-verification') value?: string): string {
    if (!value) {
      throw new ApiError(
        400,
        'bad_request',
        'Bad request',
        'Send the header X-GCS-Webhooks-Endpoint-Verification: its value is echoed back.',
      );
    }
    return value;
  }

  @Post(':partner')
  @RateLimit('partner-webhook')
  @HttpCode(200)
  receive(@Param('partner') partner: string, @Req() req: RawBodyRequest) {
    return this.webhooks.receive(partner, req.rawBody, flatten(req.headers));
  }

  @Post('purse/:entityId')
  @RateLimit('partner-webhook')
  @HttpCode(200)
  receivePurse(@Param('entityId') entityId: string, @Req() req: RawBodyRequest) {
    return this.webhooks.receive('purse', req.rawBody, flatten(req.headers), entityId);
  }
}

function flatten(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
