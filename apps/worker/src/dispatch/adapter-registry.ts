import { Injectable } from '@nestjs/common';
import { currentJobSignal } from '@tender/infra';
import type { PartnerAdapter } from '@tender/partners';

export const PARTNER_ADAPTERS = Symbol('PARTNER_ADAPTERS');

/** partner name → adapter. A new partner is one adapter folder plus one line where the worker builds this. */
@Injectable()
export class AdapterRegistry {
  private readonly adapters = new Map<string, PartnerAdapter>();

  constructor(adapters: PartnerAdapter[]) {
    for (const adapter of adapters) this.adapters.set(adapter.partner, timed(adapter));
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

/** Records the wall time of every partner call in the running job's signal (for Server-Timing). */
function timed(adapter: PartnerAdapter): PartnerAdapter {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'verifyWebhook') return value;
      return async (...args: unknown[]) => {
        const started = Date.now();
        try {
          return await value.apply(target, args);
        } finally {
          const signal = currentJobSignal.getStore();
          if (signal) (signal.partner ??= []).push([started, Date.now()]);
        }
      };
    },
  });
}
