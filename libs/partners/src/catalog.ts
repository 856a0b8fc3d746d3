import { z } from 'zod';
import type { PartnerCapabilities, TenderKind } from '@tender/domain';

/**
 * What Tender knows about each partner/method before calling anyone: its capabilities (read by the
 * allocation), the kind of tender, and the shape of the `payment_method` instrument a merchant sends.
 * Adding a partner = one folder with its adapter + one entry here.
 */
export interface MethodDefinition {
  kind: TenderKind;
  capabilities: PartnerCapabilities;
  /** Validates the split entry's `payment_method`; it is stored, sent to the partner, never returned. */
  instrument: z.ZodType;
  /** Can a later merchant-initiated payment reuse this tender's partner token (parent_payment_id)? */
  reusableCredential: boolean;
}

const cardToken = z.strictObject({ token: z.string().min(1).max(256) });

const cardCapabilities: PartnerCapabilities = {
  partialCapture: true,
  multipleCaptures: true,
  voidAfterPartialCapture: true,
  partialVoid: false,
  refund: true,
  partialRefund: true,
  multipleRefunds: true,
  needsRedirect: false,
  immediateDebit: false,
};

export const PARTNER_CATALOG: Record<string, Record<string, MethodDefinition>> = {
  /** Worldline/Ingenico Connect: card authorizations (hold), captures, cancel of the remainder, refunds. */
  connect: {
    card: { kind: 'card', capabilities: cardCapabilities, instrument: cardToken, reusableCredential: true },
  },
  /** Purse v2 as a downstream orchestrator: amount-based captures, voids and refunds. */
  purse: {
    card: {
      kind: 'card',
      capabilities: { ...cardCapabilities, partialVoid: true },
      instrument: cardToken,
      reusableCredential: true,
    },
  },
  paytronix: {
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
};

export function methodDefinition(partner: string, method: string): MethodDefinition | undefined {
  return PARTNER_CATALOG[partner]?.[method];
}

export const PARTNER_NAMES = Object.keys(PARTNER_CATALOG);
