import { json, valuesList, type Sql, type Statement } from '../sql';

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
