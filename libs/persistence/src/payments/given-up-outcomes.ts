import type { OperationLegStatus, TenderStatus } from '@tender/domain';
import { json, type Sql } from '../sql';
import { asJson } from './payments';
import {
  legFromRow,
  LEG_ROW,
  tenderFromRow,
  TENDER_ROW,
  type JsonRow,
  type LegRecord,
  type TenderRecord,
} from './records';

/**
 * The outcomes the reconciler gave up on (docs/money-safety.md, rule 6), for the operators' CLI: list
 * them, find one, start its lookups over, settle it by hand, audit it. Through `pg` only.
 */

export type OutcomeTable = 'partner_transaction' | 'operation_transaction';
export type OutcomeKind = 'authorization' | 'capture' | 'void' | 'refund';

/** A given-up outcome as Postgres lists it (BIGINT as text). */
export interface GivenUpOutcomeRow {
  id: string;
  kind: OutcomeKind;
  payment_id: string;
  entity_id: string;
  partner: string;
  method: string;
  tender_id: string;
  operation_id: string | null;
  amount: string;
  currency: string;
  status: string;
  last_error: { reason?: string; checks?: number; at?: string } | null;
  attempts: number;
  partner_reference: string | null;
  unknown_since: Date;
  age_seconds: number;
}

// Given-up rows have no next check: the (status, next_check_at) indexes find them.
const GIVEN_UP_OUTCOMES = `
  SELECT * FROM (
    SELECT t.id, 'authorization' AS kind, t.payment_id, p.entity_id, t.partner, t.method, t.id AS tender_id,
           NULL::uuid AS operation_id, t.amount::text AS amount, t.currency, t.status, t.last_error, t.attempts,
           t.partner_reference, COALESCE(t.unknown_since, t.created_at) AS unknown_since
      FROM partner_transaction t JOIN payment p ON p.id = t.payment_id
     WHERE t.status = ANY($3::text[]) AND t.next_check_at IS NULL AND t.last_error @> '{"gave_up": true}'
    UNION ALL
    SELECT l.id, lower(o.type), o.payment_id, p.entity_id, t.partner, t.method, t.id, o.id, l.amount::text,
           t.currency, l.status, l.last_error, l.attempts, l.partner_reference, l.created_at
      FROM operation_transaction l
      JOIN operation o ON o.id = l.operation_id
      JOIN partner_transaction t ON t.id = l.partner_transaction_id
      JOIN payment p ON p.id = o.payment_id
     WHERE l.status = ANY($4::text[]) AND l.next_check_at IS NULL AND l.last_error @> '{"gave_up": true}'
  ) open
  WHERE ($1::uuid IS NULL OR entity_id = $1::uuid) AND ($2::text IS NULL OR partner = $2::text)`;

/**
 * Tenders in `tenderStatuses` and legs in `legStatuses` the reconciler gave up on, oldest first, of
 * an entity or a partner if given.
 */
export function listGivenUpOutcomes(
  db: Sql,
  filters: { entityId?: string; partner?: string },
  tenderStatuses: readonly TenderStatus[],
  legStatuses: readonly OperationLegStatus[],
): Promise<GivenUpOutcomeRow[]> {
  return db.query<GivenUpOutcomeRow>(
    `SELECT *, floor(extract(epoch FROM clock_timestamp() - unknown_since))::int AS age_seconds
       FROM (${GIVEN_UP_OUTCOMES}) listed ORDER BY unknown_since, id`,
    [filters.entityId ?? null, filters.partner ?? null, tenderStatuses, legStatuses],
  );
}

/** The tender or operation leg with this id (ids are uuids, unique across both tables). */
export async function findOutcomeTarget(
  db: Sql,
  id: string,
): Promise<{ table: OutcomeTable; kind: OutcomeKind; paymentId: string; partner: string } | undefined> {
  const [row] = await db.query<{
    target_table: OutcomeTable;
    kind: OutcomeKind;
    payment_id: string;
    partner: string;
  }>(
    `SELECT 'partner_transaction' AS target_table, 'authorization' AS kind, payment_id, partner
       FROM partner_transaction WHERE id = $1::uuid
     UNION ALL
     SELECT 'operation_transaction', lower(o.type), o.payment_id, t.partner
       FROM operation_transaction l
       JOIN operation o ON o.id = l.operation_id
       JOIN partner_transaction t ON t.id = l.partner_transaction_id
      WHERE l.id = $1::uuid`,
    [id],
  );
  return row && { table: row.target_table, kind: row.kind, paymentId: row.payment_id, partner: row.partner };
}

type Changed =
  { table: 'partner_transaction'; row: TenderRecord } | { table: 'operation_transaction'; row: LegRecord };

function changed(table: OutcomeTable, row: unknown): Changed {
  const json = asJson(row) as JsonRow;
  return table === 'partner_transaction'
    ? { table, row: tenderFromRow(json) }
    : { table, row: legFromRow(json) };
}

/** The reconciler's bookkeeping starts over: checks 0, no longer given up, next check now. */
export async function restartOutcomeChecks(tx: Sql, table: OutcomeTable, id: string): Promise<Changed> {
  const [updated] = await tx.query<{ row: unknown }>(
    `UPDATE ${table === 'partner_transaction' ? 'partner_transaction' : 'operation_transaction'}
        SET last_error = (COALESCE(last_error, '{}'::jsonb) - 'gave_up') || '{"checks": 0}'::jsonb,
            next_check_at = clock_timestamp(), updated_at = clock_timestamp()
      WHERE id = $1::uuid
    RETURNING ${table === 'partner_transaction' ? TENDER_ROW : LEG_ROW}`,
    [id],
  );
  return changed(table, updated.row);
}

/**
 * Settles an outcome by an operator's word: its status, the reason the merchant sees
 * (`partner_status_description`), the resolution kept in `last_error.resolved`, and for a tender the
 * partner reference if given; no further lookup.
 */
export async function resolveOutcomeByOperator(
  tx: Sql,
  table: OutcomeTable,
  id: string,
  resolution: {
    status: TenderStatus | OperationLegStatus;
    description: string;
    resolved: unknown;
    partnerReference?: string;
  },
): Promise<Changed> {
  const isTender = table === 'partner_transaction';
  const [updated] = await tx.query<{ row: unknown }>(
    `UPDATE ${isTender ? 'partner_transaction' : 'operation_transaction'}
        SET status = $2::text,
            partner_status_description = $3::text,
            last_error = COALESCE(last_error, '{}'::jsonb) || jsonb_build_object('resolved', $4::jsonb),
            ${isTender ? 'partner_reference = COALESCE($5::text, partner_reference),' : ''}
            next_check_at = NULL, updated_at = clock_timestamp()
      WHERE id = $1::uuid
    RETURNING ${isTender ? TENDER_ROW : LEG_ROW}`,
    [
      id,
      resolution.status,
      resolution.description,
      json(resolution.resolved),
      ...(isTender ? [resolution.partnerReference ?? null] : []),
    ],
  );
  return changed(table, updated.row);
}

/** An operator's action on a payment, in `audit_log` (in the same transaction as the action). */
export async function insertAuditLog(
  tx: Sql,
  entry: {
    id: string;
    actor: string;
    action: string;
    targetType: string;
    targetId: string;
    paymentId: string;
    reason: string | null;
    details: unknown;
    /** The console's operator, when the action came from the console. */
    operatorId?: string | null;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (id, actor, action, target_type, target_id, payment_id, reason, details, operator_id)
     VALUES ($1::uuid, $2::text, $3::text, $4::text, $5::uuid, $6::uuid, $7::text, $8::jsonb, $9::uuid)`,
    [
      entry.id,
      entry.actor,
      entry.action,
      entry.targetType,
      entry.targetId,
      entry.paymentId,
      entry.reason,
      json(entry.details),
      entry.operatorId ?? null,
    ],
  );
}
