import { json, type Sql } from './sql';

/**
 * `partner_event`: the partners' webhooks as received, through `pg` so that storing one and its
 * processing job (outbox) share a transaction with the money tables' store.
 */

/** Stores a received event; false when (partner, event id) is stored already (a redelivery). */
export async function insertPartnerEvent(
  tx: Sql,
  event: { id: string; partner: string; eventId: string; type: string; payload: unknown },
): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO partner_event (id, partner, event_id, type, payload)
     VALUES ($1::uuid, $2::text, $3::text, $4::text, $5::jsonb)
     ON CONFLICT DO NOTHING RETURNING id`,
    [event.id, event.partner, event.eventId, event.type, json(event.payload ?? {})],
  );
  return rows.length === 1;
}

/** Marks the event processed (with why nothing matched, if so); false when another run did it already. */
export async function markPartnerEventProcessed(
  tx: Sql,
  id: string,
  now: Date,
  error: string | null,
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE partner_event SET processed_at = $2::timestamptz, error = $3::text
      WHERE id = $1::uuid AND processed_at IS NULL RETURNING id`,
    [id, now, error],
  );
  return rows.length === 1;
}
