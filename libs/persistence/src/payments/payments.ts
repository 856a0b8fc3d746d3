import { AUTHORIZATION_STATUSES, type AuthorizationStatus } from '@tender/domain';
import { isUuid } from '../ids';
import { json, valuesList, type Sql, type Statement } from '../sql';
import {
  legFromRow,
  oneOf,
  operationFromRow,
  paymentFromRow,
  rowJson,
  tenderFromRow,
  type CaptureMode,
  type JsonRow,
  type PaymentAggregate,
} from './records';

/**
 * The payment read whole (its tenders, operations and legs) and its row lock, through `pg` only.
 * One round trip per read: the tables come back as JSON built column by column (`rowJson`) and are
 * mapped to records (records.ts).
 */

/** The payment, its tenders (split order), operations and legs (creation order), as JSON, for `WHERE` below. */
const AGGREGATE_SELECT = `
    SELECT ${rowJson('payment', 'p')} AS payment,
           COALESCE((SELECT jsonb_agg(${rowJson('partner_transaction', 't')} ORDER BY t.position)
                       FROM partner_transaction t WHERE t.payment_id = p.id), '[]'::jsonb) AS tenders,
           COALESCE((SELECT jsonb_agg(${rowJson('operation', 'o')} || jsonb_build_object(
                              'legs', COALESCE((SELECT jsonb_agg(${rowJson('operation_transaction', 'l')}
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

/** A JSON column as `pg` returns it: parsed already (jsonb), or text when read through another driver. */
export function asJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/** The aggregate from the row of AGGREGATE_SELECT (payment, tenders, operations with their legs). */
export function aggregateFromRow(row: {
  payment: unknown;
  tenders: unknown;
  operations: unknown;
}): PaymentAggregate {
  const tenders = asJson(row.tenders) as JsonRow[];
  const operations = asJson(row.operations) as JsonRow[];
  return {
    ...paymentFromRow(asJson(row.payment) as JsonRow),
    partnerTransactions: tenders.map(tenderFromRow),
    operations: operations.map((operation) => ({
      ...operationFromRow(operation),
      legs: (operation.legs as JsonRow[]).map(legFromRow),
    })),
  };
}

async function readAggregate(db: Sql, sql: string, values: unknown[]): Promise<PaymentAggregate | null> {
  const rows = await db.query<{ payment: unknown; tenders: unknown; operations: unknown }>(sql, values);
  return rows.length === 0 ? null : aggregateFromRow(rows[0]);
}

/**
 * A payment with everything its API view and money decisions need, in one round trip. Tenders come
 * in split order, operations and their legs in creation order. `entityId` restricts it to a merchant.
 */
export function loadPayment(db: Sql, id: string, entityId?: string): Promise<PaymentAggregate | null> {
  return readAggregate(db, BY_PAYMENT, [id, entityId ?? null]);
}

/**
 * Several payments whole, in one round trip (a page of a search), in the order of `ids`; an id
 * without a payment is left out.
 */
export async function loadPayments(db: Sql, ids: readonly string[]): Promise<PaymentAggregate[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<{ payment: unknown; tenders: unknown; operations: unknown }>(BY_PAYMENTS, [
    ids,
  ]);
  const byId = new Map(rows.map(aggregateFromRow).map((payment) => [payment.id, payment]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export type TenderOrLeg = { tenderId: string } | { legId: string };

/** The payment a tender (partner transaction) or an operation leg belongs to, whole, in one round trip. */
export function loadPaymentOf(db: Sql, of: TenderOrLeg): Promise<PaymentAggregate | null> {
  return 'tenderId' in of
    ? readAggregate(db, BY_TENDER, [of.tenderId])
    : readAggregate(db, BY_LEG, [of.legId]);
}

/**
 * The first attempt of a tender (of a payment neither refused nor cancelled) or of an operation leg
 * that was never sent: counts it (attempts 0 → 1, still PENDING, in flight for `inFlightMs`) and reads
 * its payment as it was just before, in one round trip. Null when there was no such first attempt to
 * claim: then read, decide and claim step by step.
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

/**
 * The payment's authorization status decided (with its failure, if any): a new version (to `combine`
 * with the change's other writes).
 */
export function setPaymentStatus(
  paymentId: string,
  status: AuthorizationStatus,
  failure: unknown,
  now: Date,
): Statement {
  return {
    sql: `UPDATE payment SET status = $2::text, authorization_updated_at = $3::timestamptz,
                 failure = COALESCE($4::jsonb, failure), version = version + 1, updated_at = $3::timestamptz
           WHERE id = $1::uuid`,
    values: [paymentId, status, now, json(failure)],
  };
}

/**
 * The shopper's session was aborted while the payment is being authorized: the saga sends no further
 * tender and releases what holds money (`decideSagaStep`, as `cancelRequested`). Not a new version.
 */
export async function requestPaymentCancel(tx: Sql, paymentId: string, now: Date): Promise<void> {
  await tx.query(
    'UPDATE payment SET cancel_requested_at = $2::timestamptz, updated_at = $2::timestamptz WHERE id = $1::uuid',
    [paymentId, now],
  );
}

/** Something of the payment changed but not its status: a new version (to `combine`). */
export function bumpPaymentVersion(paymentId: string, now: Date): Statement {
  return {
    sql: 'UPDATE payment SET version = version + 1, updated_at = $2::timestamptz WHERE id = $1::uuid',
    values: [paymentId, now],
  };
}

/**
 * Counts a new attempt of a tender or leg, with its in-flight lease, before it is sent: only while it
 * is open (PENDING, UNKNOWN), no other run counted one since (`attempts`), and the last attempt's
 * lease has expired. False when any of that fails: then nothing is sent.
 */
export async function claimAttempt(
  db: Sql,
  table: 'partner_transaction' | 'operation_transaction',
  id: string,
  attempts: number,
  inFlightMs: number,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE ${table === 'partner_transaction' ? 'partner_transaction' : 'operation_transaction'}
        SET attempts = attempts + 1, in_flight_until = ${IN_FLIGHT_UNTIL}, updated_at = clock_timestamp()
      WHERE id = $1::uuid AND attempts = $3::int AND status IN ('PENDING', 'UNKNOWN')
        AND (in_flight_until IS NULL OR in_flight_until <= clock_timestamp())
    RETURNING id`,
    [id, inFlightMs, attempts],
  );
  return rows.length === 1;
}

/** A new payment as its creation writes it (PENDING), with its tenders in split order. */
export interface NewPayment {
  id: string;
  entityId: string;
  clientSessionId: string | null;
  amount: number;
  currency: string;
  captureMode: CaptureMode;
  allowFutureUsage: boolean;
  orderReference: string | null;
  order: unknown;
  customer: unknown;
  browser: unknown;
  threeDsOptions: unknown;
  shopperRedirectionUrl: string | null;
  /** As stored (its headers sealed). */
  webhook: unknown;
}

/** A new tender (PENDING); its reference is its id without dashes. */
export interface NewTender {
  id: string;
  partner: string;
  method: string;
  amount: number;
  /** As stored (sealed). */
  instrument: unknown;
  parentPaymentId: string | null;
  parentPartnerTransactionId: string | null;
}

/**
 * The INSERTs of a payment and its tenders, to `combine` with the other writes of its creation (the
 * idempotency key's recovery point, the first jobs): one round trip.
 */
export function insertPaymentWithTenders(payment: NewPayment, tenders: NewTender[]): Statement[] {
  const tenderRows = valuesList(
    ['uuid', 'uuid', 'int', 'text', 'text', 'bigint', 'text', 'jsonb', 'text', 'uuid', 'uuid'],
    tenders.map((tender, position) => [
      tender.id,
      payment.id,
      position,
      tender.partner,
      tender.method,
      tender.amount,
      payment.currency,
      json(tender.instrument),
      tender.id.replace(/-/g, ''),
      tender.parentPaymentId,
      tender.parentPartnerTransactionId,
    ]),
  );
  return [
    {
      sql: `INSERT INTO payment (id, entity_id, client_session_id, amount, currency, capture_mode,
                                 allow_future_usage, status, order_reference, "order", customer, browser,
                                 three_ds_options, shopper_redirection_url, webhook, created_at, updated_at)
            VALUES ($1::uuid, $2::uuid, $3::uuid, $4::bigint, $5::text, $6::text, $7::boolean, 'PENDING',
                    $8::text, $9::jsonb, $10::jsonb, $11::jsonb, $12::jsonb, $13::text, $14::jsonb,
                    clock_timestamp(), clock_timestamp())`,
      values: [
        payment.id,
        payment.entityId,
        payment.clientSessionId,
        payment.amount,
        payment.currency,
        payment.captureMode,
        payment.allowFutureUsage,
        payment.orderReference,
        json(payment.order),
        json(payment.customer),
        json(payment.browser),
        json(payment.threeDsOptions),
        payment.shopperRedirectionUrl,
        json(payment.webhook),
      ],
    },
    {
      sql: `INSERT INTO partner_transaction (id, payment_id, position, partner, method, amount, currency, instrument,
                                             reference, parent_payment_id, parent_partner_transaction_id,
                                             status, created_at, updated_at)
            SELECT *, 'PENDING', clock_timestamp(), clock_timestamp() FROM (VALUES ${tenderRows.sql}) AS t`,
      values: tenderRows.values,
    },
  ];
}

/** Where the payment's authorization stands, in one light read: its status, and whether a tender needs the shopper. */
export async function loadAuthorizationProgress(
  db: Sql,
  paymentId: string,
): Promise<{ status: AuthorizationStatus; needsShopper: boolean } | undefined> {
  const [row] = await db.query<{ status: string; needs_shopper: boolean }>(
    `SELECT status, EXISTS (SELECT 1 FROM partner_transaction
                            WHERE payment_id = $1::uuid AND status = 'REQUIRES_ACTION') AS needs_shopper
       FROM payment WHERE id = $1::uuid`,
    [paymentId],
  );
  return (
    row && {
      status: oneOf(AUTHORIZATION_STATUSES, row.status, 'payment.status'),
      needsShopper: row.needs_shopper,
    }
  );
}

/** What the shopper's return from a hosted page needs of the payment. */
export async function loadPaymentForReturn(
  db: Sql,
  paymentId: string,
): Promise<
  | {
      id: string;
      entityId: string;
      clientSessionId: string | null;
      status: AuthorizationStatus;
      amount: bigint;
      currency: string;
      shopperRedirectionUrl: string | null;
    }
  | undefined
> {
  const [row] = await db.query<{
    id: string;
    entity_id: string;
    client_session_id: string | null;
    status: string;
    amount: string;
    currency: string;
    shopper_redirection_url: string | null;
  }>(
    `SELECT id, entity_id, client_session_id, status, amount::text AS amount, currency, shopper_redirection_url
       FROM payment WHERE id = $1::uuid`,
    [paymentId],
  );
  return (
    row && {
      id: row.id,
      entityId: row.entity_id,
      clientSessionId: row.client_session_id,
      status: oneOf(AUTHORIZATION_STATUSES, row.status, 'payment.status'),
      amount: BigInt(row.amount),
      currency: row.currency,
      shopperRedirectionUrl: row.shopper_redirection_url,
    }
  );
}

/** How many payments are in each authorization status (metrics). */
export async function countPaymentsByStatus(
  db: Sql,
): Promise<Array<{ status: AuthorizationStatus; count: number }>> {
  const rows = await db.query<{ status: string; count: number }>(
    'SELECT status, count(*)::int AS count FROM payment GROUP BY status',
  );
  return rows.map((row) => ({
    status: oneOf(AUTHORIZATION_STATUSES, row.status, 'payment.status'),
    count: row.count,
  }));
}

/** How many tenders and legs have an UNKNOWN outcome (metrics). */
export async function countUnknownOutcomes(db: Sql): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    `SELECT (SELECT count(*) FROM partner_transaction WHERE status = 'UNKNOWN')
          + (SELECT count(*) FROM operation_transaction WHERE status = 'UNKNOWN') AS count`,
  );
  return Number(row.count);
}

/** Whether the payment exists (of that entity). */
export async function paymentExists(db: Sql, paymentId: string, entityId: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM payment WHERE id = $1::uuid AND entity_id = $2::uuid', [
    paymentId,
    entityId,
  ]);
  return rows.length === 1;
}

/** The payment's authorization status (undefined: no such payment). */
export async function loadPaymentStatus(
  db: Sql,
  paymentId: string,
): Promise<AuthorizationStatus | undefined> {
  const [row] = await db.query<{ status: string }>('SELECT status FROM payment WHERE id = $1::uuid', [
    paymentId,
  ]);
  return row && oneOf(AUTHORIZATION_STATUSES, row.status, 'payment.status');
}
