import type { Prisma, Sql } from '@tender/persistence';
import type { PaymentAggregate } from './presenter';

export const PAYMENT_AGGREGATE_INCLUDE = {
  partnerTransactions: true,
  operations: { include: { legs: true } },
} satisfies Prisma.PaymentInclude;

/** Column types of the aggregate's tables, read once per process from the catalog. */
let columnTypes: Promise<Map<string, Map<string, string>>> | undefined;

function loadColumnTypes(db: Sql): Promise<Map<string, Map<string, string>>> {
  columnTypes ??= db
    .query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, NULL) AS data_type
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relnamespace = current_schema()::regnamespace
         AND c.relname IN ('payment', 'partner_transaction', 'operation', 'operation_transaction')
         AND a.attnum > 0 AND NOT a.attisdropped`,
    )
    .then((rows) => {
      const types = new Map<string, Map<string, string>>();
      for (const row of rows) {
        if (!types.has(row.table_name)) types.set(row.table_name, new Map());
        types.get(row.table_name)!.set(row.column_name, row.data_type);
      }
      return types;
    })
    .catch((error: unknown) => {
      columnTypes = undefined;
      throw error;
    });
  return columnTypes;
}

const camelCase = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * A `to_jsonb` row as Prisma returns the model: camelCase fields (every column of these tables is
 * its field in snake_case, see aggregate.spec.ts), BIGINT as bigint, timestamps as Date.
 */
function toModel(
  row: Record<string, unknown>,
  types: Map<string, string> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    const type = types?.get(column);
    out[camelCase(column)] =
      value === null
        ? null
        : type === 'bigint'
          ? BigInt(value as string)
          : type?.startsWith('timestamp')
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

async function readAggregate(db: Sql, sql: string, values: unknown[]): Promise<PaymentAggregate | null> {
  const types = await loadColumnTypes(db);
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

/** The payment a tender (partner transaction) or an operation leg belongs to, whole, in one round trip. */
export function findPaymentAggregateOf(
  db: Sql,
  of: { tenderId: string } | { legId: string },
): Promise<PaymentAggregate | null> {
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
