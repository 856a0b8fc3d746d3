import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IdempotentRequest } from './idempotency.interceptor';
import type { IdempotencyContext } from './idempotency.service';

/** The idempotency context of the request, when it carried an `Idempotency-Key`. */
export const Idempotency = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotencyContext | undefined =>
    context.switchToHttp().getRequest<IdempotentRequest>().idempotency,
);
