import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { CONFIG, REDIS } from '@tender/infra';
import { isClientIdFormat } from '@tender/auth';
import { FailureCounters, type FailureCounter } from './failure-counters';
import { rateLimited } from './rate-limited';
import { clientIp } from './throttlers';

/**
 * Brute force on `POST /oauth2/token`: refused token requests are counted per client id and per
 * client IP in Redis (shared by every API process); once either count reaches its limit, that
 * client id or IP gets 429 until the window that began with its first failure ends, even with the
 * right secret. Successful requests are not counted: a merchant's token refreshes never hit it.
 * Fails open when Redis does not answer.
 */
@Injectable()
export class TokenFailureLimiter {
  private readonly failures: FailureCounters;

  constructor(
    @Inject(CONFIG) private readonly config: TenderConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    this.failures = new FailureCounters(redis, new Logger('rate-limits'));
  }

  /** Throws the 429 (Retry-After set on `response`) when the request's IP or client id is blocked. */
  async refuseIfBlocked(request: Request, response: Response, clientId: string | undefined): Promise<void> {
    const blockedForMs = await this.failures.blockedForMs(this.counters(request, clientId));
    if (blockedForMs > 0) throw rateLimited(response, blockedForMs / 1000);
  }

  /** Counts a refused token request against its IP and (well-formed) client id. */
  async recordFailure(request: Request, clientId: string | undefined): Promise<void> {
    await this.failures.record(
      this.counters(request, clientId),
      this.config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    );
  }

  private counters(request: Request, clientId: string | undefined): FailureCounter[] {
    const prefix = `${this.config.QUEUE_PREFIX}:rate-limit:token-failures`;
    const counters: FailureCounter[] = [
      { key: `${prefix}:ip:${clientIp(request)}`, limit: this.config.RATE_LIMIT_TOKEN_FAILURES_PER_IP },
    ];
    // Only ids shaped like ours get a counter of their own: arbitrary strings never become keys.
    if (clientId && isClientIdFormat(clientId)) {
      counters.push({
        key: `${prefix}:client:${clientId}`,
        limit: this.config.RATE_LIMIT_TOKEN_FAILURES_PER_CLIENT,
      });
    }
    return counters.filter((c) => c.limit > 0);
  }
}
