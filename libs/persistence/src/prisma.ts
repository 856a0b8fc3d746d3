import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from './generated/prisma/client';

export { PrismaClient };
export type { Prisma } from './generated/prisma/client';

/**
 * A Prisma client over the `pg` driver (Prisma 7 driver adapter). Given the process's pool (the
 * `Database`'s), it shares it: one pool per process, its size covering both; disconnecting the client
 * leaves the pool to its owner. Given a URL, it opens a pool of its own (tests, one-off tools).
 */
export function createPrismaClient(databaseUrlOrPool: string | Pool, poolSize = 10): PrismaClient {
  const adapter = new PrismaPg(
    databaseUrlOrPool instanceof Pool
      ? databaseUrlOrPool
      : { connectionString: databaseUrlOrPool, max: poolSize },
  );
  return new PrismaClient({ adapter });
}

/** Money columns are BIGINT; the domain works with safe integers. Anything beyond 2^53 is a bug, not a value. */
export function toMinor(value: bigint | number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${value} is not a safe integer`);
  return n;
}
