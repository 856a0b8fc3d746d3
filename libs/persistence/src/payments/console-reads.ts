import type { Sql } from '../sql';

/**
 * Reads of the operator console on the money tables (payment, partner_transaction): across
 * entities, never on a payment path. The payment list itself is `searchPayments` (payment-search.ts).
 */

/** The entity of a payment (the console acts across entities; the use cases take the entity). */
export async function findPaymentEntityId(db: Sql, paymentId: string): Promise<string | undefined> {
  const rows = await db.query<{ entity_id: string }>(`SELECT entity_id FROM payment WHERE id = $1::uuid`, [
    paymentId,
  ]);
  return rows[0]?.entity_id;
}

export interface PaymentsPerMinuteRow {
  minute: Date;
  payments: number;
}

/** Payments created per minute since `since` (minutes without payments are absent). */
export async function paymentsPerMinute(db: Sql, since: Date): Promise<PaymentsPerMinuteRow[]> {
  return db.query<PaymentsPerMinuteRow>(
    `SELECT date_trunc('minute', created_at) AS minute, count(*)::int AS payments
       FROM payment WHERE created_at >= $1::timestamptz
      GROUP BY 1 ORDER BY 1`,
    [since],
  );
}

export interface AuthorizationRateRow {
  partner: string;
  /** Tenders the partner authorized (AUTHORIZED, or CANCELLED after it held money: voided). */
  authorized: number;
  /** Tenders the partner decided: authorized, refused or failed. */
  decided: number;
}

/**
 * Per partner, of the tenders of payments created since `since`, how many were authorized out of
 * those decided (read through payment's (created_at, id) index and the tenders' (payment_id,
 * position) one: partner_transaction.created_at has no index). A CANCELLED tender counts as
 * authorized when it had a partner reference (it was held, then voided); one cancelled before it
 * was sent counts for nothing.
 */
export async function authorizationRates(db: Sql, since: Date): Promise<AuthorizationRateRow[]> {
  return db.query<AuthorizationRateRow>(
    `SELECT t.partner,
            count(*) FILTER (WHERE t.status = 'AUTHORIZED'
                               OR (t.status = 'CANCELLED' AND t.partner_reference IS NOT NULL))::int AS authorized,
            count(*) FILTER (WHERE t.status IN ('AUTHORIZED', 'REFUSED', 'FAILED')
                               OR (t.status = 'CANCELLED' AND t.partner_reference IS NOT NULL))::int AS decided
       FROM payment p JOIN partner_transaction t ON t.payment_id = p.id
      WHERE p.created_at >= $1::timestamptz
      GROUP BY t.partner ORDER BY t.partner`,
    [since],
  );
}
