import { json, valuesList, type Sql, type Statement } from '../sql';
import { oneOf, type JsonValue } from './records';

/** Statements on `merchant_event` (the events a merchant receives), through `pg` only. */

export interface NewMerchantEvent {
  id: string;
  entityId: string;
  paymentId: string | null;
  clientSessionId: string | null;
  type: string;
  objectVersion: number;
  payload: unknown;
  /** Where to deliver it, or null when the merchant does not want it (SKIPPED). */
  url: string | null;
  headers: unknown;
  status: 'PENDING' | 'SKIPPED';
}

/** The events' INSERT, to run or `combine` with the change that made them (one round trip). */
export function insertMerchantEvents(events: NewMerchantEvent[], createdAt: Date): Statement {
  const insert = valuesList(
    ['uuid', 'uuid', 'uuid', 'uuid', 'text', 'int', 'jsonb', 'text', 'jsonb', 'text', 'timestamptz'],
    events.map((event) => [
      event.id,
      event.entityId,
      event.paymentId,
      event.clientSessionId,
      event.type,
      event.objectVersion,
      json(event.payload),
      event.url,
      json(event.headers),
      event.status,
      createdAt.toISOString(),
    ]),
  );
  return {
    sql: `INSERT INTO merchant_event (id, entity_id, payment_id, client_session_id, type, object_version, payload,
                                 url, headers, status, created_at)
     VALUES ${insert.sql}`,
    values: insert.values,
  };
}

/** How many merchant events are in each of `statuses` (metrics). */
export async function countMerchantEventsByStatus(
  db: Sql,
  statuses: readonly string[],
): Promise<Array<{ status: string; count: number }>> {
  return db.query<{ status: string; count: number }>(
    'SELECT status, count(*)::int AS count FROM merchant_event WHERE status = ANY($1::text[]) GROUP BY status',
    [statuses],
  );
}

export const MERCHANT_EVENT_STATUSES = ['PENDING', 'DELIVERED', 'FAILED', 'SKIPPED'] as const;
export type MerchantEventStatus = (typeof MERCHANT_EVENT_STATUSES)[number];

/** A merchant event and its delivery state. */
export interface MerchantEventRecord {
  id: string;
  entityId: string;
  paymentId: string | null;
  clientSessionId: string | null;
  type: string;
  objectVersion: number;
  payload: JsonValue;
  url: string | null;
  /** As stored (header values sealed). */
  headers: JsonValue | null;
  status: MerchantEventStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

interface MerchantEventRow {
  id: string;
  entity_id: string;
  payment_id: string | null;
  client_session_id: string | null;
  type: string;
  object_version: number;
  payload: JsonValue;
  url: string | null;
  headers: JsonValue | null;
  status: string;
  attempts: number;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  last_error: string | null;
  created_at: Date;
}

export function merchantEventFromRow(row: MerchantEventRow): MerchantEventRecord {
  return {
    id: row.id,
    entityId: row.entity_id,
    paymentId: row.payment_id,
    clientSessionId: row.client_session_id,
    type: row.type,
    objectVersion: row.object_version,
    payload: row.payload,
    url: row.url,
    headers: row.headers,
    status: oneOf(MERCHANT_EVENT_STATUSES, row.status, 'merchant_event.status'),
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
    createdAt: row.created_at,
  };
}

export async function loadMerchantEvent(db: Sql, id: string): Promise<MerchantEventRecord | undefined> {
  const [row] = await db.query<MerchantEventRow>(
    `SELECT id, entity_id, payment_id, client_session_id, type, object_version, payload, url, headers, status,
            attempts, next_attempt_at, delivered_at, last_error, created_at
       FROM merchant_event WHERE id = $1::uuid`,
    [id],
  );
  return row && merchantEventFromRow(row);
}

/** A planned attempt, as the delivery that read it saw it: its writes apply only if nothing changed since. */
export interface DeliveryFence {
  id: string;
  attempts: number;
  nextAttemptAt: Date | null;
}

/** A PENDING event given up without an attempt (its endpoint disabled), if still as `fence` saw it. */
export async function failPendingMerchantEvent(
  db: Sql,
  fence: DeliveryFence,
  lastError: string,
): Promise<void> {
  await db.query(
    `UPDATE merchant_event SET status = 'FAILED', last_error = $4::text, next_attempt_at = NULL
      WHERE id = $1::uuid AND status = 'PENDING' AND attempts = $2::int
        AND next_attempt_at IS NOT DISTINCT FROM $3::timestamptz`,
    [fence.id, fence.attempts, fence.nextAttemptAt, lastError],
  );
}

/**
 * PENDING events whose planned attempt is overdue (past `before`; never tried and created before it),
 * earliest plan first, up to `batch`.
 */
export function findOverdueMerchantEvents(
  db: Sql,
  before: Date,
  batch: number,
): Promise<Array<{ id: string; nextAttemptAt: Date | null }>> {
  return db
    .query<{ id: string; next_attempt_at: Date | null }>(
      `SELECT id, next_attempt_at FROM merchant_event
        WHERE status = 'PENDING'
          AND (next_attempt_at < $1::timestamptz
               OR (next_attempt_at IS NULL AND attempts = 0 AND created_at < $1::timestamptz))
        ORDER BY next_attempt_at ASC NULLS LAST LIMIT $2::int`,
      [before, batch],
    )
    .then((rows) => rows.map((row) => ({ id: row.id, nextAttemptAt: row.next_attempt_at })));
}

const FENCED = `id = $1::uuid AND status = 'PENDING' AND attempts = $2::int
        AND next_attempt_at IS NOT DISTINCT FROM $3::timestamptz`;

/** One delivery attempt of an event, in its log (`webhook_delivery_attempt`). */
export async function insertDeliveryAttempt(
  tx: Sql,
  attempt: {
    id: string;
    eventId: string;
    attemptedAt: Date;
    responseStatus: number | null;
    error: string | null;
    durationMs: number;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO webhook_delivery_attempt (id, event_id, attempted_at, response_status, error, duration_ms)
     VALUES ($1::uuid, $2::uuid, $3::timestamptz, $4::int, $5::text, $6::int)`,
    [
      attempt.id,
      attempt.eventId,
      attempt.attemptedAt,
      attempt.responseStatus,
      attempt.error,
      attempt.durationMs,
    ],
  );
}

/** The attempt delivered the event, if it is still as `fence` saw it; whether it was. */
export async function recordEventDelivered(
  tx: Sql,
  fence: DeliveryFence,
  attempts: number,
  deliveredAt: Date,
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE merchant_event SET status = 'DELIVERED', attempts = $4::int, delivered_at = $5::timestamptz,
            next_attempt_at = NULL, last_error = NULL
      WHERE ${FENCED} RETURNING id`,
    [fence.id, fence.attempts, fence.nextAttemptAt, attempts, deliveredAt],
  );
  return rows.length === 1;
}

/**
 * The attempt failed, if the event is still as `fence` saw it: the next one planned at
 * `nextAttemptAt`, or none (FAILED: given up). Whether it was recorded.
 */
export async function recordEventAttemptFailed(
  tx: Sql,
  fence: DeliveryFence,
  failed: { attempts: number; lastError: string; nextAttemptAt: Date | null },
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE merchant_event
        SET attempts = $4::int, last_error = $5::text, next_attempt_at = $6::timestamptz,
            status = CASE WHEN $6::timestamptz IS NULL THEN 'FAILED' ELSE status END
      WHERE ${FENCED} RETURNING id`,
    [fence.id, fence.attempts, fence.nextAttemptAt, failed.attempts, failed.lastError, failed.nextAttemptAt],
  );
  return rows.length === 1;
}

/** Every PENDING event of the entity to `url` FAILED (its endpoint was disabled). */
export async function failPendingMerchantEventsTo(
  tx: Sql,
  entityId: string,
  url: string,
  lastError: string,
): Promise<void> {
  await tx.query(
    `UPDATE merchant_event SET status = 'FAILED', last_error = $3::text, next_attempt_at = NULL
      WHERE entity_id = $1::uuid AND url = $2::text AND status = 'PENDING'`,
    [entityId, url, lastError],
  );
}

/** One delivery attempt, as the event's log keeps it. */
export interface DeliveryAttemptRecord {
  id: string;
  eventId: string;
  attemptedAt: Date;
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
}

export type MerchantEventWithAttempts = MerchantEventRecord & { attemptsLog: DeliveryAttemptRecord[] };

const EVENT_COLUMNS = `id, entity_id, payment_id, client_session_id, type, object_version, payload, url, headers, status,
            attempts, next_attempt_at, delivered_at, last_error, created_at`;

async function withAttempts(db: Sql, events: MerchantEventRecord[]): Promise<MerchantEventWithAttempts[]> {
  if (events.length === 0) return [];
  const attempts = await db.query<{
    id: string;
    event_id: string;
    attempted_at: Date;
    response_status: number | null;
    error: string | null;
    duration_ms: number;
  }>(
    `SELECT id, event_id, attempted_at, response_status, error, duration_ms FROM webhook_delivery_attempt
      WHERE event_id = ANY($1::uuid[]) ORDER BY attempted_at, id`,
    [events.map((event) => event.id)],
  );
  return events.map((event) => ({
    ...event,
    attemptsLog: attempts
      .filter((attempt) => attempt.event_id === event.id)
      .map((attempt) => ({
        id: attempt.id,
        eventId: attempt.event_id,
        attemptedAt: attempt.attempted_at,
        responseStatus: attempt.response_status,
        error: attempt.error,
        durationMs: attempt.duration_ms,
      })),
  }));
}

/** The payment's events (of that entity), each with its delivery attempts in order; unordered themselves. */
export async function listMerchantEvents(
  db: Sql,
  paymentId: string,
  entityId: string,
): Promise<MerchantEventWithAttempts[]> {
  const rows = await db.query<MerchantEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM merchant_event WHERE payment_id = $1::uuid AND entity_id = $2::uuid`,
    [paymentId, entityId],
  );
  return withAttempts(db, rows.map(merchantEventFromRow));
}

/** An event of the payment (of that entity). */
export async function findPaymentMerchantEvent(
  db: Sql,
  id: string,
  paymentId: string,
  entityId: string,
): Promise<MerchantEventRecord | undefined> {
  const [row] = await db.query<MerchantEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM merchant_event
      WHERE id = $1::uuid AND payment_id = $2::uuid AND entity_id = $3::uuid`,
    [id, paymentId, entityId],
  );
  return row && merchantEventFromRow(row);
}

/**
 * A redelivery asked for: the event PENDING again with a fresh delivery cycle (attempts 0, next attempt
 * `due`); its attempts log stays. The event after, with its log.
 */
export async function restartMerchantEventDelivery(
  tx: Sql,
  id: string,
  due: Date,
): Promise<MerchantEventWithAttempts> {
  const [row] = await tx.query<MerchantEventRow>(
    `UPDATE merchant_event SET status = 'PENDING', attempts = 0, next_attempt_at = $2::timestamptz,
            delivered_at = NULL, last_error = NULL
      WHERE id = $1::uuid RETURNING ${EVENT_COLUMNS}`,
    [id, due],
  );
  if (!row) throw new Error(`merchant event ${id} not found`);
  return (await withAttempts(tx, [merchantEventFromRow(row)]))[0];
}

/** The entity's FAILED payment events to `url`, oldest first, up to `limit` (to redeliver them). */
export async function findFailedPaymentEventsTo(
  db: Sql,
  entityId: string,
  url: string,
  limit: number,
): Promise<Array<{ id: string; paymentId: string }>> {
  const rows = await db.query<{ id: string; payment_id: string }>(
    `SELECT id, payment_id FROM merchant_event
      WHERE entity_id = $1::uuid AND url = $2::text AND status = 'FAILED' AND payment_id IS NOT NULL
      ORDER BY created_at, id LIMIT $3::int`,
    [entityId, url, limit],
  );
  return rows.map((row) => ({ id: row.id, paymentId: row.payment_id }));
}
