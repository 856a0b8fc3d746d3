import type { Schemas } from '@tender/client';

/** The two-tender split most suites use: a Paytronix gift card, then a Connect card. */
export function giftCardAndCard(
  options: { gift?: number; card?: number; giftCard?: string; cardToken?: string } = {},
): Schemas['CreatePaymentRequest'] {
  const { gift = 1000, card = 2000, giftCard = '6000000000000500', cardToken = 'connect-approve' } = options;
  return {
    amount: gift + card,
    currency: 'EUR',
    split: [
      { partner: 'paytronix', method: 'giftcard', amount: gift, payment_method: { card_number: giftCard } },
      { partner: 'connect', method: 'card', amount: card, payment_method: { token: cardToken } },
    ],
  };
}

/** A payment of one tender (MANUAL capture, EUR). */
export function oneTender(
  partner: string,
  method: string,
  amount: number,
  payment_method: Record<string, string>,
): Schemas['CreatePaymentRequest'] {
  return {
    amount,
    currency: 'EUR',
    capture_mode: 'MANUAL',
    split: [{ partner, method, amount, payment_method }],
  };
}
