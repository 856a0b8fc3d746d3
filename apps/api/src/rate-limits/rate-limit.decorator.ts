import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { RateLimitGuard } from './rate-limit.guard';

/** What a limited route is; each kind has its own throttler (see throttlers.ts). */
export type RateLimitKind = 'token' | 'payment-write' | 'partner-webhook' | 'giftcard-balance';

export const RATE_LIMIT_KIND = 'tender:rate-limit:kind';

/**
 * Limits a handler by its kind's throttler. The guard runs after the global ScopesGuard, so a
 * `payment-write` handler knows its API client. Routes without it (health, metrics, docs, GETs)
 * are never limited.
 */
export const RateLimit = (kind: RateLimitKind) =>
  applyDecorators(SetMetadata(RATE_LIMIT_KIND, kind), UseGuards(RateLimitGuard));
