import type { Logger } from '@nestjs/common';
import type Redis from 'ioredis';

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

export interface FailureCounter {
  key: string;
  /** 0: not counted. */
  limit: number;
}

/**
 * Failures counted in Redis (shared by every API process), for brute force on credentials: the
 * token endpoint's client secrets and the console's passwords. Fails open when Redis does not answer.
 */
export class FailureCounters {
  constructor(
    private readonly redis: Redis,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  /** Milliseconds until the longest-blocked counter (one at or over its limit) frees; 0 when none is. */
  async blockedForMs(counters: readonly FailureCounter[]): Promise<number> {
    const live = counters.filter((c) => c.limit > 0);
    if (live.length === 0) return 0;
    const ms = await this.run(
      BLOCKED_FOR,
      live.map((c) => c.key),
      live.map((c) => c.limit),
    );
    return typeof ms === 'number' && ms > 0 ? ms : 0;
  }

  async record(counters: readonly FailureCounter[], windowMs: number): Promise<void> {
    const live = counters.filter((c) => c.limit > 0);
    if (live.length === 0) return;
    await this.run(
      RECORD,
      live.map((c) => c.key),
      [windowMs],
    );
  }

  private async run(script: string, keys: string[], args: number[]): Promise<unknown> {
    try {
      return await this.redis.eval(script, keys.length, ...keys, ...args);
    } catch (error) {
      this.log.warn(`failure limit not checked: ${(error as Error).message}`);
      return undefined;
    }
  }
}
