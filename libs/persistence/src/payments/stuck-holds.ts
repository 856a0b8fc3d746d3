import { MAX_COMPENSATION_ATTEMPTS, type AuthorizationStatus, type TenderStatus } from '@tender/domain';
import type { Sql } from '../sql';

/**
 * Holds a partner refused to release: tenders of failed or cancelled split payments that still hold
 * money after the saga gave up voiding them (MAX_COMPENSATION_ATTEMPTS refused voids, none in
 * flight; libs/domain/src/saga.ts). Nobody releases them but an operator, at the partner's back
 * office: the console's Needs attention lists them. Through `pg` only, across entities; read from the
 * failed legs (the (status, next_check_at) index), which are few.
 */

/** Holds listed at most: the newest refusals. */
export const STUCK_HOLDS_LIMIT = 100;

const FINISHED_PAYMENT: readonly AuthorizationStatus[] = ['REFUSED', 'CANCELLED'];
const HOLDS_MONEY: readonly TenderStatus[] = ['AUTHORIZED', 'PENDING_FRAUD_APPROVAL', 'REQUIRES_ACTION'];

/** A stuck hold as Postgres lists it (BIGINT as text). */
export interface StuckHoldRow {
  payment_id: string;
  entity_id: string;
  payment_status: AuthorizationStatus;
  tender_id: string;
  tender_status: TenderStatus;
  partner: string;
  method: string;
  /** The partner's id of the hold: what its back office finds it by. */
  partner_reference: string | null;
  /** The tender's amount less its successful captures and voids. */
  amount_held: string;
  currency: string;
  failed_voids: number;
  last_void_partner_status: string | null;
  last_void_partner_status_description: string | null;
  last_void_at: Date;
}

/** The stuck holds, newest last refusal first, at most `limit`. */
export function listStuckHolds(db: Sql, limit = STUCK_HOLDS_LIMIT): Promise<StuckHoldRow[]> {
  return db.query<StuckHoldRow>(
    `SELECT p.id AS payment_id, p.entity_id, p.status AS payment_status, t.id AS tender_id,
            t.status AS tender_status, t.partner, t.method, t.partner_reference,
            (t.amount - legs.captured - legs.voided)::text AS amount_held, t.currency, legs.failed_voids,
            last_void.partner_status AS last_void_partner_status,
            last_void.partner_status_description AS last_void_partner_status_description,
            last_void.updated_at AS last_void_at
       FROM (SELECT DISTINCT l.partner_transaction_id AS id
               FROM operation_transaction l JOIN operation o ON o.id = l.operation_id
              WHERE l.status = 'FAILED' AND o.type = 'VOID') refused
       JOIN partner_transaction t ON t.id = refused.id
       JOIN payment p ON p.id = t.payment_id
      CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE o.type = 'VOID' AND l.status = 'FAILED')::int AS failed_voids,
                   count(*) FILTER (WHERE o.type = 'VOID' AND l.status IN ('PENDING', 'UNKNOWN'))::int AS open_voids,
                   COALESCE(sum(l.amount) FILTER (WHERE o.type = 'CAPTURE' AND l.status = 'SUCCESS'), 0) AS captured,
                   COALESCE(sum(l.amount) FILTER (WHERE o.type = 'VOID' AND l.status = 'SUCCESS'), 0) AS voided
              FROM operation_transaction l JOIN operation o ON o.id = l.operation_id
             WHERE l.partner_transaction_id = t.id) legs
      CROSS JOIN LATERAL (
            SELECT l.partner_status, l.partner_status_description, l.updated_at
              FROM operation_transaction l JOIN operation o ON o.id = l.operation_id
             WHERE l.partner_transaction_id = t.id AND o.type = 'VOID'
             ORDER BY l.created_at DESC, l.id DESC LIMIT 1) last_void
      WHERE p.status = ANY($1::text[]) AND t.status = ANY($2::text[])
        AND legs.failed_voids >= $3::int AND legs.open_voids = 0
      ORDER BY last_void.updated_at DESC, t.id
      LIMIT $4::int`,
    [FINISHED_PAYMENT, HOLDS_MONEY, MAX_COMPENSATION_ATTEMPTS, limit],
  );
}
