import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { CONFIG, REDIS } from '@tender/infra';
import { isClientIdFormat } from '@tender/auth';
import { rateLimited } from './rate-limited';
import { clientIp } from './throttlers';

/** Counts one failure per key, the window starting at a key's first failure. */
const RECORD = `
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return 0`;

/** For each key with at least ARGV[1 + i] failures: its remaining milliseconds; the longest. */
const BLOCKED_FOR = `
local longest = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i])
  if limit > 0 and tonumber(redis.call('GET', key) or '0') >= limit then
    longest = math.max(longest, redis.call('PTTL', key))
  end
end
return longest`;

interface Counter {
  key: string;
  limit: number;
}

/**
 * Brute force on `POST /oauth2/token`: refused token requests are counted per client id and per
 * client IP in Redis (shared by every API process); once either count reaches its limit, that
 * client id or IP gets 429 until the window that began with its first failure ends, even with the
 * right secret. Successful requests are not counted: a merchant's token refreshes never hit it.
 * Fails open when Redis does not answer.
 */
@Injectable()
export class TokenFailureLimiter {
  private readonly log = new Logger('rate-limits');

  constructor(
    @Inject(CONFIG) private readonly config: TenderConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Throws the 429 (Retry-After set on `response`) when the request's IP or client id is blocked. */
  async refuseIfBlocked(request: Request, response: Response, clientId: string | undefined): Promise<void> {
    const counters = this.counters(request, clientId);
    if (counters.length === 0) return;
    const blockedForMs = await this.run(
      BLOCKED_FOR,
      counters.map((c) => c.key),
      counters.map((c) => c.limit),
    );
    if (typeof blockedForMs === 'number' && blockedForMs > 0)
      throw rateLimited(response, blockedForMs / 1000);
  }

  /** Counts a refused token request against its IP and (well-formed) client id. */
  async recordFailure(request: Request, clientId: string | undefined): Promise<void> {
    const counters = this.counters(request, clientId);
    if (counters.length === 0) return;
    await this.run(
      RECORD,
      counters.map((c) => c.key),
      [this.config.RATE_LIMIT_WINDOW_SECONDS * 1000],
    );
  }

  private counters(request: Request, clientId: string | undefined): Counter[] {
    const prefix = `${this.config.QUEUE_PREFIX}:rate-limit:token-failures`;
    const counters: Counter[] = [
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

  private async run(script: string, keys: string[], args: number[]): Promise<unknown> {
    try {
      return await this.redis.eval(script, keys.length, ...keys, ...args);
    } catch (error) {
      this.log.warn(`token failure limit not checked: ${(error as Error).message}`);
      return undefined;
    }
  }
}
