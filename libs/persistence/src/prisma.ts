import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export { PrismaClient };
export type { Prisma } from './generated/prisma/client';

/** A Prisma client over the `pg` driver (Prisma 7 driver adapter), with a bounded pool. */
export function createPrismaClient(databaseUrl: string, poolSize = 10): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize });
  return new PrismaClient({ adapter });
}

/** Money columns are BIGINT; the domain works with safe integers. Anything beyond 2^53 is a bug, not a value. */
export function toMinor(value: bigint | number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${value} is not a safe integer`);
  return n;
}
