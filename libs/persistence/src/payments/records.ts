import {
  AUTHORIZATION_STATUSES,
  OPERATION_LEG_STATUSES,
  OPERATION_STATUSES,
  TENDER_STATUSES,
  type AuthorizationStatus,
  type OperationLegStatus,
  type OperationStatus,
  type TenderStatus,
} from '@tender/domain';
import type { Prisma } from '../generated/prisma/client';

/**
 * The money tables' rows as Tender holds them: camelCase fields, BIGINT as bigint (exact),
 * timestamps as Date, statuses as the state machines' unions. The mappers below build them from the
 * JSON objects the aggregate read returns (`…_JSON` columns: snake_case keys, BIGINT as text,
 * timestamps as ISO text) and refuse any value outside a union: a row the database let through with
 * an unknown status is a bug to stop on, not a value to carry.
 */

export type JsonValue = Prisma.JsonValue;
export const CAPTURE_MODES = ['AUTOMATIC', 'MANUAL'] as const;
export type CaptureMode = (typeof CAPTURE_MODES)[number];
export const OPERATION_TYPES = ['CAPTURE', 'VOID', 'REFUND'] as const;
export type OperationTypeValue = (typeof OPERATION_TYPES)[number];
export const TRIGGERS = ['MERCHANT', 'SYSTEM'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export interface PaymentRecord {
  id: string;
  entityId: string;
  clientSessionId: string | null;
  amount: bigint;
  currency: string;
  captureMode: CaptureMode;
  allowFutureUsage: boolean;
  status: AuthorizationStatus;
  failure: JsonValue | null;
  cancelRequestedAt: Date | null;
  orderReference: string | null;
  order: JsonValue | null;
  customer: JsonValue | null;
  browser: JsonValue | null;
  threeDsOptions: JsonValue | null;
  shopperRedirectionUrl: string | null;
  webhook: JsonValue | null;
  version: number;
  authorizationUpdatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A tender: one partner transaction of the payment's split. */
export interface TenderRecord {
  id: string;
  paymentId: string;
  position: number;
  partner: string;
  method: string;
  amount: bigint;
  currency: string;
  status: TenderStatus;
  instrument: JsonValue | null;
  reference: string;
  partnerReference: string | null;
  partnerStatus: string | null;
  partnerStatusDescription: string | null;
  partnerToken: string | null;
  partnerAdditionalData: JsonValue | null;
  card: JsonValue | null;
  redirectUrl: string | null;
  parentPaymentId: string | null;
  parentPartnerTransactionId: string | null;
  attempts: number;
  lastError: JsonValue | null;
  nextCheckAt: Date | null;
  inFlightUntil: Date | null;
  unknownSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OperationRecord {
  id: string;
  paymentId: string;
  type: OperationTypeValue;
  amount: bigint;
  merchantReference: string | null;
  order: JsonValue | null;
  status: OperationStatus;
  triggeredBy: Trigger;
  failure: JsonValue | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An operation leg: the part of a capture, void or refund on one tender. */
export interface LegRecord {
  id: string;
  operationId: string;
  partnerTransactionId: string;
  amount: bigint;
  status: OperationLegStatus;
  reference: string;
  partnerReference: string | null;
  partnerStatus: string | null;
  partnerStatusDescription: string | null;
  attempts: number;
  lastError: JsonValue | null;
  nextCheckAt: Date | null;
  inFlightUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type OperationWithLegs = OperationRecord & { legs: LegRecord[] };

/** A payment with its tenders (split order), operations and their legs (creation order). */
export type PaymentAggregate = PaymentRecord & {
  partnerTransactions: TenderRecord[];
  operations: OperationWithLegs[];
};

/** A row as the aggregate read returns it: a JSON object with the columns' names as keys. */
export type JsonRow = Record<string, unknown>;

/** A value of `values`, or a thrown error naming the column: never a cast. */
export function oneOf<T extends string>(values: readonly T[], value: unknown, column: string): T {
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  throw new TypeError(`${column}: unexpected value ${JSON.stringify(value)}`);
}

const text = (value: unknown): string => value as string;
const textOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : (value as string);
const int = (value: unknown): number => Number(value);
const big = (value: unknown): bigint => BigInt(value as string);
const date = (value: unknown): Date => new Date(value as string | number);
const dateOrNull = (value: unknown): Date | null =>
  value === null || value === undefined ? null : new Date(value as string | number);
const json = (value: unknown): JsonValue | null => (value === undefined ? null : value);

export function paymentFromRow(row: JsonRow): PaymentRecord {
  return {
    id: text(row.id),
    entityId: text(row.entity_id),
    clientSessionId: textOrNull(row.client_session_id),
    amount: big(row.amount),
    currency: text(row.currency),
    captureMode: oneOf(CAPTURE_MODES, row.capture_mode, 'payment.capture_mode'),
    allowFutureUsage: row.allow_future_usage === true,
    status: oneOf(AUTHORIZATION_STATUSES, row.status, 'payment.status'),
    failure: json(row.failure),
    cancelRequestedAt: dateOrNull(row.cancel_requested_at),
    orderReference: textOrNull(row.order_reference),
    order: json(row.order),
    customer: json(row.customer),
    browser: json(row.browser),
    threeDsOptions: json(row.three_ds_options),
    shopperRedirectionUrl: textOrNull(row.shopper_redirection_url),
    webhook: json(row.webhook),
    version: int(row.version),
    authorizationUpdatedAt: dateOrNull(row.authorization_updated_at),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

export function tenderFromRow(row: JsonRow): TenderRecord {
  return {
    id: text(row.id),
    paymentId: text(row.payment_id),
    position: int(row.position),
    partner: text(row.partner),
    method: text(row.method),
    amount: big(row.amount),
    currency: text(row.currency),
    status: oneOf(TENDER_STATUSES, row.status, 'partner_transaction.status'),
    instrument: json(row.instrument),
    reference: text(row.reference),
    partnerReference: textOrNull(row.partner_reference),
    partnerStatus: textOrNull(row.partner_status),
    partnerStatusDescription: textOrNull(row.partner_status_description),
    partnerToken: textOrNull(row.partner_token),
    partnerAdditionalData: json(row.partner_additional_data),
    card: json(row.card),
    redirectUrl: textOrNull(row.redirect_url),
    parentPaymentId: textOrNull(row.parent_payment_id),
    parentPartnerTransactionId: textOrNull(row.parent_partner_transaction_id),
    attempts: int(row.attempts),
    lastError: json(row.last_error),
    nextCheckAt: dateOrNull(row.next_check_at),
    inFlightUntil: dateOrNull(row.in_flight_until),
    unknownSince: dateOrNull(row.unknown_since),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

export function operationFromRow(row: JsonRow): OperationRecord {
  return {
    id: text(row.id),
    paymentId: text(row.payment_id),
    type: oneOf(OPERATION_TYPES, row.type, 'operation.type'),
    amount: big(row.amount),
    merchantReference: textOrNull(row.merchant_reference),
    order: json(row.order),
    status: oneOf(OPERATION_STATUSES, row.status, 'operation.status'),
    triggeredBy: oneOf(TRIGGERS, row.triggered_by, 'operation.triggered_by'),
    failure: json(row.failure),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

export function legFromRow(row: JsonRow): LegRecord {
  return {
    id: text(row.id),
    operationId: text(row.operation_id),
    partnerTransactionId: text(row.partner_transaction_id),
    amount: big(row.amount),
    status: oneOf(OPERATION_LEG_STATUSES, row.status, 'operation_transaction.status'),
    reference: text(row.reference),
    partnerReference: textOrNull(row.partner_reference),
    partnerStatus: textOrNull(row.partner_status),
    partnerStatusDescription: textOrNull(row.partner_status_description),
    attempts: int(row.attempts),
    lastError: json(row.last_error),
    nextCheckAt: dateOrNull(row.next_check_at),
    inFlightUntil: dateOrNull(row.in_flight_until),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

/**
 * The columns of each table as the aggregate reads them, BIGINT as text (JSON carries no exact
 * integer): the mappers above read exactly these keys (records.spec.ts keeps them equal to
 * prisma/schema.prisma).
 */
export const TABLE_COLUMNS = {
  payment: columns(
    `id entity_id client_session_id amount currency capture_mode allow_future_usage status failure
     cancel_requested_at order_reference order customer browser three_ds_options shopper_redirection_url
     webhook version authorization_updated_at created_at updated_at`,
  ),
  partner_transaction: columns(
    `id payment_id position partner method amount currency status instrument reference partner_reference
     partner_status partner_status_description partner_token partner_additional_data card redirect_url
     parent_payment_id parent_partner_transaction_id attempts last_error next_check_at in_flight_until
     unknown_since created_at updated_at`,
  ),
  operation: columns(
    'id payment_id type amount merchant_reference order status triggered_by failure created_at updated_at',
  ),
  operation_transaction: columns(
    `id operation_id partner_transaction_id amount status reference partner_reference partner_status
     partner_status_description attempts last_error next_check_at in_flight_until created_at updated_at`,
  ),
};
export type MoneyTable = keyof typeof TABLE_COLUMNS;

function columns(list: string): readonly string[] {
  return list.split(/\s+/).filter(Boolean);
}

/** `jsonb_build_object('id', alias.id, 'amount', alias.amount::text, …)`: a row of `table` as its mapper reads it. */
export function rowJson(table: MoneyTable, alias: string): string {
  const pairs = TABLE_COLUMNS[table].map(
    (column) => `'${column}', ${alias}."${column}"${column === 'amount' ? '::text' : ''}`,
  );
  return `jsonb_build_object(${pairs.join(', ')})`;
}

/** `RETURNING` these to get a changed tender, leg or operation back as a record (`tenderFromRow`…). */
export const TENDER_ROW = `${rowJson('partner_transaction', 'partner_transaction')} AS row`;
export const LEG_ROW = `${rowJson('operation_transaction', 'operation_transaction')} AS row`;
export const OPERATION_ROW = `${rowJson('operation', 'operation')} AS row`;
