import { CLIENT_SESSION_STATUSES, type ClientSessionStatus } from '@tender/domain';
import { json, type Sql } from '../sql';
import { oneOf, type JsonValue } from './records';

/**
 * The merchant's side of a client session: create, read, abort. Its writes run in the transaction of
 * its CLIENT_SESSION_STATUS event (merchant_event, outbox) and, for an abort, of the payment's
 * cancellation: through `pg` only, like the rest of the money tables. What a payment does to its
 * session is in session-status.ts.
 */

/** A client session row as Tender holds it: camelCase fields, BIGINT as bigint, the status as the union. */
export interface ClientSessionRecord {
  id: string;
  entityId: string;
  status: ClientSessionStatus;
  amount: bigint;
  currency: string;
  captureMode: string;
  integrationMode: string;
  allowFutureUsage: boolean;
  order: JsonValue | null;
  customer: JsonValue | null;
  threeDsOptions: JsonValue | null;
  shopperRedirectionUrl: string | null;
  webhook: JsonValue | null;
  eligibleSolutions: JsonValue;
  widgetData: string;
  paymentId: string | null;
  version: number;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

interface ClientSessionRow {
  id: string;
  entity_id: string;
  status: string;
  amount: string;
  currency: string;
  capture_mode: string;
  integration_mode: string;
  allow_future_usage: boolean;
  order: JsonValue | null;
  customer: JsonValue | null;
  three_ds_options: JsonValue | null;
  shopper_redirection_url: string | null;
  webhook: JsonValue | null;
  eligible_solutions: JsonValue;
  widget_data: string;
  payment_id: string | null;
  version: number;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, entity_id, status, amount::text AS amount, currency, capture_mode, integration_mode,
  allow_future_usage, "order", customer, three_ds_options, shopper_redirection_url, webhook, eligible_solutions,
  widget_data, payment_id, version, expires_at, created_at, updated_at`;

export function clientSessionFromRow(row: ClientSessionRow): ClientSessionRecord {
  return {
    id: row.id,
    entityId: row.entity_id,
    status: oneOf(CLIENT_SESSION_STATUSES, row.status, 'client_session.status'),
    amount: BigInt(row.amount),
    currency: row.currency,
    captureMode: row.capture_mode,
    integrationMode: row.integration_mode,
    allowFutureUsage: row.allow_future_usage,
    order: row.order,
    customer: row.customer,
    threeDsOptions: row.three_ds_options,
    shopperRedirectionUrl: row.shopper_redirection_url,
    webhook: row.webhook,
    eligibleSolutions: row.eligible_solutions,
    widgetData: row.widget_data,
    paymentId: row.payment_id,
    version: row.version,
    expiresAt: new Date(row.expires_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export interface NewClientSession {
  id: string;
  entityId: string;
  amount: bigint;
  currency: string;
  captureMode: string;
  integrationMode: string;
  /** Left out: false. */
  allowFutureUsage?: boolean;
  order?: unknown;
  customer?: unknown;
  threeDsOptions?: unknown;
  shopperRedirectionUrl?: string;
  webhook?: unknown;
  eligibleSolutions: unknown;
  widgetData: string;
  expiresAt: Date;
}

/** A new session, CREATED at version 1; the row written. */
export async function insertClientSession(tx: Sql, session: NewClientSession): Promise<ClientSessionRecord> {
  const [row] = await tx.query<ClientSessionRow>(
    `INSERT INTO client_session (id, entity_id, status, amount, currency, capture_mode, integration_mode,
        allow_future_usage, "order", customer, three_ds_options, shopper_redirection_url, webhook,
        eligible_solutions, widget_data, expires_at, updated_at)
     VALUES ($1::uuid, $2::uuid, 'CREATED', $3::bigint, $4::text, $5::text, $6::text,
        COALESCE($7::boolean, false), $8::jsonb, $9::jsonb, $10::jsonb, $11::text, $12::jsonb,
        $13::jsonb, $14::text, $15::timestamptz, clock_timestamp())
     RETURNING ${COLUMNS}`,
    [
      session.id,
      session.entityId,
      session.amount,
      session.currency,
      session.captureMode,
      session.integrationMode,
      session.allowFutureUsage ?? null,
      json(session.order),
      json(session.customer),
      json(session.threeDsOptions),
      session.shopperRedirectionUrl ?? null,
      json(session.webhook),
      json(session.eligibleSolutions),
      session.widgetData,
      session.expiresAt,
    ],
  );
  return clientSessionFromRow(row);
}

/** The session (of that entity, when given). */
export async function loadClientSession(
  db: Sql,
  id: string,
  entityId?: string,
): Promise<ClientSessionRecord | undefined> {
  const [row] = await db.query<ClientSessionRow>(
    `SELECT ${COLUMNS} FROM client_session WHERE id = $1::uuid AND ($2::uuid IS NULL OR entity_id = $2::uuid)`,
    [id, entityId ?? null],
  );
  return row && clientSessionFromRow(row);
}

/**
 * The merchant aborts the session, conditional on the status and version it saw (a concurrent change
 * wins): ABORTED_BY_MERCHANT at a new version. Whether it was still as seen.
 */
export async function abortClientSession(
  tx: Sql,
  seen: { id: string; entityId: string; status: ClientSessionStatus; version: number },
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE client_session SET status = 'ABORTED_BY_MERCHANT', version = version + 1, updated_at = clock_timestamp()
      WHERE id = $1::uuid AND entity_id = $2::uuid AND status = $3::text AND version = $4::int RETURNING id`,
    [seen.id, seen.entityId, seen.status, seen.version],
  );
  return rows.length === 1;
}
