import {
  Body,
  Controller,
  createParamDecorator,
  Get,
  HttpCode,
  Injectable,
  Post,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import type { ClientSession } from '@tender/persistence/generated/prisma/client';
import { Public } from '../auth/decorators';
import { RateLimit } from '../rate-limits';
import { parseRequest } from '../validation/parse';
import { CheckoutSessions } from './checkout-session.service';
import { giftCardBalanceBody, sessionPaymentBody } from './checkout.schemas';

type ShopperRequest = Request & { shopperSession?: ClientSession };

/** Admits requests carrying a session's `widget.data` as their bearer token (no OAuth token here). */
@Injectable()
export class ShopperSessionGuard implements CanActivate {
  constructor(private readonly sessions: CheckoutSessions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ShopperRequest>();
    request.shopperSession = await this.sessions.authenticate(request.headers.authorization);
    return true;
  }
}

const ShopperSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientSession =>
    context.switchToHttp().getRequest<ShopperRequest>().shopperSession!,
);

/**
 * The shopper's browser (drop-in, hosted page): `/checkout/v1/session…` with the session's
 * `widget.data` as bearer token. Public for the OAuth guard; {@link ShopperSessionGuard} decides.
 */
@Public()
@UseGuards(ShopperSessionGuard)
@Controller('checkout/v1/session')
export class CheckoutSessionController {
  constructor(private readonly sessions: CheckoutSessions) {}

  @Get()
  get(@ShopperSession() session: ClientSession) {
    return this.sessions.view(session);
  }

  @Post('giftcard-balance')
  @HttpCode(200)
  @RateLimit('giftcard-balance')
  balance(@ShopperSession() session: ClientSession, @Body() body: unknown) {
    return this.sessions.checkBalance(session, parseRequest(giftCardBalanceBody, body));
  }

  @Post('payments')
  @HttpCode(201)
  pay(@ShopperSession() session: ClientSession, @Body() body: unknown) {
    return this.sessions.pay(session, parseRequest(sessionPaymentBody, body));
  }
}
