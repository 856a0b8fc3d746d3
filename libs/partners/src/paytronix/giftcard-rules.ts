import { z } from 'zod';
import { PartnerRejectedError, type AuthorizeRequest, type OperationRequest } from '../adapter';
import type { PaytronixCredentials } from './client';
import { checkCurrency, toDecimal } from './mapping';

/**
 * What the gift card flows (`giftcard.ts`) check and derive without calling Paytronix: the
 * instrument, our posTransactionIds (Paytronix has no idempotency key), an operation's currency, and
 * the answer to a partial redemption.
 */
const instrumentSchema = z.object({
  card_number: z.string().regex(/^\d{12,19}$/),
  pin: z
    .string()
    .regex(/^\d{3,8}$/)
    .optional(),
});

export type GiftCardInstrument = z.infer<typeof instrumentSchema>;

export function giftCard(instrument: Record<string, unknown>): GiftCardInstrument {
  const parsed = instrumentSchema.safeParse(instrument);
  if (!parsed.success)
    throw new PartnerRejectedError('gift card instrument without a valid card number', 'invalid_instrument');
  return parsed.data;
}

export const VARIANT = 'authorizedVariantSuccess';

/** Reversal answers that leave nothing of the lost call booked. */
export const NOTHING_LEFT_BOOKED = ['transaction.transaction_not_found', 'transaction.already_reversed'];

/**
 * Our `posTransactionId` for an attempt: the reference itself for the first, `<reference>-<n>` after.
 * Paytronix has no idempotency key, so each attempt must be told apart from the lost ones before it.
 */
export function posTransactionIdOf(request: { reference: string; attempt?: number }): string {
  const attempt = request.attempt ?? 1;
  return attempt > 1 ? `${request.reference}-${attempt}` : request.reference;
}

/** The posTransactionId of the tender's debit as recorded when it was authorized. */
export function debitPosTransactionId(tender: OperationRequest['tender']): string {
  const recorded = tender.partnerAdditionalData?.posTransactionId;
  return typeof recorded === 'string' && recorded ? recorded : tender.reference;
}

export function partialRedemption(
  request: AuthorizeRequest,
  debited: number,
): { partnerStatus: string; partnerStatusDescription: string } {
  return {
    partnerStatus: VARIANT,
    partnerStatusDescription:
      `partial redemption: the card covered ${toDecimal(debited, request.currency)} of ` +
      `${toDecimal(request.amount, request.currency)}; the debit was reversed`,
  };
}

export function checkOperation(credentials: PaytronixCredentials, request: OperationRequest): void {
  checkCurrency(credentials, request.currency);
  if (request.currency !== request.tender.currency) {
    throw new PartnerRejectedError(
      `operation in ${request.currency} on a ${request.tender.currency} tender`,
      'currency_mismatch',
    );
  }
}
