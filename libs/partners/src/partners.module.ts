import { Module, type DynamicModule } from '@nestjs/common';
import type { PartnerAdapter } from './adapter';
import { PARTNERS } from './all-partners';
import type { Partner } from './partner';

/** The partners of this process and their adapters, by name (one adapter per partner, shared). */
export class Partners {
  private readonly byName: Map<string, Partner>;
  private readonly adaptersByName: Map<string, PartnerAdapter>;

  constructor(partners: readonly Partner[] = PARTNERS, adapters?: readonly PartnerAdapter[]) {
    this.byName = new Map(partners.map((partner) => [partner.name, partner]));
    this.adaptersByName = new Map(
      (adapters ?? partners.map((partner) => partner.createAdapter())).map((adapter) => [
        adapter.partner,
        adapter,
      ]),
    );
  }

  get(name: string): Partner | undefined {
    return this.byName.get(name);
  }

  adapter(name: string): PartnerAdapter | undefined {
    return this.adaptersByName.get(name);
  }

  adapters(): PartnerAdapter[] {
    return [...this.adaptersByName.values()];
  }
}

/**
 * Provides `Partners` to the API (webhook verification) and the worker (partner calls). Tests may
 * replace the adapters (a fault-injecting HTTP client, a moving clock).
 */
@Module({})
export class PartnersModule {
  static forRoot(options: { adapters?: readonly PartnerAdapter[] } = {}): DynamicModule {
    return {
      module: PartnersModule,
      providers: [{ provide: Partners, useValue: new Partners(PARTNERS, options.adapters) }],
      exports: [Partners],
    };
  }
}
