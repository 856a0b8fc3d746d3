import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  HttpStatus,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { Request, Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { ApiError, problemBody } from '../http/api-error';
import { toApiError } from '../http/problem.filter';
import { ReplayedResponse } from '../http/replayed-response';
import { IdempotencyService, type IdempotencyContext } from './idempotency.service';
import { requestHash } from './request-hash';
import { getAuthenticatedClient } from '../auth';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type IdempotentRequest = Request & { idempotency?: IdempotencyContext; id?: string };

/** Applies the `Idempotency-Key` header to every POST made by an authenticated client. */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<IdempotentRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = req.header('idempotency-key');
    const client = getAuthenticatedClient(req);
    if (req.method !== 'POST' || key === undefined || !client) return next.handle();
    return from(this.run(context, next, req, res, key, client.clientId));
  }

  private async run(
    context: ExecutionContext,
    next: CallHandler,
    req: IdempotentRequest,
    res: Response,
    key: string,
    clientId: string,
  ): Promise<unknown> {
    if (!KEY_PATTERN.test(key)) {
      throw new ApiError(
        400,
        'invalid_idempotency_key',
        'Invalid request',
        'Idempotency-Key must be 1 to 255 printable ASCII characters.',
        [
          {
            field: 'Idempotency-Key',
            code: 'invalid',
            message: 'must be 1 to 255 printable ASCII characters',
          },
        ],
      );
    }
    const hash = requestHash(req.method, req.path, req.body);
    const acquired = await this.idempotency.acquire(clientId, key, req.method, req.path, hash);
    if (acquired.kind === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true');
      if (acquired.status >= 400) throw new ReplayedResponse(acquired.status, acquired.body);
      return JSON.parse(acquired.body);
    }
    req.idempotency = acquired.context;
    try {
      const result: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const status =
        (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ??
        HttpStatus.CREATED;
      await this.idempotency.complete(acquired.context, status, JSON.stringify(result));
      return result;
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.status >= 500) await this.idempotency.release(acquired.context);
      else
        await this.idempotency.complete(
          acquired.context,
          apiError.status,
          JSON.stringify(problemBody(apiError, req.id)),
        );
      throw error;
    }
  }
}
