import { z } from 'zod';
import type { Partner } from '../partner';
import { PaytronixAdapter } from './adapter';

/** Paytronix: stored value (gift cards) through the Transaction Service, cards through its hosted checkout. It sends no webhooks. */
export const paytronix: Partner = {
  name: 'paytronix',
  methods: {
    /**
     * Stored value through the Transaction Service: a redeem debits at once. Capture is bookkeeping;
     * a partial capture gives the rest back, so nothing is left to capture or void afterwards.
     */
    giftcard: {
      kind: 'stored_value',
      capabilities: {
        partialCapture: true,
        multipleCaptures: false,
        voidAfterPartialCapture: false,
        partialVoid: true,
        refund: true,
        partialRefund: true,
        multipleRefunds: true,
        needsRedirect: false,
        immediateDebit: true,
      },
      instrument: z.strictObject({
        card_number: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits'),
        pin: z
          .string()
          .regex(/^\d{3,8}$/, 'must be 3 to 8 digits')
          .optional(),
      }),
      reusableCredential: false,
    },
    /** Card through the Payment Service's Stripe hosted checkout: full capture only, no refund. */
    card: {
      kind: 'card',
      capabilities: {
        partialCapture: false,
        multipleCaptures: false,
        voidAfterPartialCapture: false,
        partialVoid: false,
        refund: false,
        partialRefund: false,
        multipleRefunds: false,
        needsRedirect: true,
        immediateDebit: false,
      },
      instrument: z.strictObject({}),
      reusableCredential: false,
    },
  },
  createAdapter: () => new PaytronixAdapter(),
};
