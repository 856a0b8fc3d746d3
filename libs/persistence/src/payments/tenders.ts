import type { Sql, Statement } from '../sql';

/** Statements on `partner_transaction` (a payment's tenders) that the saga writes, through `pg` only. */

/** A tender voided in full: CANCELLED (to `combine` with the change's other writes). */
export function cancelTender(tenderId: string, now: Date): Statement {
  return {
    sql: `UPDATE partner_transaction SET status = 'CANCELLED', updated_at = $2::timestamptz WHERE id = $1::uuid`,
    values: [tenderId, now],
  };
}

/**
 * Cancels the tenders never sent, atomically and only if still unclaimed (a claim does not take the
 * payment's lock): the ids it cancelled. The others were claimed meanwhile: they are in flight.
 */
export async function cancelUnsentTenders(tx: Sql, tenderIds: string[], now: Date): Promise<string[]> {
  const cancelled = await tx.query<{ id: string }>(
    `UPDATE partner_transaction SET status = 'CANCELLED', updated_at = $2::timestamptz
      WHERE id = ANY($1::uuid[]) AND status = 'PENDING' AND attempts = 0 RETURNING id`,
    [tenderIds, now],
  );
  return cancelled.map((row) => row.id);
}
