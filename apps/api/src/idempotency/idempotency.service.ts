import { Inject, Injectable } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CONFIG } from '@tender/infra';
import { Database, newId, PrismaClient, type Statement } from '@tender/persistence';
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
    private readonly prisma: PrismaClient,
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
    const inserted = await this.db.query<{ id: string }>(
      `INSERT INTO idempotency_key (id, client_id, key, method, path, request_hash, state, locked_at, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'IN_PROGRESS', $7, $7, $8)
       ON CONFLICT (client_id, key) DO UPDATE
         SET id = EXCLUDED.id, method = EXCLUDED.method, path = EXCLUDED.path,
             request_hash = EXCLUDED.request_hash, state = 'IN_PROGRESS', response_status = NULL,
             response_body = NULL, recovery_point = NULL, resource_id = NULL,
             locked_at = EXCLUDED.locked_at, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
         WHERE idempotency_key.expires_at <= EXCLUDED.created_at
       RETURNING id`,
      [
        newId(),
        clientId,
        key,
        method,
        path,
        hash,
        now,
        new Date(now.getTime() + this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3600_000),
      ],
    );
    if (inserted.length === 1) {
      return { kind: 'acquired', context: { id: inserted[0].id, recoveryPoint: null, resourceId: null } };
    }
    const existing = await this.prisma.idempotencyKey.findUnique({
      where: { clientId_key: { clientId, key } },
    });
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
    const taken = await this.prisma.idempotencyKey.updateMany({
      where: {
        id: existing.id,
        state: 'IN_PROGRESS',
        OR: [{ lockedAt: null }, { lockedAt: { lt: staleBefore } }],
      },
      data: { lockedAt: now },
    });
    if (taken.count === 0) {
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
    if (!context) return undefined;
    return {
      sql: 'UPDATE idempotency_key SET recovery_point = $2::text, resource_id = $3::text WHERE id = $1::uuid',
      values: [context.id, recoveryPoint, resourceId],
    };
  }

  async complete(context: IdempotencyContext, status: number, body: string): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_key SET state = 'COMPLETED', response_status = $2, response_body = $3, locked_at = NULL
        WHERE id = $1::uuid`,
      [context.id, status, body],
    );
  }

  /**
   * After an unexpected (5xx) failure: with nothing written yet, forget the key so a retry runs afresh;
   * past a recovery point, unlock it so a retry resumes from there at once.
   */
  async release(context: IdempotencyContext): Promise<void> {
    const row = await this.prisma.idempotencyKey.findUnique({ where: { id: context.id } });
    if (!row || row.state !== 'IN_PROGRESS') return;
    if (row.recoveryPoint)
      await this.prisma.idempotencyKey.update({ where: { id: row.id }, data: { lockedAt: null } });
    else await this.prisma.idempotencyKey.delete({ where: { id: row.id } });
  }

  async purgeExpired(now = new Date()): Promise<number> {
    const { count } = await this.prisma.idempotencyKey.deleteMany({ where: { expiresAt: { lt: now } } });
    return count;
  }
}
