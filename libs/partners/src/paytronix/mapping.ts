import { currencyExponent, decimalStringToMinor, minorToDecimalString, MoneyError } from '@tender/domain';
import {
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  type AuthorizeRequest,
  type AuthorizeResult,
} from '../adapter';
import type { HistoryEntry, PaymentIntent, PaymentReply, PaytronixCredentials, TxReply } from './client';

/**
 * Paytronix → our outcomes.
 *
 * Transaction Service `result`:
 * - authorizedSuccess / authorizedVariantSuccess → done (for a variant the amount moved is re-read
 *   and compared with the one asked);
 * - denied / userDataError → a decline: REFUSED (authorize) / FAILED (operations), with errorCode as
 *   partner status and errorMessage as description;
 * - failure → `UnknownOutcomeError` (system error, the outcome is unknown), except authentication
 *   and request-format failures (`authentication.*`, `request.*`: refused before anything was done),
 *   which are `PartnerRejectedError`.
 * Payment Service `result`: success; invalidInputs → `PartnerRejectedError`; failure → by code
 * (authentication / invalid merchant → rejected, `*.server_error` → unknown, the rest per endpoint).
 */

// ---- money --------------------------------------------------------------------------------------

/**
 * Paytronix quantities are Decimals in the program's major unit, two decimals. Currency is implicit
 * (the program's); an account may pin it with `credentials.currency`.
 */
export function checkCurrency(credentials: PaytronixCredentials, currency: string): void {
  let exponent: number;
  try {
    exponent = currencyExponent(currency);
  } catch {
    throw new PartnerRejectedError(`unknown currency ${currency}`, 'unsupported_currency');
  }
  if (exponent !== 2) {
    throw new PartnerRejectedError(
      `Paytronix amounts have two decimals; ${currency} has ${exponent}`,
      'unsupported_currency',
    );
  }
  if (credentials.currency && credentials.currency !== currency) {
    throw new PartnerRejectedError(
      `this Paytronix program is in ${credentials.currency}, not ${currency}`,
      'unsupported_currency',
    );
  }
}

export function toDecimal(minor: number, currency: string): string {
  return minorToDecimalString(minor, currency);
}

/** A Paytronix Decimal ("25.00", "+25.00") in minor units; anything else is a protocol error. */
export function toMinor(value: string | undefined, currency: string, what: string): number {
  if (value === undefined) throw new PartnerProtocolError(`Paytronix ${what}: amount missing`);
  try {
    return decimalStringToMinor(value.trim().replace(/^\+/, ''), currency);
  } catch (error) {
    if (error instanceof MoneyError) throw new PartnerProtocolError(`Paytronix ${what}: bad amount ${value}`);
    throw error;
  }
}

function sameWallet(code: number | string, walletCode: number): boolean {
  return String(code) === String(walletCode);
}

/** What a redeem debited from the SV wallet: changedWalletContents "Subtract" lines, else the echo. */
export function redeemedAmount(reply: TxReply, walletCode: number, currency: string): number {
  return movedAmount(reply, walletCode, currency, 2, reply.redeemWalletContents, 'redeem');
}

/** What an add credited to the SV wallet: changedWalletContents "Add" lines, else the echo. */
export function addedAmount(reply: TxReply, walletCode: number, currency: string): number {
  return movedAmount(reply, walletCode, currency, 1, reply.addWalletContents, 'add');
}

function movedAmount(
  reply: TxReply,
  walletCode: number,
  currency: string,
  operationType: 1 | 2,
  echo: TxReply['addWalletContents'],
  what: string,
): number {
  const changed = reply.changedWalletContents?.filter(
    (line) => line.operationType === operationType && sameWallet(line.walletCode, walletCode),
  );
  const lines =
    changed && changed.length > 0 ? changed : echo?.filter((line) => sameWallet(line.walletCode, walletCode));
  if (!lines || lines.length === 0)
    throw new PartnerProtocolError(`Paytronix ${what}: no stored-value amount in the reply`);
  return lines.reduce((total, line) => total + toMinor(line.quantity, currency, what), 0);
}

/** The value a reverse / void gave back (`svTransactionAmount`, positive). */
export function reversedAmount(reply: TxReply, currency: string): number {
  const text = reply.svTransactionAmount;
  if (text === undefined || text.trim().startsWith('-')) {
    throw new PartnerProtocolError('Paytronix reverse: no credited amount in the reply');
  }
  return toMinor(text, currency, 'reverse');
}

// ---- Transaction Service results ----------------------------------------------------------------

export type TxOutcome =
  { kind: 'approved'; variant: boolean } | { kind: 'declined'; errorCode: string; errorMessage?: string };

export function classifyTx(reply: TxReply, what: string): TxOutcome {
  switch (reply.result) {
    case 'authorizedSuccess':
      return { kind: 'approved', variant: false };
    case 'authorizedVariantSuccess':
      return { kind: 'approved', variant: true };
    case 'denied':
    case 'userDataError':
      return {
        kind: 'declined',
        errorCode: reply.errorCode ?? reply.result,
        errorMessage: reply.errorMessage,
      };
    case 'failure':
      throw failureError(reply.errorCode, reply.errorMessage, what);
    default:
      throw new PartnerProtocolError(`Paytronix ${what}: unknown result ${reply.result}`);
  }
}

function failureError(errorCode: string | undefined, errorMessage: string | undefined, what: string): Error {
  const code = errorCode ?? 'failure';
  const message = `Paytronix ${what}: ${code}${errorMessage ? ` (${errorMessage})` : ''}`;
  if (
    code.startsWith('authentication.') ||
    code.startsWith('request.') ||
    code.endsWith('.invalid_merchant_id')
  ) {
    return new PartnerRejectedError(message, code);
  }
  return new UnknownOutcomeError(message);
}

// ---- Payment Service results --------------------------------------------------------------------

export type PaymentOutcome = { ok: true } | { ok: false; errorCode: string; errorMessage?: string };

/**
 * success → ok; invalidInputs / authentication → rejected; server errors → unknown; other failures
 * are returned for the caller to read (`*.not_found`, `*.invalid_status`…).
 */
export function classifyPayment(reply: PaymentReply, what: string): PaymentOutcome {
  if (reply.result === 'success') return { ok: true };
  if (reply.result === 'invalidInputs') {
    const fields = Object.keys(reply.errorsByField ?? {}).join(', ');
    throw new PartnerRejectedError(
      `Paytronix ${what}: invalid input${fields ? ` (${fields})` : ''}`,
      reply.errorCode ?? 'invalidInputs',
    );
  }
  if (reply.result === 'failure') {
    const code = reply.errorCode ?? 'failure';
    if (code.endsWith('.server_error') || code.endsWith('.error') || code === 'failure') {
      throw new UnknownOutcomeError(`Paytronix ${what}: ${code}`);
    }
    const error = failureError(code, reply.errorMessage, what);
    if (error instanceof PartnerRejectedError) throw error;
    return { ok: false, errorCode: code, errorMessage: reply.errorMessage };
  }
  throw new PartnerProtocolError(`Paytronix ${what}: unknown result ${reply.result}`);
}

/** A Payment Service failure that the endpoint does not expect: the outcome is unknown. */
export function unexpectedFailure(
  outcome: { errorCode: string; errorMessage?: string },
  what: string,
): Error {
  return new UnknownOutcomeError(`Paytronix ${what}: ${outcome.errorCode}`);
}

// ---- stored value history -----------------------------------------------------------------------

/** The redeem(s) sent under a posTransactionId. */
export function debitsUnder(entries: HistoryEntry[], posTransactionId: string): HistoryEntry[] {
  return entries.filter(
    (entry) =>
      entry.transactionType === 'addRedeem' &&
      entry.posTransactionId === posTransactionId &&
      entry.redeemedQuantity !== undefined &&
      !/^[+]?0+(\.0+)?$/.test(entry.redeemedQuantity),
  );
}

/** The credits (add, reverse, void) sent under a posTransactionId. */
export function creditsUnder(entries: HistoryEntry[], posTransactionId: string): HistoryEntry[] {
  return entries.filter(
    (entry) =>
      ['addRedeem', 'reverse', 'voidAddRedeem'].includes(entry.transactionType) &&
      entry.posTransactionId === posTransactionId &&
      entry.addedQuantity !== undefined &&
      !/^[+]?0+(\.0+)?$/.test(entry.addedQuantity),
  );
}

export function lastFour(cardNumber: string | undefined): Record<string, unknown> | undefined {
  return cardNumber && cardNumber.length >= 4 ? { last_four_digits: cardNumber.slice(-4) } : undefined;
}

// ---- hosted checkout (payment intents) ----------------------------------------------------------

function cardOfCharge(intent: PaymentIntent): Record<string, unknown> | undefined {
  const charge = intent.chargeInfo;
  if (!charge) return undefined;
  const expiry = /^(\d{2})\/(\d{2,4})$/.exec(charge.expDate ?? '');
  const card = {
    ...(charge.lastFour ? { last_four_digits: charge.lastFour } : {}),
    ...(charge.cardType ? { selected_network: charge.cardType } : {}),
    ...(expiry ? { expiry_month: expiry[1], expiry_year: expiry[2].slice(-2) } : {}),
  };
  return Object.keys(card).length > 0 ? card : undefined;
}

export function checkIntentAmount(
  intent: PaymentIntent,
  amount: number,
  currency: string,
  what: string,
): void {
  const intentAmount = toMinor(intent.amount, currency, what);
  if (intentAmount !== amount) {
    throw new PartnerProtocolError(
      `Paytronix ${what}: payment intent ${intent.id} is for ${intent.amount}, we asked for ${toDecimal(amount, currency)}`,
    );
  }
}

/**
 * Payment intent → authorization. REQUIRES_CAPTURE (and SUCCEEDED, already captured) → AUTHORIZED;
 * CANCELED → REFUSED when the shopper never paid (cancelled or abandoned the hosted page: no
 * charge), CANCELLED when a paid intent was cancelled afterwards (our void); anything before
 * payment → REQUIRES_ACTION (the shopper is still on the hosted page).
 */
export function mapIntent(intent: PaymentIntent, request: AuthorizeRequest): AuthorizeResult {
  const view = { partnerReference: intent.id, partnerStatus: intent.status };
  switch (intent.status) {
    case 'REQUIRES_CAPTURE':
    case 'SUCCEEDED':
      checkIntentAmount(intent, request.amount, request.currency, 'payment intent');
      return {
        ...view,
        outcome: 'AUTHORIZED',
        amount: request.amount,
        currency: request.currency,
        card: cardOfCharge(intent),
        ...(intent.chargeInfo?.processorReferenceNumber
          ? { additionalData: { processorReferenceNumber: intent.chargeInfo.processorReferenceNumber } }
          : {}),
      };
    case 'CANCELED':
      return intent.chargeInfo
        ? { ...view, outcome: 'CANCELLED', partnerStatusDescription: 'payment intent cancelled' }
        : {
            ...view,
            outcome: 'REFUSED',
            partnerStatusDescription: 'the shopper cancelled or abandoned the hosted checkout',
          };
    case 'REQUIRES_PAYMENT_METHOD':
    case 'REQUIRES_CONFIRMATION':
    case 'REQUIRES_ACTION':
    case 'PROCESSING':
      return { ...view, outcome: 'REQUIRES_ACTION' };
    default:
      throw new PartnerProtocolError(
        `Paytronix payment intent ${intent.id}: unknown status ${intent.status}`,
      );
  }
}
