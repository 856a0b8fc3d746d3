import { z } from 'zod';
import type { PartnerCapabilities } from '@tender/domain';

/** Building blocks the partners' method definitions share. */

/** A card as a partner's token (`payment_method.token`). */
export const cardToken = z.strictObject({ token: z.string().min(1).max(256) });

/** A card authorization held, then captured (partially, several times), voided and refunded. */
export const cardCapabilities: PartnerCapabilities = {
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
