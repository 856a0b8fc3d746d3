import type Redis from 'ioredis';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from '@tender/config';

/**
 * The Redis mark of a revoked API client: `<QUEUE_PREFIX>:revoked-client:<client id>` holding the
 * revocation time. Written by `tender client revoke` (and by the API when it finds a revocation in
 * Postgres that Redis lost), read by the API on every authenticated request (client-revocation.ts).
 * No framework here: the CLI imports it.
 */

/** The mark outlives every token issued before the revocation (they live at most this long). */
export const REVOCATION_MARK_TTL_SECONDS = MAX_ACCESS_TOKEN_TTL_SECONDS + 3600;
export function revocationKey(prefix: string, clientId: string): string {
  return `${prefix}:revoked-client:${clientId}`;
}

/** Writes the client's mark (after `revoked_at` is committed). */
export async function publishRevocation(
  redis: Redis,
  prefix: string,
  clientId: string,
  revokedAt: Date,
): Promise<void> {
  await redis.set(
    revocationKey(prefix, clientId),
    revokedAt.toISOString(),
    'EX',
    REVOCATION_MARK_TTL_SECONDS,
  );
}
