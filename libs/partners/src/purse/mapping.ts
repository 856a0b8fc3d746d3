import {
  PartnerProtocolError,
  type AuthorizeRequest,
  type AuthorizeResult,
  type OperationRequest,
  type OperationResult,
} from '../adapter';
import type { PurseOperation, PurseOperationKind, PursePartnerTransaction, PursePayment } from './client';

/**
 * Purse → our outcomes. Every answer is checked against what we asked: the payment's currency and
 * amount, our reference, and (for operations) the operation's amount. A mismatch is a
 * `PartnerProtocolError`, never accepted.
 *
 * authorization.status: AUTHORIZED → AUTHORIZED (CANCELLED on a lookup once Purse shows it fully
 * voided with nothing captured), REFUSED → REFUSED (partner_status / description of the tender),
 * PENDING → REQUIRES_ACTION (with `redirection.href` when Purse gives one): the worker keeps
 * re-reading the payment by its id until it settles.
 * Operation status: SUCCESS / FAILED / PENDING as is.
 */

/** Only the masked card fields we may keep. */
const CARD_FIELDS = [
  'bin',
  'last_four_digits',
  'expiry_month',
  'expiry_year',
  'selected_network',
  'country_code',
] as const;

function maskedCard(card: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  if (!card) return undefined;
  const kept = Object.fromEntries(
    CARD_FIELDS.filter((field) => card[field] !== undefined).map((f) => [f, card[f]]),
  );
  return Object.keys(kept).length > 0 ? kept : undefined;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function checkPayment(
  payment: PursePayment,
  expected: { amount: number; currency: string },
  what: string,
): void {
  if (payment.currency !== expected.currency) {
    throw new PartnerProtocolError(
      `Purse ${what}: payment ${payment.id} is in ${payment.currency}, we asked for ${expected.currency}`,
    );
  }
  if (payment.amount !== expected.amount) {
    throw new PartnerProtocolError(
      `Purse ${what}: payment ${payment.id} is for ${payment.amount}, we asked for ${expected.amount}`,
    );
  }
}

/** Our tender's partner transaction: the single split entry we sent. */
function tenderTransaction(payment: PursePayment): PursePartnerTransaction | undefined {
  return payment.authorization.partner_transactions[0];
}

export function mapAuthorization(payment: PursePayment, request: AuthorizeRequest): AuthorizeResult {
  checkPayment(payment, request, 'authorization');
  if (payment.order_reference != null && payment.order_reference !== request.reference) {
    throw new PartnerProtocolError(
      `Purse authorization: payment ${payment.id} has order reference ${payment.order_reference}, not ${request.reference}`,
    );
  }
  const transaction = tenderTransaction(payment);
  const view = {
    partnerReference: payment.id,
    partnerStatus: transaction?.partner_status ?? undefined,
    partnerStatusDescription: transaction?.partner_status_description ?? undefined,
  };
  const additionalData = {
    purse_payment_id: payment.id,
    ...(transaction ? { purse_partner_transaction_id: transaction.id } : {}),
    ...(transaction?.partner ? { purse_partner: transaction.partner } : {}),
    ...(transaction?.partner_reference ? { purse_partner_reference: transaction.partner_reference } : {}),
  };
  switch (payment.authorization.status) {
    case 'AUTHORIZED': {
      const authorized = sum(
        payment.authorization.partner_transactions
          .filter((t) => t.status === 'AUTHORIZED')
          .map((t) => t.amount),
      );
      if (authorized !== request.amount) {
        throw new PartnerProtocolError(
          `Purse authorization: payment ${payment.id} authorized ${authorized}, we asked for ${request.amount}`,
        );
      }
      const amounts = payment.amounts;
      if (amounts && amounts.total_captured === 0 && amounts.total_voided >= amounts.total_authorized) {
        return {
          ...view,
          outcome: 'CANCELLED',
          amount: authorized,
          currency: payment.currency,
          additionalData,
        };
      }
      return {
        ...view,
        outcome: 'AUTHORIZED',
        amount: authorized,
        currency: payment.currency,
        card: maskedCard(transaction?.card),
        // A later merchant-initiated payment refers to this one (`parent_payment_id`).
        ...(request.allowFutureUsage ? { partnerToken: payment.id } : {}),
        additionalData,
      };
    }
    case 'REFUSED':
      return { ...view, outcome: 'REFUSED', currency: payment.currency, additionalData };
    case 'PENDING':
      return {
        ...view,
        outcome: 'REQUIRES_ACTION',
        ...(payment.redirection?.href ? { redirectUrl: payment.redirection.href } : {}),
        additionalData,
      };
    default:
      throw new PartnerProtocolError(
        `Purse authorization: payment ${payment.id} has unknown status ${payment.authorization.status}`,
      );
  }
}

function operationsOf(payment: PursePayment, kind: PurseOperationKind): PurseOperation[] {
  return kind === 'capture' ? payment.captures : kind === 'void' ? payment.voids : payment.refunds;
}

/** Our operation in the payment, found by `merchant_reference` (a SUCCESS one first, should there be several). */
export function findOperation(
  payment: PursePayment,
  kind: PurseOperationKind,
  reference: string,
): PurseOperation | undefined {
  const matching = operationsOf(payment, kind).filter(
    (operation) => operation.merchant_reference === reference,
  );
  return matching.find((operation) => operation.status === 'SUCCESS') ?? matching.at(-1);
}

/** The operation's outcome; `undefined` when the payment holds no operation under our reference. */
export function mapOperation(
  payment: PursePayment,
  kind: PurseOperationKind,
  request: OperationRequest,
): OperationResult | undefined {
  if (payment.id !== request.tender.partnerReference) {
    throw new PartnerProtocolError(
      `Purse ${kind}: answered payment ${payment.id}, not ${request.tender.partnerReference}`,
    );
  }
  if (payment.currency !== request.currency) {
    throw new PartnerProtocolError(
      `Purse ${kind}: payment ${payment.id} is in ${payment.currency}, we asked for ${request.currency}`,
    );
  }
  const operation = findOperation(payment, kind, request.reference);
  if (!operation) return undefined;
  if (operation.amount !== request.amount) {
    throw new PartnerProtocolError(
      `Purse ${kind} ${operation.id}: amount ${operation.amount}, we asked for ${request.amount}`,
    );
  }
  const failedPart = operation.partner_transactions.find((t) => t.status === 'FAILED');
  const part = failedPart ?? operation.partner_transactions[0];
  const view = {
    partnerReference: operation.id,
    partnerStatus: part?.partner_status ?? undefined,
    partnerStatusDescription: part?.partner_status_description ?? undefined,
    amount: operation.amount,
    currency: payment.currency,
  };
  switch (operation.status) {
    case 'SUCCESS':
      return { ...view, outcome: 'SUCCESS' };
    case 'FAILED':
      return { ...view, outcome: 'FAILED' };
    case 'PENDING':
      return { ...view, outcome: 'PENDING' };
    default:
      throw new PartnerProtocolError(`Purse ${kind} ${operation.id}: unknown status ${operation.status}`);
  }
}
