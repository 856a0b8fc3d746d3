import { Injectable } from '@nestjs/common';
import type { PartnerAccountConfig } from '@tender/partners';
import { DataCipher, openCredentials, PrismaClient } from '@tender/persistence';

const TTL_MS = 30_000;

/** Entity partner accounts, cached briefly: every job needs one and they rarely change. */
@Injectable()
export class PartnerAccounts {
  private readonly cache = new Map<string, { value: PartnerAccountConfig; expiresAt: number }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly cipher: DataCipher,
  ) {}

  async get(entityId: string, partner: string): Promise<PartnerAccountConfig> {
    const key = `${entityId}:${partner}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const account = await this.prisma.partnerAccount.findUnique({
      where: { entityId_partner: { entityId, partner } },
    });
    if (!account) throw new Error(`entity ${entityId} has no ${partner} account`);
    const value: PartnerAccountConfig = {
      partner,
      credentials: openCredentials(this.cipher, account.credentials),
      config: account.config as Record<string, unknown>,
    };
    this.cache.set(key, { value, expiresAt: Date.now() + TTL_MS });
    return value;
  }
}
