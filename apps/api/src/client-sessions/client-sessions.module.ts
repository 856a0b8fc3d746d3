import { Module } from '@nestjs/common';
import { ClientSessionsController } from './client-sessions.controller';
import { ClientSessionsService } from './client-sessions.service';

/** Client sessions: what a merchant's front office opens for a shopper before the payment. */
@Module({ controllers: [ClientSessionsController], providers: [ClientSessionsService] })
export class ClientSessionsModule {}
