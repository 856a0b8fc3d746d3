import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentClient, Scopes, type AuthenticatedClient } from '../auth';
import { RateLimit } from '../rate-limits';
import { parseRequest } from '../validation/parse';
import { uuidParam } from '../validation/params';
import { abortClientSessionBody, createClientSessionBody } from './client-session.schemas';
import { ClientSessionsService } from './client-sessions.service';

@Controller('v2/client-sessions')
export class ClientSessionsController {
  constructor(private readonly sessions: ClientSessionsService) {}

  @Post()
  @RateLimit('payment-write')
  @HttpCode(201)
  @Scopes('front_office')
  create(@CurrentClient() client: AuthenticatedClient, @Body() body: unknown) {
    return this.sessions.create(client.entityId, parseRequest(createClientSessionBody, body));
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
