import { Controller, Get, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';
import Redis from 'ioredis';
import { PrismaClient } from '@tender/persistence';
import { REDIS } from '@tender/infra';
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

  /** Readiness: Postgres and Redis are reachable. */
  @Get('ready')
  @HttpCode(200)
  async ready(): Promise<{ status: 'ok'; checks: Record<string, 'ok'> }> {
    const [postgres, redis] = await Promise.allSettled([
      withTimeout(this.prisma.$queryRaw`SELECT 1`, CHECK_TIMEOUT_MS),
      withTimeout(this.redis.ping(), CHECK_TIMEOUT_MS),
    ]);
    const checks = {
      postgres: postgres.status === 'fulfilled' ? 'ok' : `failed: ${(postgres.reason as Error).message}`,
      redis: redis.status === 'fulfilled' ? 'ok' : `failed: ${(redis.reason as Error).message}`,
    };
    if (checks.postgres !== 'ok' || checks.redis !== 'ok') {
      throw new ServiceUnavailableException({
        title: 'Not ready',
        detail: 'a dependency is unreachable',
        checks,
      });
    }
    return { status: 'ok', checks: checks as Record<string, 'ok'> };
  }
}
