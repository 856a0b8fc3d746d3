import { Injectable } from '@nestjs/common';
import { instrumentAdapter } from '@tender/observability';
import type { PartnerAdapter } from '@tender/partners';

/** partner name → adapter, every call timed, logged and counted (see instrumentAdapter). */
@Injectable()
export class AdapterRegistry {
  private readonly adapters = new Map<string, PartnerAdapter>();

  constructor(adapters: PartnerAdapter[]) {
    for (const adapter of adapters) this.adapters.set(adapter.partner, instrumentAdapter(adapter));
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
