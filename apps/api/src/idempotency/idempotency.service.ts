import { Inject, Injectable } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CONFIG } from '@tender/infra';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  Database,
  findIdempotencyKey,
  idempotencyRecoveryPoint,
  releaseIdempotencyKey,
  takeOverIdempotencyKey,
  type Statement,
} from '@tender/persistence';
import { ApiError } from '../http/api-error';

/** What a request holding an idempotency key knows about itself. */
export interface IdempotencyContext {
  id: string;
  /** Set when an earlier attempt with this key crashed after its first durable write. */
  recoveryPoint: string | null;
  resourceId: string | null;
}

export type Acquired =
  { kind: 'acquired'; context: IdempotencyContext } | { kind: 'replay'; status: number; body: string };

/**
 * Stripe-style idempotency keys, scoped to the API client:
 * same key + same request → the stored response, replayed byte for byte;
 * same key + another request → 409 idempotency_violation; while the first runs → 409 request_in_progress.
 * A key past its `expires_at` is forgotten at once, whether housekeeping purged it yet or not: the
 * request runs afresh (the expired row is replaced in the same statement), never a replay.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly db: Database,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  async acquire(
    clientId: string,
    key: string,
    method: string,
    path: string,
    hash: string,
  ): Promise<Acquired> {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3600_000);
    const claimed = await claimIdempotencyKey(this.db, {
      clientId,
      key,
      method,
      path,
      requestHash: hash,
      now,
      expiresAt,
    });
    if (claimed) return { kind: 'acquired', context: { id: claimed, recoveryPoint: null, resourceId: null } };
    const existing = await findIdempotencyKey(this.db, clientId, key);
    if (!existing) return this.acquire(clientId, key, method, path, hash); // expired and purged meanwhile
    if (existing.requestHash !== hash) {
      throw ApiError.conflict(
        'idempotency_violation',
        'This Idempotency-Key was already used with a different request; use a new key for a new request.',
      );
    }
    if (existing.state === 'COMPLETED') {
      return { kind: 'replay', status: existing.responseStatus!, body: existing.responseBody! };
    }
    // IN_PROGRESS: take it over only when its holder is presumed dead (crashed mid-request).
    const staleBefore = new Date(now.getTime() - this.config.IDEMPOTENCY_LOCK_SECONDS * 1000);
    if (!(await takeOverIdempotencyKey(this.db, existing.id, now, staleBefore))) {
      throw ApiError.conflict(
        'request_in_progress',
        'A request with this Idempotency-Key is still in progress.',
      );
    }
    return {
      kind: 'acquired',
      context: { id: existing.id, recoveryPoint: existing.recoveryPoint, resourceId: existing.resourceId },
    };
  }

  /**
   * Records, in the caller's transaction, that the request's first durable write happened: a
   * statement to run with (or combine with) that write.
   */
  recoveryPointWrite(
    context: IdempotencyContext | undefined,
    recoveryPoint: string,
    resourceId: string,
  ): Statement | undefined {
    return context ? idempotencyRecoveryPoint(context.id, recoveryPoint, resourceId) : undefined;
  }

  complete(context: IdempotencyContext, status: number, body: string): Promise<void> {
    return completeIdempotencyKey(this.db, context.id, status, body);
  }

  /**
   * After an unexpected (5xx) failure: with nothing written yet, forget the key so a retry runs afresh;
   * past a recovery point, unlock it so a retry resumes from there at once.
   */
  release(context: IdempotencyContext): Promise<void> {
    return releaseIdempotencyKey(this.db, context.id);
  }
}
