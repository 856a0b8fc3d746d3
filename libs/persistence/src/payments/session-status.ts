import { CLIENT_SESSION_STATUSES, type ClientSessionStatus } from '@tender/domain';
import type { Sql } from '../sql';
import { oneOf, type JsonValue } from './records';

/**
 * What the payment side reads and writes of a client session: the status the payment's outcome gives
 * it, and what its CLIENT_SESSION_STATUS event carries. Through `pg` only.
 */

/** Moves a session from `from` to `to` (a new version); whether it was in `from`. */
export async function setSessionStatus(
  tx: Sql,
  sessionId: string,
  from: ClientSessionStatus,
  to: ClientSessionStatus,
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE client_session SET status = $2, version = version + 1, updated_at = clock_timestamp()
      WHERE id = $1::uuid AND status = $3 RETURNING id`,
    [sessionId, to, from],
  );
  return rows.length === 1;
}

/** A session as its CLIENT_SESSION_STATUS event presents it. */
export interface SessionEventSource {
  id: string;
  entityId: string;
  paymentId: string | null;
  version: number;
  webhook: JsonValue | null;
  status: ClientSessionStatus;
  amount: bigint;
  currency: string;
  expiresAt: Date;
}

export async function loadSessionEventSource(
  tx: Sql,
  sessionId: string,
): Promise<SessionEventSource | undefined> {
  const [row] = await tx.query<{
    id: string;
    entity_id: string;
    payment_id: string | null;
    version: number;
    webhook: JsonValue | null;
    status: string;
    amount: string;
    currency: string;
    expires_at: Date;
  }>(
    `SELECT id, entity_id, payment_id, version, webhook, status, amount::text AS amount, currency, expires_at
       FROM client_session WHERE id = $1::uuid`,
    [sessionId],
  );
  if (!row) return undefined;
  return {
    id: row.id,
    entityId: row.entity_id,
    paymentId: row.payment_id,
    version: row.version,
    webhook: row.webhook,
    status: oneOf(CLIENT_SESSION_STATUSES, row.status, 'client_session.status'),
    amount: BigInt(row.amount),
    currency: row.currency,
    expiresAt: new Date(row.expires_at),
  };
}

/**
 * A payment submitted through the entity's session, in the payment's transaction: the session
 * becomes SUBMITTED with the payment's id, if it is still CREATED and unexpired. Whether it was.
 */
export async function submitSession(
  tx: Sql,
  sessionId: string,
  entityId: string,
  paymentId: string,
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE client_session SET status = 'SUBMITTED', payment_id = $3::uuid, version = version + 1,
        updated_at = clock_timestamp()
      WHERE id = $1::uuid AND entity_id = $2::uuid AND status = 'CREATED' AND expires_at > now()
     RETURNING id`,
    [sessionId, entityId, paymentId],
  );
  return rows.length === 1;
}

/** Sessions still CREATED past their `expires_at` (up to `limit`): the housekeeping expires them. */
export async function findExpiredSessions(db: Sql, now: Date, limit: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM client_session WHERE status = 'CREATED' AND expires_at <= $1::timestamptz LIMIT $2::int`,
    [now, limit],
  );
  return rows.map((row) => row.id);
}
