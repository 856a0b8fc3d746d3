import { OPERATION_STATUSES, type OperationLegStatus, type OperationStatus } from '@tender/domain';
import { json, valuesList, type Sql, type Statement } from '../sql';
import {
  legFromRow,
  LEG_ROW,
  oneOf,
  operationFromRow,
  OPERATION_ROW,
  type JsonRow,
  type LegRecord,
  type OperationRecord,
  type OperationTypeValue,
  type Trigger,
} from './records';
import { asJson } from './payments';

/** Every statement on `operation` and `operation_transaction` (its legs), through `pg` only. */

export interface NewOperation {
  id: string;
  paymentId: string;
  type: OperationTypeValue;
  amount: number;
  merchantReference: string | null;
  order: unknown;
  status: OperationStatus;
  triggeredBy: Trigger;
  legs: Array<{ id: string; tenderId: string; amount: number; status: OperationLegStatus }>;
}

/**
 * Inserts an operation and its legs in one round trip (a leg's reference is its id without dashes);
 * both come back as records (legs in the order the INSERT returned them).
 */
export async function insertOperation(
  tx: Sql,
  operation: NewOperation,
): Promise<{ operation: OperationRecord; legs: LegRecord[] }> {
  const rows = valuesList(
    ['uuid', 'uuid', 'bigint', 'text', 'text'],
    operation.legs.map((leg) => [leg.id, leg.tenderId, leg.amount, leg.id.replace(/-/g, ''), leg.status]),
    8,
  );
  const written = await tx.query<{ operation: unknown; leg: unknown }>(
    `WITH operation_row AS (
       INSERT INTO operation (id, payment_id, type, amount, merchant_reference, "order", status, triggered_by,
                              created_at, updated_at)
       VALUES ($1::uuid, $2::uuid, $3::text, $4::bigint, $5::text, $6::jsonb, $8::text, $7::text,
               clock_timestamp(), clock_timestamp())
       RETURNING id, ${OPERATION_ROW})
     INSERT INTO operation_transaction (id, operation_id, partner_transaction_id, amount, reference, status,
                                        created_at, updated_at)
     SELECT v.id, operation_row.id, v.tender_id, v.amount, v.reference, v.status, clock_timestamp(), clock_timestamp()
       FROM operation_row, (VALUES ${rows.sql}) AS v(id, tender_id, amount, reference, status)
     RETURNING ${LEG_ROW.replace(' AS row', ' AS leg')}, (SELECT row FROM operation_row) AS operation`,
    [
      operation.id,
      operation.paymentId,
      operation.type,
      operation.amount,
      operation.merchantReference,
      json(operation.order),
      operation.triggeredBy,
      operation.status,
      ...rows.values,
    ],
  );
  return {
    operation: operationFromRow(asJson(written[0].operation) as JsonRow),
    legs: written.map((w) => legFromRow(asJson(w.leg) as JsonRow)),
  };
}

/** The operation's status as its legs now decide it (to `combine` with the change's other writes). */
export function setOperationStatus(operationId: string, status: OperationStatus, now: Date): Statement {
  return {
    sql: 'UPDATE operation SET status = $2::text, updated_at = $3::timestamptz WHERE id = $1::uuid',
    values: [operationId, status, now],
  };
}

/** A refund leg that can no longer be sent, FAILED with the reason, if still unsent (to `combine`). */
export function failUnsentLeg(
  legId: string,
  partnerStatus: string,
  partnerStatusDescription: string,
  now: Date,
): Statement {
  return {
    sql: `UPDATE operation_transaction SET status = 'FAILED', partner_status = $2::text,
                 partner_status_description = $3::text, updated_at = $4::timestamptz
           WHERE id = $1::uuid AND status = 'PENDING' AND attempts = 0`,
    values: [legId, partnerStatus, partnerStatusDescription, now],
  };
}

/** A leg's outcome, as the partner reported it (a field it did not send keeps its value): the leg as it now is. */
export async function recordLegResult(
  tx: Sql,
  legId: string,
  result: {
    status: OperationLegStatus;
    partnerReference?: string | null;
    partnerStatus?: string | null;
    partnerStatusDescription?: string | null;
  },
): Promise<LegRecord> {
  const [updated] = await tx.query<{ row: unknown }>(
    `UPDATE operation_transaction
        SET status = $2::text,
            partner_reference = COALESCE($3::text, partner_reference),
            partner_status = COALESCE($4::text, partner_status),
            partner_status_description = COALESCE($5::text, partner_status_description),
            next_check_at = NULL,
            updated_at = clock_timestamp()
      WHERE id = $1::uuid
  RETURNING ${LEG_ROW}`,
    [
      legId,
      result.status,
      result.partnerReference ?? null,
      result.partnerStatus ?? null,
      result.partnerStatusDescription ?? null,
    ],
  );
  return legFromRow(asJson(updated.row) as JsonRow);
}

/**
 * A leg whose outcome is open: `status` (UNKNOWN, or PENDING when the partner says it is under way),
 * what the partner said, the reconciler's bookkeeping and the next lookup (null: given up).
 */
export async function markLegUnknown(
  tx: Sql,
  legId: string,
  open: {
    status: 'PENDING' | 'UNKNOWN';
    partnerReference?: string | null;
    partnerStatus?: string | null;
    lastError: unknown;
    nextCheckAt: Date | null;
  },
): Promise<LegRecord> {
  const [updated] = await tx.query<{ row: unknown }>(
    `UPDATE operation_transaction
        SET status = $2::text,
            partner_reference = COALESCE($3::text, partner_reference),
            partner_status = COALESCE($4::text, partner_status),
            last_error = $5::jsonb, next_check_at = $6::timestamptz, updated_at = clock_timestamp()
      WHERE id = $1::uuid
  RETURNING ${LEG_ROW}`,
    [
      legId,
      open.status,
      open.partnerReference ?? null,
      open.partnerStatus ?? null,
      json(open.lastError),
      open.nextCheckAt?.toISOString() ?? null,
    ],
  );
  return legFromRow(asJson(updated.row) as JsonRow);
}

/** Open legs whose lookup is overdue (its job lost), with their tender's partner: up to `limit`. */
export async function findOverdueLegChecks(
  db: Sql,
  dueBefore: Date,
  limit: number,
): Promise<Array<{ id: string; partner: string }>> {
  return db.query<{ id: string; partner: string }>(
    `SELECT l.id, t.partner FROM operation_transaction l
       JOIN partner_transaction t ON t.id = l.partner_transaction_id
      WHERE l.status IN ('PENDING', 'UNKNOWN') AND l.next_check_at < $1::timestamptz LIMIT $2::int`,
    [dueBefore, limit],
  );
}

/** An operation's status, in one light read (undefined: no such operation). */
export async function loadOperationStatus(
  db: Sql,
  operationId: string,
): Promise<OperationStatus | undefined> {
  const [row] = await db.query<{ status: string }>('SELECT status FROM operation WHERE id = $1::uuid', [
    operationId,
  ]);
  return row && oneOf(OPERATION_STATUSES, row.status, 'operation.status');
}
