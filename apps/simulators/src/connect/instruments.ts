/**
 * Test instruments: sent as `cardPaymentMethodSpecificInput.token` (or as `card.cardNumber`).
 * Anything else is declined, like an unknown card at a real acquirer.
 */
export type InstrumentOutcome =
  'approve' | 'decline' | 'challenge' | 'timeout' | 'error-once' | 'refund-decline' | 'capture-reject';

export interface ConnectTestInstrument {
  token: string;
  outcome: InstrumentOutcome;
  /** Last four digits shown in the masked card number of the payment. */
  last4: string;
  description: string;
}

export const CONNECT_TEST_INSTRUMENTS: readonly ConnectTestInstrument[] = [
  {
    token: 'connect-approve',
    outcome: 'approve',
    last4: '0001',
    description:
      'Authorized. requiresApproval=true: PENDING_APPROVAL (capture/approve later); otherwise captured at once (CAPTURE_REQUESTED).',
  },
  {
    token: 'connect-decline',
    outcome: 'decline',
    last4: '0002',
    description: 'Declined: HTTP 402 PaymentErrorResponse, paymentResult.payment.status REJECTED.',
  },
  {
    token: 'connect-challenge',
    outcome: 'challenge',
    last4: '0003',
    description:
      'Fraud review: PENDING_FRAUD_APPROVAL. processchallenged continues as connect-approve would have; cancel voids it.',
  },
  {
    token: 'connect-timeout',
    outcome: 'timeout',
    last4: '0004',
    description:
      'Authorized like connect-approve and booked at once, but the HTTP answer is held for timeoutDelayMs (after the client gave up).',
  },
  {
    token: 'connect-error-once',
    outcome: 'error-once',
    last4: '0005',
    description:
      'HTTP 500 on the first attempt of each idempotence key (without a key: once per merchantReference), nothing booked; the retry succeeds like connect-approve.',
  },
  {
    token: 'connect-refund-decline',
    outcome: 'refund-decline',
    last4: '0006',
    description:
      'Authorized like connect-approve, but every refund is declined: HTTP 402 RefundErrorResponse, refund REJECTED.',
  },
  {
    token: 'connect-capture-reject',
    outcome: 'capture-reject',
    last4: '0007',
    description:
      'Authorized like connect-approve, but every capture ends REJECTED_CAPTURE when it settles (the payment too, once no capture succeeded).',
  },
];

export interface ResolvedInstrument {
  /** What the request carried (token or card number), '' when nothing. */
  given: string;
  outcome: InstrumentOutcome;
  known: boolean;
  last4: string;
}

export function resolveInstrument(
  token: string | undefined,
  cardNumber: string | undefined,
): ResolvedInstrument {
  const given = (token ?? cardNumber ?? '').trim();
  const instrument = CONNECT_TEST_INSTRUMENTS.find((i) => i.token === given);
  if (instrument) return { given, outcome: instrument.outcome, known: true, last4: instrument.last4 };
  const digits = given.replace(/\D/g, '');
  return { given, outcome: 'decline', known: false, last4: digits.length >= 4 ? digits.slice(-4) : '0000' };
}
