import type { PartnerAdapter } from '@tender/partners';

/** Every partner adapter the worker drives. A new partner: one folder in libs/partners plus one line here. */
export function createPartnerAdapters(): PartnerAdapter[] {
  return [];
}
