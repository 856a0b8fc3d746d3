import { Controller, Get, HttpCode, Inject } from '@nestjs/common';
import Redis from 'ioredis';
import { PrismaClient } from '@tender/persistence';
import { REDIS } from '@tender/infra';
import { getLogger } from '@tender/observability';
import { ApiError } from '../http/api-error';
import { readiness, type Readiness } from './readiness';
import { Public } from '../auth/decorators';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);
}

@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly prisma: PrismaClient,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: Postgres and Redis are reachable. Says `ok` or `down` for each, never why: the
   * driver's error (hosts, ports, user names) goes to the log only.
   */
  @Get('ready')
  @HttpCode(200)
  async ready(): Promise<Readiness> {
    const [postgres, redis] = await Promise.allSettled([
      withTimeout(this.prisma.$queryRaw`SELECT 1`, CHECK_TIMEOUT_MS),
      withTimeout(this.redis.ping(), CHECK_TIMEOUT_MS),
    ]);
    const result = readiness({ postgres, redis });
    if (result.status === 'ok') return result;
    for (const [name, check] of Object.entries({ postgres, redis }))
      if (check.status === 'rejected')
        getLogger('health').warn({ err: check.reason, dependency: name }, 'not ready');
    throw new ApiError(503, 'unavailable', 'Not ready', 'A dependency is unreachable.', undefined, {
      checks: result.checks,
    });
  }
}
