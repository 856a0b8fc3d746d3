import { Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerRequest } from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError } from '../http/api-error';
import { rateLimited } from './rate-limited';

/**
 * @nestjs/throttler's guard, answering our 429 (problem+json `rate_limited`, `Retry-After`).
 * Fails open: should Redis not answer, the request goes on (payments work without Redis, through
 * the outbox; a limiter must not be what refuses them).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly log = new Logger('rate-limits');

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(request);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      this.log.warn(`rate limit ${request.throttler.name} not checked: ${(error as Error).message}`);
      return true;
    }
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    return Promise.reject(
      rateLimited(context.switchToHttp().getResponse<Response>(), detail.timeToBlockExpire),
    );
  }
}
