import { isUuid, type Prisma, type Sql } from '@tender/persistence';
import type { OperationWithLegs, PaymentAggregate } from './presenter';
import type {
  Operation,
  OperationTransaction,
  PartnerTransaction,
} from '@tender/persistence/generated/prisma/client';

export const PAYMENT_AGGREGATE_INCLUDE = {
  partnerTransactions: true,
  operations: { include: { legs: true } },
} satisfies Prisma.PaymentInclude;

/**
 * The columns of the aggregate's tables that JSON cannot carry as they are: BIGINT (as text) and
 * timestamps (as ISO text). Every other column is its field in camelCase (aggregate.spec.ts keeps
 * both facts true against prisma/schema.prisma).
 */
export const AGGREGATE_CONVERSIONS = {
  payment: {
    bigint: ['amount'],
    date: ['authorization_updated_at', 'cancel_requested_at', 'created_at', 'updated_at'],
  },
  partner_transaction: {
    bigint: ['amount'],
    date: ['created_at', 'in_flight_until', 'next_check_at', 'unknown_since', 'updated_at'],
  },
  operation: { bigint: ['amount'], date: ['created_at', 'updated_at'] },
  operation_transaction: {
    bigint: ['amount'],
    date: ['created_at', 'in_flight_until', 'next_check_at', 'updated_at'],
  },
} as const satisfies Record<string, { bigint: readonly string[]; date: readonly string[] }>;
type AggregateTable = keyof typeof AGGREGATE_CONVERSIONS;

const camelCase = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** A `to_jsonb` row as Prisma returns the model: camelCase fields, BIGINT as bigint, timestamps as Date. */
function toModel(row: Record<string, unknown>, table: AggregateTable): Record<string, unknown> {
  const { bigint, date } = AGGREGATE_CONVERSIONS[table] as {
    bigint: readonly string[];
    date: readonly string[];
  };
  const out: Record<string, unknown> = {};
  for (const column in row) {
    const value = row[column];
    out[camelCase(column)] =
      value === null
        ? null
        : bigint.includes(column)
          ? BigInt(value as string)
          : date.includes(column)
            ? new Date(value as string)
            : value;
  }
  return out;
}

const asJson = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

/** The payment, its tenders (split order), operations and legs (creation order), as JSON, for `WHERE` below. */
const AGGREGATE_SELECT = `
    SELECT to_jsonb(p) || jsonb_build_object('amount', p.amount::text) AS payment,
           COALESCE((SELECT jsonb_agg(to_jsonb(t) || jsonb_build_object('amount', t.amount::text) ORDER BY t.position)
                       FROM partner_transaction t WHERE t.payment_id = p.id), '[]'::jsonb) AS tenders,
           COALESCE((SELECT jsonb_agg(to_jsonb(o) || jsonb_build_object(
                              'amount', o.amount::text,
                              'legs', COALESCE((SELECT jsonb_agg(to_jsonb(l) || jsonb_build_object('amount', l.amount::text)
                                                                 ORDER BY l.created_at, l.id)
                                                  FROM operation_transaction l WHERE l.operation_id = o.id), '[]'::jsonb))
                              ORDER BY o.created_at, o.id)
                       FROM operation o WHERE o.payment_id = p.id), '[]'::jsonb) AS operations
      FROM payment p`;

const BY_PAYMENT = `${AGGREGATE_SELECT}
     WHERE p.id = $1::uuid AND ($2::uuid IS NULL OR p.entity_id = $2::uuid) LIMIT 1`;
const BY_PAYMENTS = `${AGGREGATE_SELECT}
     WHERE p.id = ANY($1::uuid[])`;
const BY_TENDER = `${AGGREGATE_SELECT}
     WHERE p.id = (SELECT payment_id FROM partner_transaction WHERE id = $1::uuid)`;
const BY_LEG = `${AGGREGATE_SELECT}
     WHERE p.id = (SELECT o.payment_id FROM operation_transaction l JOIN operation o ON o.id = l.operation_id
                    WHERE l.id = $1::uuid)`;

/** The in-flight lease a claim records: now + `$2` milliseconds (the call's timeout + margin). */
export const IN_FLIGHT_UNTIL = `clock_timestamp() + $2::int * interval '1 millisecond'`;

// A data-modifying CTE runs in the statement's snapshot: the SELECT reads the rows as they were before it.
const CLAIM_TENDER = `WITH claimed AS (
       UPDATE partner_transaction t
          SET attempts = 1, in_flight_until = ${IN_FLIGHT_UNTIL}, updated_at = clock_timestamp()
        WHERE t.id = $1::uuid AND t.status = 'PENDING' AND t.attempts = 0
          AND EXISTS (SELECT 1 FROM payment WHERE id = t.payment_id AND status NOT IN ('REFUSED', 'CANCELLED'))
       RETURNING t.payment_id)
  ${AGGREGATE_SELECT}
     WHERE p.id = (SELECT payment_id FROM claimed)`;
// A refund leg is not claimed while a capture of its tender is in flight: it waits for it (saga).
const CLAIM_LEG = `WITH claimed AS (
       UPDATE operation_transaction l
          SET attempts = 1, in_flight_until = ${IN_FLIGHT_UNTIL}, updated_at = clock_timestamp()
        WHERE l.id = $1::uuid AND l.status = 'PENDING' AND l.attempts = 0
          AND NOT (EXISTS (SELECT 1 FROM operation WHERE id = l.operation_id AND type = 'REFUND')
                   AND EXISTS (SELECT 1 FROM operation_transaction c JOIN operation co ON co.id = c.operation_id
                                WHERE c.partner_transaction_id = l.partner_transaction_id
                                  AND co.type = 'CAPTURE' AND c.status IN ('PENDING', 'UNKNOWN')))
       RETURNING l.operation_id)
  ${AGGREGATE_SELECT}
     WHERE p.id = (SELECT payment_id FROM operation WHERE id = (SELECT operation_id FROM claimed))`;

type AggregateRow = { payment: unknown; tenders: unknown; operations: unknown };

async function readAggregate(db: Sql, sql: string, values: unknown[]): Promise<PaymentAggregate | null> {
  const rows = await db.query<AggregateRow>(sql, values);
  return rows.length === 0 ? null : aggregateOf(rows[0]);
}

function aggregateOf(row: AggregateRow): PaymentAggregate {
  const tenders = asJson(row.tenders) as Array<Record<string, unknown>>;
  const operations = asJson(row.operations) as Array<Record<string, unknown>>;
  return {
    ...toModel(asJson(row.payment) as Record<string, unknown>, 'payment'),
    partnerTransactions: tenders.map((t) => toModel(t, 'partner_transaction')),
    operations: operations.map(({ legs, ...operation }) => ({
      ...toModel(operation, 'operation'),
      legs: (legs as Array<Record<string, unknown>>).map((l) => toModel(l, 'operation_transaction')),
    })),
  } as unknown as PaymentAggregate;
}

/**
 * A payment with everything its API view and money decisions need, in one round trip (Prisma's
 * `include` of PAYMENT_AGGREGATE_INCLUDE takes four: one per table). Tenders come in split order,
 * operations and their legs in creation order. BIGINT columns travel as text (exact).
 */
export function findPaymentAggregate(
  db: Sql,
  id: string,
  entityId?: string,
): Promise<PaymentAggregate | null> {
  return readAggregate(db, BY_PAYMENT, [id, entityId ?? null]);
}

/**
 * Several payments whole, in one round trip (a page of a search), in the order of `ids`; an id
 * without a payment is left out.
 */
export async function findPaymentAggregates(db: Sql, ids: readonly string[]): Promise<PaymentAggregate[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<AggregateRow>(BY_PAYMENTS, [ids]);
  const byId = new Map(rows.map(aggregateOf).map((payment) => [payment.id, payment]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * The first attempt of a tender (of a payment neither refused nor cancelled) or of an operation leg
 * that was never sent: counts it (attempts 0 → 1, still PENDING, in flight for `inFlightMs`) and reads its payment as it was just
 * before, in one round trip. Null when there was no such first attempt to claim: then read, decide and
 * claim step by step.
 */
export function claimFirstAttempt(
  db: Sql,
  of: TenderOrLeg,
  inFlightMs: number,
): Promise<PaymentAggregate | null> {
  return 'tenderId' in of
    ? readAggregate(db, CLAIM_TENDER, [of.tenderId, inFlightMs])
    : readAggregate(db, CLAIM_LEG, [of.legId, inFlightMs]);
}

type TenderOrLeg = { tenderId: string } | { legId: string };

/** The payment a tender (partner transaction) or an operation leg belongs to, whole, in one round trip. */
export function findPaymentAggregateOf(db: Sql, of: TenderOrLeg): Promise<PaymentAggregate | null> {
  return 'tenderId' in of
    ? readAggregate(db, BY_TENDER, [of.tenderId])
    : readAggregate(db, BY_LEG, [of.legId]);
}

/**
 * Takes the payment's row lock for the rest of the transaction: every money decision is made under it.
 * It must be a statement of its own, before the read: under READ COMMITTED a `FOR UPDATE` that waited
 * re-checks only the locked row, while subqueries of the same statement (tenders, operations, legs)
 * keep the snapshot taken before the wait — a read folded into the lock would decide on stale legs.
 */
export async function lockPayment(tx: Sql, id: string, entityId?: string): Promise<boolean> {
  const rows = await tx.query(
    'SELECT 1 FROM payment WHERE id = $1::uuid AND ($2::uuid IS NULL OR entity_id = $2::uuid) FOR UPDATE',
    [id, entityId ?? null],
  );
  return rows.length === 1;
}

/**
 * The statement of `lockPayment` without parameters, to send with BEGIN in one round trip
 * (`Database.transaction`'s opening): it returns one row when the payment exists (of that entity).
 */
export function lockPaymentStatement(id: string, entityId?: string): string {
  if (!isUuid(id) || (entityId !== undefined && !isUuid(entityId))) throw new RangeError('not a uuid');
  return `SELECT 1 FROM payment WHERE id = '${id}'${entityId ? ` AND entity_id = '${entityId}'` : ''} FOR UPDATE`;
}

/** `RETURNING` these to get a changed tender or leg back as the aggregate holds it (`putTender`, `putLeg`). */
export const TENDER_ROW = `to_jsonb(partner_transaction) || jsonb_build_object('amount', partner_transaction.amount::text) AS row`;
export const LEG_ROW = `to_jsonb(operation_transaction) || jsonb_build_object('amount', operation_transaction.amount::text) AS row`;

export const OPERATION_ROW = `to_jsonb(operation) || jsonb_build_object('amount', operation.amount::text) AS row`;

/** An operation and its legs from the rows an INSERT returned (OPERATION_ROW, LEG_ROW), legs in aggregate order. */
export function operationFromRows(operationRow: unknown, legRows: unknown[]): OperationWithLegs {
  const legs = legRows.map((row) => modelOf<OperationTransaction>('operation_transaction', row));
  return { ...modelOf<Operation>('operation', operationRow), legs: legs.sort(byCreation) };
}

/** The aggregate's order of operations and legs: `ORDER BY created_at, id`. */
export function byCreation(
  a: { createdAt?: unknown; id?: unknown },
  b: { createdAt?: unknown; id?: unknown },
): number {
  const at = (a.createdAt as Date).getTime() - (b.createdAt as Date).getTime();
  return at !== 0 ? at : String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0;
}

/** A row returned as `to_jsonb(…)` (TENDER_ROW, LEG_ROW, OPERATION_ROW) as the aggregate holds it. */
function modelOf<T>(table: AggregateTable, row: unknown): T {
  return toModel(asJson(row) as Record<string, unknown>, table) as unknown as T;
}

/** Replaces a tender of the aggregate with its row as an UPDATE returned it (TENDER_ROW). */
export function putTender(payment: PaymentAggregate, row: unknown): void {
  const tender = modelOf<PartnerTransaction>('partner_transaction', row);
  const index = payment.partnerTransactions.findIndex((t) => t.id === tender.id);
  if (index >= 0) payment.partnerTransactions[index] = tender;
}

/** Replaces an operation leg of the aggregate with its row as an UPDATE returned it (LEG_ROW). */
export function putLeg(payment: PaymentAggregate, row: unknown): void {
  const leg = modelOf<OperationTransaction>('operation_transaction', row);
  for (const operation of payment.operations) {
    const index = operation.legs.findIndex((l) => l.id === leg.id);
    if (index >= 0) operation.legs[index] = leg;
  }
}
