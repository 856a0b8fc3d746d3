import { Injectable } from '@nestjs/common';
import type { PartnerAdapter } from '@tender/partners';

export const PARTNER_ADAPTERS = Symbol('PARTNER_ADAPTERS');

/** partner name → adapter. A new partner is one adapter folder plus one line where the worker builds this. */
@Injectable()
export class AdapterRegistry {
  private readonly adapters = new Map<string, PartnerAdapter>();

  constructor(adapters: PartnerAdapter[]) {
    for (const adapter of adapters) this.adapters.set(adapter.partner, adapter);
  }

  get(partner: string): PartnerAdapter {
    const adapter = this.adapters.get(partner);
    if (!adapter) throw new Error(`no adapter for partner "${partner}"`);
    return adapter;
  }

  partners(): string[] {
    return [...this.adapters.keys()];
  }
}
