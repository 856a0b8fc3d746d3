import { UNSETTLED_LEG_STATUSES, type TenderStatus } from '@tender/domain';
import { json, type Sql, type Statement } from '../sql';
import { asJson } from './payments';
import { tenderFromRow, TENDER_ROW, type JsonRow, type TenderRecord } from './records';

/** Statements on `partner_transaction` (a payment's tenders), through `pg` only. */

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

/** What a partner said about an authorization; a field it did not send keeps its value. */
export interface AuthorizationRecord {
  /** The tender's new status, or null to keep it. */
  status: TenderStatus | null;
  partnerReference?: string | null;
  partnerStatus?: string | null;
  partnerStatusDescription?: string | null;
  partnerToken?: string | null;
  card?: unknown;
  additionalData?: unknown;
  redirectUrl?: string | null;
  /** The outcome is known: no further lookup is due. */
  clearNextCheck: boolean;
  /** Only while the tender is open (PENDING, UNKNOWN) and no attempt was claimed since this one. */
  ifStillAttempt?: number;
  /** The instrument to keep instead (its PIN erased once the authorization is final). */
  instrument?: unknown;
}

/**
 * Records an authorization outcome on the tender (in the payment's transaction, under its lock): the
 * tender as it now is, or undefined when `ifStillAttempt` no longer holds.
 */
export async function recordAuthorization(
  tx: Sql,
  tenderId: string,
  outcome: AuthorizationRecord,
): Promise<TenderRecord | undefined> {
  const [updated] = await tx.query<{ row: unknown }>(
    `UPDATE partner_transaction
        SET status = COALESCE($2::text, status),
            partner_reference = COALESCE($3::text, partner_reference),
            partner_status = COALESCE($4::text, partner_status),
            partner_status_description = COALESCE($5::text, partner_status_description),
            partner_token = COALESCE($6::text, partner_token),
            card = COALESCE($7::jsonb, card),
            partner_additional_data = COALESCE($8::jsonb, partner_additional_data),
            redirect_url = COALESCE($9::text, redirect_url),
            next_check_at = CASE WHEN $10::boolean THEN NULL ELSE next_check_at END,
            instrument = COALESCE($12::jsonb, instrument),
            updated_at = clock_timestamp()
      WHERE id = $1::uuid
        AND ($11::int IS NULL OR (attempts = $11::int AND status IN ('PENDING', 'UNKNOWN')))
  RETURNING ${TENDER_ROW}`,
    [
      tenderId,
      outcome.status,
      outcome.partnerReference ?? null,
      outcome.partnerStatus ?? null,
      outcome.partnerStatusDescription ?? null,
      outcome.partnerToken ?? null,
      json(outcome.card),
      json(outcome.additionalData),
      outcome.redirectUrl ?? null,
      outcome.clearNextCheck,
      outcome.ifStillAttempt ?? null,
      json(outcome.instrument),
    ],
  );
  return updated ? tenderFromRow(asJson(updated.row) as JsonRow) : undefined;
}

/**
 * An authorization whose outcome is open: UNKNOWN when `unknown` (it was PENDING), with the
 * reconciler's bookkeeping (`lastError`) and its next lookup (null: given up). The tender as it now is.
 */
export async function markUnknown(
  tx: Sql,
  tenderId: string,
  open: { unknown: boolean; lastError: unknown; nextCheckAt: Date | null },
): Promise<TenderRecord> {
  const [updated] = await tx.query<{ row: unknown }>(
    `UPDATE partner_transaction
        SET status = CASE WHEN $2::boolean THEN 'UNKNOWN' ELSE status END,
            unknown_since = CASE WHEN $2::boolean THEN clock_timestamp() ELSE unknown_since END,
            last_error = $3::jsonb, next_check_at = $4::timestamptz, updated_at = clock_timestamp()
      WHERE id = $1::uuid
  RETURNING ${TENDER_ROW}`,
    [tenderId, open.unknown, json(open.lastError), open.nextCheckAt?.toISOString() ?? null],
  );
  return tenderFromRow(asJson(updated.row) as JsonRow);
}

/** Open authorizations whose lookup is overdue (its job lost): up to `limit`. */
export async function findOverdueTenderChecks(
  db: Sql,
  dueBefore: Date,
  limit: number,
): Promise<Array<{ id: string; partner: string }>> {
  return db.query<{ id: string; partner: string }>(
    `SELECT id, partner FROM partner_transaction
      WHERE status IN ('UNKNOWN', 'REQUIRES_ACTION') AND next_check_at < $1::timestamptz LIMIT $2::int`,
    [dueBefore, limit],
  );
}

/** The payment's tenders waiting for the shopper (REQUIRES_ACTION): their ids and partners. */
export function listTendersAwaitingShopper(
  db: Sql,
  paymentId: string,
): Promise<Array<{ id: string; partner: string }>> {
  return db.query<{ id: string; partner: string }>(
    `SELECT id, partner FROM partner_transaction WHERE payment_id = $1::uuid AND status = 'REQUIRES_ACTION'`,
    [paymentId],
  );
}

/** How many of the payment's tenders still wait for the shopper. */
export async function countTendersAwaitingShopper(db: Sql, paymentId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM partner_transaction WHERE payment_id = $1::uuid AND status = 'REQUIRES_ACTION'`,
    [paymentId],
  );
  return row.n;
}

/**
 * Tenders and legs of `partner`, of one of `entityIds`, that a partner event names by our reference or
 * by the partner's (up to `limit` of each); with each tender, its open legs already sent.
 */
export async function findTransactionsNamed(
  db: Sql,
  named: {
    partner: string;
    entityIds: string[];
    by: 'reference' | 'partner_reference';
    value: string;
    limit?: number;
  },
): Promise<{ tenders: Array<{ id: string; openLegIds: string[] }>; legs: Array<{ id: string }> }> {
  const column = named.by === 'reference' ? 'reference' : 'partner_reference';
  const limit = named.limit ?? null;
  const [tenders, legs] = [
    await db.query<{ id: string; open_leg_ids: string[] }>(
      `SELECT t.id, COALESCE((SELECT array_agg(l.id) FROM operation_transaction l
                               WHERE l.partner_transaction_id = t.id AND l.status = ANY($5::text[])
                                 AND l.attempts > 0), '{}') AS open_leg_ids
         FROM partner_transaction t JOIN payment p ON p.id = t.payment_id
        WHERE t.${column} = $1::text AND t.partner = $2::text AND p.entity_id = ANY($3::uuid[])
        LIMIT $4::int`,
      [named.value, named.partner, named.entityIds, limit, UNSETTLED_LEG_STATUSES],
    ),
    await db.query<{ id: string }>(
      `SELECT l.id FROM operation_transaction l
         JOIN partner_transaction t ON t.id = l.partner_transaction_id JOIN payment p ON p.id = t.payment_id
        WHERE l.${column} = $1::text AND t.partner = $2::text AND p.entity_id = ANY($3::uuid[])
        LIMIT $4::int`,
      [named.value, named.partner, named.entityIds, limit],
    ),
  ];
  return { tenders: tenders.map((t) => ({ id: t.id, openLegIds: t.open_leg_ids })), legs };
}
