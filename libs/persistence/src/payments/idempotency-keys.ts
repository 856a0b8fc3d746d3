import { newId } from '../ids';
import type { Sql, Statement } from '../sql';

/**
 * Every statement on `idempotency_key` (Stripe-style keys, scoped to the API client). The API's
 * IdempotencyService decides; these read and write, through `pg` only.
 */

export interface IdempotencyKeyRow {
  id: string;
  requestHash: string;
  state: 'IN_PROGRESS' | 'COMPLETED';
  responseStatus: number | null;
  responseBody: string | null;
  recoveryPoint: string | null;
  resourceId: string | null;
}

export interface NewIdempotencyKey {
  clientId: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
  now: Date;
  expiresAt: Date;
}

/**
 * Takes the key for a new request: inserts it IN_PROGRESS, or replaces a row past its `expires_at`
 * in the same statement (an expired key is forgotten at once, never replayed). The new row's id, or
 * undefined when a live row holds the key.
 */
export async function claimIdempotencyKey(db: Sql, key: NewIdempotencyKey): Promise<string | undefined> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO idempotency_key (id, client_id, key, method, path, request_hash, state, locked_at, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'IN_PROGRESS', $7, $7, $8)
     ON CONFLICT (client_id, key) DO UPDATE
       SET id = EXCLUDED.id, method = EXCLUDED.method, path = EXCLUDED.path,
           request_hash = EXCLUDED.request_hash, state = 'IN_PROGRESS', response_status = NULL,
           response_body = NULL, recovery_point = NULL, resource_id = NULL,
           locked_at = EXCLUDED.locked_at, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
       WHERE idempotency_key.expires_at <= EXCLUDED.created_at
     RETURNING id`,
    [newId(), key.clientId, key.key, key.method, key.path, key.requestHash, key.now, key.expiresAt],
  );
  return rows[0]?.id;
}

export async function findIdempotencyKey(
  db: Sql,
  clientId: string,
  key: string,
): Promise<IdempotencyKeyRow | undefined> {
  const rows = await db.query<{
    id: string;
    request_hash: string;
    state: string;
    response_status: number | null;
    response_body: string | null;
    recovery_point: string | null;
    resource_id: string | null;
  }>(
    `SELECT id, request_hash, state, response_status, response_body, recovery_point, resource_id
       FROM idempotency_key WHERE client_id = $1 AND key = $2`,
    [clientId, key],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    requestHash: row.request_hash,
    state: row.state === 'COMPLETED' ? 'COMPLETED' : 'IN_PROGRESS',
    responseStatus: row.response_status,
    responseBody: row.response_body,
    recoveryPoint: row.recovery_point,
    resourceId: row.resource_id,
  };
}

/** Takes over a key IN_PROGRESS whose holder is presumed dead (unlocked, or locked before `staleBefore`). */
export async function takeOverIdempotencyKey(
  db: Sql,
  id: string,
  now: Date,
  staleBefore: Date,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE idempotency_key SET locked_at = $2
      WHERE id = $1::uuid AND state = 'IN_PROGRESS' AND (locked_at IS NULL OR locked_at < $3)
     RETURNING id`,
    [id, now, staleBefore],
  );
  return rows.length === 1;
}

/** In the caller's transaction: the request's first durable write happened (to run with that write). */
export function idempotencyRecoveryPoint(id: string, recoveryPoint: string, resourceId: string): Statement {
  return {
    sql: 'UPDATE idempotency_key SET recovery_point = $2::text, resource_id = $3::text WHERE id = $1::uuid',
    values: [id, recoveryPoint, resourceId],
  };
}

export async function completeIdempotencyKey(
  db: Sql,
  id: string,
  status: number,
  body: string,
): Promise<void> {
  await db.query(
    `UPDATE idempotency_key SET state = 'COMPLETED', response_status = $2, response_body = $3, locked_at = NULL
      WHERE id = $1::uuid`,
    [id, status, body],
  );
}

/**
 * After an unexpected failure, a key still IN_PROGRESS: forgotten when nothing was written yet (a retry
 * runs afresh), unlocked past a recovery point (a retry resumes from there at once).
 */
export async function releaseIdempotencyKey(db: Sql, id: string): Promise<void> {
  await db.query(
    `WITH forgotten AS (
       DELETE FROM idempotency_key WHERE id = $1::uuid AND state = 'IN_PROGRESS' AND recovery_point IS NULL
     )
     UPDATE idempotency_key SET locked_at = NULL
      WHERE id = $1::uuid AND state = 'IN_PROGRESS' AND recovery_point IS NOT NULL`,
    [id],
  );
}

/** Removes the keys past their `expires_at`; how many. */
export async function purgeExpiredIdempotencyKeys(db: Sql, now: Date): Promise<number> {
  const rows = await db.query('DELETE FROM idempotency_key WHERE expires_at < $1 RETURNING id', [now]);
  return rows.length;
}
