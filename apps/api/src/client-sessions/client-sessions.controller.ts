import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CONFIG } from '@tender/infra';
import { CurrentClient, Scopes, type AuthenticatedClient } from '../auth';
import { RateLimit } from '../rate-limits';
import { parseRequest } from '../validation/parse';
import { uuidParam } from '../validation/params';
import { assertShopperRedirectionUrlAllowed } from '../validation/redirection-url';
import { assertWebhookUrlAllowed, webhookUrlPolicy } from '../validation/webhook-url';
import { abortClientSessionBody, createClientSessionBody } from './client-session.schemas';
import { ClientSessionsService } from './client-sessions.service';

@Controller('v2/client-sessions')
export class ClientSessionsController {
  constructor(
    private readonly sessions: ClientSessionsService,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  @Post()
  @RateLimit('payment-write')
  @HttpCode(201)
  @Scopes('front_office')
  create(@CurrentClient() client: AuthenticatedClient, @Body() body: unknown) {
    const request = parseRequest(createClientSessionBody, body);
    const policy = webhookUrlPolicy(this.config);
    assertShopperRedirectionUrlAllowed(request.shopper_redirection_url, policy);
    assertWebhookUrlAllowed(request.webhook, policy);
    return this.sessions.create(client.entityId, request);
  }

  @Get(':id')
  @Scopes('front_office', 'back_office')
  get(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string) {
    return this.sessions.get(client.entityId, uuidParam(id, 'client session'));
  }

  @Post(':id/abort')
  @RateLimit('payment-write')
  @HttpCode(200)
  @Scopes('front_office', 'back_office')
  abort(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string, @Body() body: unknown) {
    parseRequest(abortClientSessionBody, body);
    return this.sessions.abort(client.entityId, uuidParam(id, 'client session'));
  }
}
