import type { ExecutionContext } from '@nestjs/common';
import { normalizeIp, type ThrottlerOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import type { TenderConfig } from '@tender/config';
import { getAuthenticatedClient } from '../auth/decorators';
import { RATE_LIMIT_KIND, type RateLimitKind } from './rate-limit.decorator';

/** The client's address (X-Forwarded-For when TRUST_PROXY allows), IPv6 grouped by /64. */
export function clientIp(request: Request): string {
  return normalizeIp(request.ip ?? request.socket.remoteAddress ?? 'unknown');
}

function kindOf(context: ExecutionContext): RateLimitKind | undefined {
  return Reflect.getMetadata(RATE_LIMIT_KIND, context.getHandler()) as RateLimitKind | undefined;
}

function throttler(
  config: TenderConfig,
  kind: RateLimitKind,
  limit: number,
  tracker: (request: Request) => string,
): ThrottlerOptions {
  return {
    name: kind,
    limit,
    ttl: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    // Only the handlers of this kind; one counter per tracker, shared by all of them (not per route).
    skipIf: (context) => kindOf(context) !== kind,
    getTracker: (request) => tracker(request as Request),
    generateKey: (_context, tracker) => `${config.QUEUE_PREFIX}:rate-limit:${tracker}`,
  };
}

/** The named throttlers of the API, one per {@link RateLimitKind}; a limit of 0 disables its throttler. */
export function apiThrottlers(config: TenderConfig): ThrottlerOptions[] {
  return [
    throttler(config, 'token', config.RATE_LIMIT_TOKEN_REQUESTS_PER_IP, (r) => `ip:${clientIp(r)}`),
    throttler(config, 'payment-write', config.RATE_LIMIT_PAYMENT_WRITES_PER_CLIENT, (r) => {
      const client = getAuthenticatedClient(r);
      // The route is protected by @Scopes: without a client the ScopesGuard would have refused it.
      return client ? `client:${client.clientId}` : `ip:${clientIp(r)}`;
    }),
    throttler(
      config,
      'partner-webhook',
      config.RATE_LIMIT_PARTNER_WEBHOOKS_PER_IP,
      (r) => `ip:${clientIp(r)}`,
    ),
    // Per client session: guessing gift card numbers from one checkout stops quickly.
    throttler(config, 'giftcard-balance', config.RATE_LIMIT_GIFTCARD_CHECKS_PER_SESSION, (r) => {
      const session = (r as Request & { shopperSession?: { id: string } }).shopperSession;
      return session ? `session:${session.id}` : `ip:${clientIp(r)}`;
    }),
  ].filter((options) => options.limit !== 0);
}
