import { z } from 'zod';
import { newTender, MAX_TENDERS } from '../payments/payment.schemas';

/** `POST /checkout/v1/session/giftcard-balance`: the card to check. */
export const giftCardBalanceBody = z.strictObject({
  partner: z.string().min(1).max(64).meta({ description: 'The gift card partner (an eligible solution).' }),
  method: z.string().min(1).max(64).default('giftcard'),
  card_number: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits'),
  pin: z
    .string()
    .regex(/^\d{3,8}$/, 'must be 3 to 8 digits')
    .optional(),
});

export type GiftCardBalanceBody = z.output<typeof giftCardBalanceBody>;

/**
 * `POST /checkout/v1/session/payments`: the shopper's tenders. Everything else (amount, currency,
 * capture mode, return URL, webhook) comes from the session; a merchant-initiated tender
 * (`parent_payment_id`) cannot be expressed.
 */
export const sessionPaymentBody = z.strictObject({
  split: z
    .array(newTender)
    .min(1, 'must have at least one tender')
    .max(MAX_TENDERS, `must have at most ${MAX_TENDERS} tenders`),
});

export type SessionPaymentBody = z.output<typeof sessionPaymentBody>;
