import type { AuthorizationStatus } from '@tender/domain';
import { isUuid } from '../ids';
import type { Sql } from '../sql';

/**
 * Payment search (GET /v2/payments and the operator console): newest first, keyset pagination on
 * (created_at, id). A cursor is the position of the last payment of a page; the next page starts
 * strictly after it, so payments created meanwhile (newer, hence before the cursor) never shift or
 * repeat a page already read. The indexes behind each filter: prisma/migrations/20261205010000_payment_search;
 * the partner filter of an entity reads payment_partner (20261205020000_payment_partner).
 */

/** The payment's authorization status (`payment.status`). */
export type PaymentStatus = AuthorizationStatus;

export interface PaymentSearchQuery {
  /** The merchant's entity; undefined searches every entity (the operator console). */
  entityId?: string;
  /** One status, or any of several. */
  status?: PaymentStatus | readonly PaymentStatus[];
  /** Payments with at least one tender at this partner. */
  partner?: string;
  /** Created at or after (inclusive). */
  createdFrom?: Date;
  /** Created before (exclusive). */
  createdTo?: Date;
  /** Exact match. */
  orderReference?: string;
  /** Exact amount, integer minor units. */
  amount?: number | bigint;
  /** Page size, 1–100. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface PaymentSearchRow {
  id: string;
  entityId: string;
  createdAt: Date;
}

export interface PaymentSearchPage {
  /** Newest first. */
  payments: PaymentSearchRow[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export const MAX_SEARCH_LIMIT = 100;

/** A cursor that is not one we issued (malformed, truncated, edited). */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not a cursor of this list');
    this.name = 'InvalidCursorError';
  }
}

export interface SearchPosition {
  createdAt: Date;
  id: string;
}

const CURSOR_VERSION = 'p1';

/** The opaque cursor of a position: base64url of `p1|<created_at in ms>|<id>`. */
export function encodeCursor(position: SearchPosition): string {
  return Buffer.from(`${CURSOR_VERSION}|${position.createdAt.getTime()}|${position.id}`).toString(
    'base64url',
  );
}

/** The position a cursor holds; InvalidCursorError for anything `encodeCursor` did not produce. */
export function decodeCursor(cursor: string): SearchPosition {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw new InvalidCursorError();
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts.length !== 3 || parts[0] !== CURSOR_VERSION) throw new InvalidCursorError();
  const [, millis, id] = parts;
  if (!/^\d{1,15}$/.test(millis) || !isUuid(id) || id !== id.toLowerCase()) throw new InvalidCursorError();
  const position = { createdAt: new Date(Number(millis)), id };
  // Re-encoding must give the same text: rejects padding, trailing bits and other lookalikes.
  if (encodeCursor(position) !== cursor) throw new InvalidCursorError();
  return position;
}

/**
 * Joined on the id alone: the planner then estimates the join right, and takes either way in, the
 * partner's rows in order (payment_partner's key) or a more selective filter of payment's indexes
 * (then payment_partner by payment_id, and a sort of the few rows found).
 */
const PAYMENTS_BY_PARTNER = 'payment_partner pp JOIN payment p ON p.id = pp.payment_id';

/**
 * One page of payments matching every filter given. `limit + 1` rows are read to know whether a
 * next page exists. Throws InvalidCursorError for a cursor it did not issue, RangeError for a limit
 * outside 1–100.
 */
export async function searchPayments(db: Sql, query: PaymentSearchQuery): Promise<PaymentSearchPage> {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_SEARCH_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_SEARCH_LIMIT}`);
  }
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const values: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown, cast: string) => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };

  // An entity's payments at a partner are read from payment_partner, keyed in the list's order: `key`
  // names the columns that the creation range, the cursor and the order then use.
  const byPartner = query.entityId !== undefined && query.partner !== undefined;
  const key = byPartner ? { at: 'pp.created_at', id: 'pp.payment_id' } : { at: 'p.created_at', id: 'p.id' };
  if (byPartner) {
    const entity = param(query.entityId, 'uuid');
    // On both tables, so that either's index can lead.
    where.push(`pp.entity_id = ${entity}`, `p.entity_id = ${entity}`);
    where.push(`pp.partner = ${param(query.partner, 'text')}`);
  } else if (query.entityId !== undefined) {
    where.push(`p.entity_id = ${param(query.entityId, 'uuid')}`);
  } else if (query.partner !== undefined) {
    // Every entity (the console): each payment's tenders are probed, newest payment first.
    where.push(
      `EXISTS (SELECT 1 FROM partner_transaction t WHERE t.payment_id = p.id AND t.partner = ${param(query.partner, 'text')})`,
    );
  }
  if (query.status !== undefined) {
    const statuses = typeof query.status === 'string' ? [query.status] : [...query.status];
    where.push(
      statuses.length === 1
        ? `p.status = ${param(statuses[0], 'text')}`
        : `p.status = ANY(${param(statuses, 'text[]')})`,
    );
  }
  if (query.createdFrom !== undefined) {
    where.push(`${key.at} >= ${param(query.createdFrom, 'timestamptz')}`);
  }
  if (query.createdTo !== undefined) where.push(`${key.at} < ${param(query.createdTo, 'timestamptz')}`);
  if (query.orderReference !== undefined) {
    where.push(`p.order_reference = ${param(query.orderReference, 'text')}`);
  }
  if (query.amount !== undefined) where.push(`p.amount = ${param(String(query.amount), 'bigint')}`);
  if (after) {
    where.push(
      `(${key.at}, ${key.id}) < (${param(after.createdAt, 'timestamptz')}, ${param(after.id, 'uuid')})`,
    );
  }

  const rows = await db.query<{ id: string; entity_id: string; created_at: Date }>(
    `SELECT p.id, p.entity_id, p.created_at
       FROM ${byPartner ? PAYMENTS_BY_PARTNER : 'payment p'}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${key.at} DESC, ${key.id} DESC
      LIMIT ${param(query.limit + 1, 'int')}`,
    values,
  );
  const payments = rows
    .slice(0, query.limit)
    .map((row) => ({ id: row.id, entityId: row.entity_id, createdAt: row.created_at }));
  const last = payments[payments.length - 1];
  return { payments, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}
