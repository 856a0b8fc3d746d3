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

/** How a column of the aggregate's tables becomes a model field: its camelCase name and how to convert it. */
interface ColumnField {
  field: string;
  kind: 'plain' | 'bigint' | 'date';
}
type TableFields = Map<string, ColumnField>;

/** Column types of the aggregate's tables, read once per process from the catalog. */
let columnFields: Promise<Map<string, TableFields>> | undefined;

const camelCase = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function loadColumnFields(db: Sql): Promise<Map<string, TableFields>> {
  columnFields ??= db
    .query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, NULL) AS data_type
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = current_schema()::regnamespace
          AND c.relname IN ('payment', 'partner_transaction', 'operation', 'operation_transaction')
          AND a.attnum > 0 AND NOT a.attisdropped`,
    )
    .then((rows) => {
      const tables = new Map<string, TableFields>();
      for (const row of rows) {
        if (!tables.has(row.table_name)) tables.set(row.table_name, new Map());
        const kind =
          row.data_type === 'bigint' ? 'bigint' : row.data_type.startsWith('timestamp') ? 'date' : 'plain';
        tables.get(row.table_name)!.set(row.column_name, { field: camelCase(row.column_name), kind });
      }
      return tables;
    })
    .catch((error: unknown) => {
      columnFields = undefined;
      throw error;
    });
  return columnFields;
}

/**
 * A `to_jsonb` row as Prisma returns the model: camelCase fields (every column of these tables is
 * its field in snake_case, see aggregate.spec.ts), BIGINT as bigint, timestamps as Date.
 */
function toModel(row: Record<string, unknown>, fields: TableFields | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column in row) {
    const value = row[column];
    const spec = fields?.get(column);
    out[spec?.field ?? camelCase(column)] =
      value === null
        ? null
        : spec?.kind === 'bigint'
          ? BigInt(value as string)
          : spec?.kind === 'date'
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

async function readAggregate(db: Sql, sql: string, values: unknown[]): Promise<PaymentAggregate | null> {
  const types = await loadColumnFields(db);
  const rows = await db.query<{ payment: unknown; tenders: unknown; operations: unknown }>(sql, values);
  if (rows.length === 0) return null;
  const tenders = asJson(rows[0].tenders) as Array<Record<string, unknown>>;
  const operations = asJson(rows[0].operations) as Array<Record<string, unknown>>;
  return {
    ...toModel(asJson(rows[0].payment) as Record<string, unknown>, types.get('payment')),
    partnerTransactions: tenders.map((t) => toModel(t, types.get('partner_transaction'))),
    operations: operations.map(({ legs, ...operation }) => ({
      ...toModel(operation, types.get('operation')),
      legs: (legs as Array<Record<string, unknown>>).map((l) =>
        toModel(l, types.get('operation_transaction')),
      ),
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
export async function operationFromRows(
  db: Sql,
  operationRow: unknown,
  legRows: unknown[],
): Promise<OperationWithLegs> {
  const legs = await Promise.all(
    legRows.map((row) => modelOf<OperationTransaction>(db, 'operation_transaction', row)),
  );
  return { ...(await modelOf<Operation>(db, 'operation', operationRow)), legs: legs.sort(byCreation) };
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
async function modelOf<T>(db: Sql, table: string, row: unknown): Promise<T> {
  const fields = (await loadColumnFields(db)).get(table);
  return toModel(asJson(row) as Record<string, unknown>, fields) as unknown as T;
}

/** Replaces a tender of the aggregate with its row as an UPDATE returned it (TENDER_ROW). */
export async function putTender(db: Sql, payment: PaymentAggregate, row: unknown): Promise<void> {
  const tender = await modelOf<PartnerTransaction>(db, 'partner_transaction', row);
  const index = payment.partnerTransactions.findIndex((t) => t.id === tender.id);
  if (index >= 0) payment.partnerTransactions[index] = tender;
}

/** Replaces an operation leg of the aggregate with its row as an UPDATE returned it (LEG_ROW). */
export async function putLeg(db: Sql, payment: PaymentAggregate, row: unknown): Promise<void> {
  const leg = await modelOf<OperationTransaction>(db, 'operation_transaction', row);
  for (const operation of payment.operations) {
    const index = operation.legs.findIndex((l) => l.id === leg.id);
    if (index >= 0) operation.legs[index] = leg;
  }
}
