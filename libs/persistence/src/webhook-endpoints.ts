import type { Sql } from './sql';

/**
 * The health of a merchant's webhook endpoint (`webhook_endpoint`) as deliveries change it, through
 * `pg` so that it shares a transaction with the event's delivery state (libs/persistence/src/payments/
 * merchant-events.ts).
 */

export interface EndpointHealth {
  id: string;
  url: string;
  failingSince: Date | null;
  disabledAt: Date | null;
}

/** A delivery succeeded: the endpoint is no longer failing. */
export async function clearEndpointFailing(tx: Sql, id: string): Promise<void> {
  await tx.query(
    `UPDATE webhook_endpoint SET failing_since = NULL, updated_at = clock_timestamp()
      WHERE id = $1::uuid AND failing_since IS NOT NULL`,
    [id],
  );
}

/** A delivery failed: the endpoint is failing since `since`, unless it was already. Its health after. */
export async function markEndpointFailing(tx: Sql, id: string, since: Date): Promise<EndpointHealth> {
  await tx.query(
    `UPDATE webhook_endpoint SET failing_since = $2::timestamptz, updated_at = clock_timestamp()
      WHERE id = $1::uuid AND failing_since IS NULL`,
    [id, since],
  );
  const [row] = await tx.query<{
    id: string;
    url: string;
    failing_since: Date | null;
    disabled_at: Date | null;
  }>('SELECT id, url, failing_since, disabled_at FROM webhook_endpoint WHERE id = $1::uuid', [id]);
  if (!row) throw new Error(`webhook endpoint ${id} not found`);
  return { id: row.id, url: row.url, failingSince: row.failing_since, disabledAt: row.disabled_at };
}

export async function disableEndpoint(tx: Sql, id: string, at: Date): Promise<void> {
  await tx.query(
    'UPDATE webhook_endpoint SET disabled_at = $2::timestamptz, updated_at = clock_timestamp() WHERE id = $1::uuid',
    [id, at],
  );
}

/** A redelivery asked for: the entity's endpoint at `url`, if disabled, is enabled again (its failing reset). */
export async function enableEndpoint(tx: Sql, entityId: string, url: string): Promise<void> {
  await tx.query(
    `UPDATE webhook_endpoint SET disabled_at = NULL, failing_since = NULL, updated_at = clock_timestamp()
      WHERE entity_id = $1::uuid AND url = $2::text AND disabled_at IS NOT NULL`,
    [entityId, url],
  );
}
