import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { CONFIG, REDIS } from '@tender/infra';
import { PrismaClient } from '@tender/persistence';
import { publishRevocation, revocationKey } from '@tender/auth';

/**
 * Live revocation of API clients. Postgres (`api_client.revoked_at`) is the truth; Redis holds a
 * mark per revoked client (its revocation time) so that every API process refuses the client's
 * tokens at its next request.
 *
 * Per request the API reads the mark (one Redis GET). Without a mark it trusts a Postgres "not
 * revoked" answer for at most {@link ACTIVE_CACHE_MS}: so a revocation whose mark is missing
 * (Redis restarted, or unreachable when the client was revoked) still takes effect within 5 s,
 * and a revoked client never comes back. Revocation is final: a process remembers revoked clients.
 */

/** How long a process trusts Postgres saying a client is not revoked. */
export const ACTIVE_CACHE_MS = 5000;
const MAX_CACHED_CLIENTS = 10_000;

@Injectable()
export class ClientRevocations {
  private readonly revoked = new Set<string>();
  /** Client id → until when Postgres's "not revoked" is trusted (epoch ms). */
  private readonly activeUntil = new Map<string, number>();

  constructor(
    private readonly prisma: PrismaClient,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  /** Whether the client is revoked, or no longer exists. */
  async isRevoked(clientId: string): Promise<boolean> {
    if (this.revoked.has(clientId)) return true;
    // Redis unreachable: Postgres decides below (no mark is not "not revoked").
    const mark = await this.redis.get(revocationKey(this.config.QUEUE_PREFIX, clientId)).catch(() => null);
    if (mark !== null) return this.remember(clientId);
    const until = this.activeUntil.get(clientId);
    if (until !== undefined && until > Date.now()) return false;

    const client = await this.prisma.apiClient.findUnique({
      where: { id: clientId },
      select: { revokedAt: true },
    });
    if (!client || client.revokedAt) {
      if (client?.revokedAt) {
        // Puts back a mark Redis lost, for the other processes.
        void publishRevocation(this.redis, this.config.QUEUE_PREFIX, clientId, client.revokedAt).catch(
          () => undefined,
        );
      }
      return this.remember(clientId);
    }
    if (this.activeUntil.size >= MAX_CACHED_CLIENTS) this.activeUntil.clear();
    this.activeUntil.set(clientId, Date.now() + ACTIVE_CACHE_MS);
    return false;
  }

  private remember(clientId: string): true {
    if (this.revoked.size >= MAX_CACHED_CLIENTS) this.revoked.clear();
    this.revoked.add(clientId);
    this.activeUntil.delete(clientId);
    return true;
  }
}
