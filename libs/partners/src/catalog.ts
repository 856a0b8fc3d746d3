import type { z } from 'zod';
import type { PartnerCapabilities, TenderKind } from '@tender/domain';
import { PARTNERS } from './all-partners';

/**
 * What Tender knows about each partner/method before calling anyone: its capabilities (read by the
 * allocation), the kind of tender, and the shape of the `payment_method` instrument a merchant sends.
 * Declared by each partner's folder (see all-partners.ts).
 */
export interface MethodDefinition {
  kind: TenderKind;
  capabilities: PartnerCapabilities;
  /** Validates the split entry's `payment_method`; it is stored, sent to the partner, never returned. */
  instrument: z.ZodType;
  /** Can a later merchant-initiated payment reuse this tender's partner token (parent_payment_id)? */
  reusableCredential: boolean;
}

/** partner → method → definition, as each partner's folder declares it (libs/partners/src/<partner>/partner.ts). */
export const PARTNER_CATALOG: Record<string, Record<string, MethodDefinition>> = Object.fromEntries(
  PARTNERS.map((partner) => [partner.name, partner.methods]),
);

export function methodDefinition(partner: string, method: string): MethodDefinition | undefined {
  return PARTNER_CATALOG[partner]?.[method];
}

export const PARTNER_NAMES = Object.keys(PARTNER_CATALOG);
