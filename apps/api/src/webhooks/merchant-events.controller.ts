import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentClient, Scopes, type AuthenticatedClient } from '../auth';
import { uuidParam } from '../validation/params';
import { MerchantEventsService } from './merchant-events.service';

/**
 * `GET /v2/payments/{id}/events`: the payment's merchant events in creation order, each with its
 * delivery state and attempts. `POST /v2/payments/{id}/events/{event_id}/redeliver`: sends one
 * again (202 with the event, PENDING). Another entity's payment is a 404.
 */
@Controller('v2/payments')
export class MerchantEventsController {
  constructor(private readonly events: MerchantEventsService) {}

  @Get(':id/events')
  @Scopes('front_office', 'back_office')
  list(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string) {
    return this.events.list(client.entityId, uuidParam(id, 'payment'));
  }

  @Post(':id/events/:eventId/redeliver')
  @HttpCode(202)
  @Scopes('back_office')
  redeliver(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
    @Param('eventId') eventId: string,
  ) {
    return this.events.redeliver(client.entityId, uuidParam(id, 'payment'), uuidParam(eventId, 'event'));
  }
}
