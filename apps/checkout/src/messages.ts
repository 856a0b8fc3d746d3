/** What the shopper reads when something goes wrong: their words, never a code. */
const GIFT_CARD_ERRORS: Record<string, string> = {
  giftcard_not_active: 'This gift card is not active.',
  giftcard_unknown: 'We do not recognise this gift card number. Check it and try again.',
  giftcard_refused: 'This gift card cannot be used. Check its number and PIN.',
  validation_error: 'Enter the gift card number as printed on the card (12 to 19 digits).',
  rate_limited: 'Too many attempts. Wait a minute, then try again.',
  network: 'We could not reach the payment service. Check your connection and try again.',
};

const PAYMENT_ERRORS: Record<string, string> = {
  client_session_not_open: 'This checkout is no longer open. Go back to the shop to start again.',
  client_session_expired: 'This checkout has expired. Go back to the shop to start again.',
  checkout_session_expired: 'This checkout has expired. Go back to the shop to start again.',
  invalid_shopper_credential: 'This checkout is not valid. Go back to the shop to start again.',
  network: 'We could not reach the payment service. Nothing was charged; try again.',
};

export function giftCardError(code: string): string {
  return GIFT_CARD_ERRORS[code] ?? 'This gift card cannot be used right now. Nothing was charged.';
}

export function paymentError(code: string): string {
  return PAYMENT_ERRORS[code] ?? 'The payment could not be made. Nothing was charged; try again.';
}

export const REFUSED_WITH_GIFT_CARD = 'This payment was declined; your gift card was not charged.';
export const REFUSED = 'This payment was declined. Nothing was charged.';
