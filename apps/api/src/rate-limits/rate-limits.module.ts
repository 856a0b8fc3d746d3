import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { CONFIG, REDIS } from '@tender/infra';
import { RateLimitGuard } from './rate-limit.guard';
import { apiThrottlers } from './throttlers';
import { TokenFailureLimiter } from './token-failures';

/**
 * Rate limits (429 problem+json with Retry-After), counted in Redis on the shared connection so
 * they hold across API processes: @nestjs/throttler for the routes marked `@RateLimit(kind)`,
 * {@link TokenFailureLimiter} for refused token requests. Limits come from RATE_LIMIT_*.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [CONFIG, REDIS],
      useFactory: (config: TenderConfig, redis: Redis) => ({
        throttlers: apiThrottlers(config),
        storage: new ThrottlerStorageRedisService(redis),
        // Only Retry-After (set by RateLimitGuard), not X-RateLimit-*-<throttler> on every answer.
        setHeaders: false,
      }),
    }),
  ],
  providers: [RateLimitGuard, TokenFailureLimiter],
  exports: [RateLimitGuard, TokenFailureLimiter],
})
export class RateLimitsModule {}
