import { Controller, Get, HttpCode, Inject } from '@nestjs/common';
import Redis from 'ioredis';
import { Database, pingDatabase } from '@tender/persistence';
import { REDIS } from '@tender/infra';
import { checkReadiness, type Readiness } from '@tender/observability';
import { ApiError } from '../http/api-error';
import { Public } from '../auth/decorators';

@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: Database,
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
    const result = await checkReadiness({
      postgres: () => pingDatabase(this.db),
      redis: () => this.redis.ping(),
    });
    if (result.status === 'ok') return result;
    throw new ApiError(503, 'unavailable', 'Not ready', 'A dependency is unreachable.', undefined, {
      checks: result.checks,
    });
  }
}
