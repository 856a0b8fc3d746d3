/**
 * Paytronix test instruments: stored-value gift cards (Transaction Service, `printedCardNumber`)
 * and credit card numbers for `payment/recharge.json` (Payment Service, `paymentMethod.cardNumber`).
 * `/_sim/reset` restores these balances.
 */
export interface TestGiftCard {
  printedCardNumber: string;
  /** Major units, two decimals. */
  balance: string;
  active: boolean;
  /** A redemption above the balance takes the whole balance (authorizedVariantSuccess) instead of denied. */
  partialRedeem?: boolean;
  /** Its addRedeem and voidAddRedeem calls commit only after the simulator's `slowCommitMs` (invisible before). */
  slowCommit?: boolean;
  outcome: string;
}

export const PAYTRONIX_TEST_CARDS: readonly TestGiftCard[] = [
  {
    printedCardNumber: '6000000000000100',
    balance: '100.00',
    active: true,
    outcome: 'active gift card, 100.00',
  },
  {
    printedCardNumber: '6000000000000500',
    balance: '500.00',
    active: true,
    outcome: 'active gift card, 500.00',
  },
  {
    printedCardNumber: '6000000000000000',
    balance: '0.00',
    active: true,
    outcome: 'active gift card, 0.00: any redeem is denied (transaction.insufficient_balance)',
  },
  {
    printedCardNumber: '6000000000009999',
    balance: '25.00',
    active: false,
    outcome: 'inactive card: userDataError transaction.card_not_in_required_state',
  },
  {
    printedCardNumber: '6000000000000250',
    balance: '25.00',
    active: true,
    partialRedeem: true,
    outcome:
      'gift card, 25.00, partial redemption: a redeem above the balance takes the balance (authorizedVariantSuccess, 201)',
  },
  {
    printedCardNumber: '6000000000000700',
    balance: '500.00',
    active: true,
    slowCommit: true,
    outcome:
      'slow gift card, 500.00: redeems and credits commit only after PAYTRONIX_SIM_SLOW_COMMIT_MS (default 3000); lookups see nothing before',
  },
  {
    printedCardNumber: '6000000000010000',
    balance: '10000000.00',
    active: true,
    outcome: 'benchmark gift card, 10,000,000.00',
  },
];

/** Credit cards for recharge.json (CC payment method). Any other well-formed number is approved. */
export const PAYTRONIX_DECLINED_CREDIT_CARD = '4000000000000002';

export const PAYTRONIX_TEST_INSTRUMENTS: ReadonlyArray<{
  partner: 'paytronix';
  instrument: string;
  outcome: string;
}> = [
  ...PAYTRONIX_TEST_CARDS.map((card) => ({
    partner: 'paytronix' as const,
    instrument: card.printedCardNumber,
    outcome: card.outcome,
  })),
  {
    partner: 'paytronix',
    instrument: '(any other card number)',
    outcome: 'userDataError transaction.invalid_card_number',
  },
  {
    partner: 'paytronix',
    instrument: `recharge CC ${PAYTRONIX_DECLINED_CREDIT_CARD}`,
    outcome: 'recharge failure recharge.cc_auth_declined (any other valid card number is approved)',
  },
  {
    partner: 'paytronix',
    instrument: 'hosted checkout page',
    outcome: '"Pay" → paymentIntent REQUIRES_CAPTURE, redirect to successUrl; "Cancel" → CANCELED, cancelUrl',
  },
];
