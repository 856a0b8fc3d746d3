/**
 * Checks the one-query payment aggregate (loadPayment, libs/persistence/src/payments/payments.ts) against Prisma's
 * `include` of PAYMENT_AGGREGATE_INCLUDE, for every payment of a database: same fields, same types,
 * same values (children compared in the aggregate's order: tenders by position, operations and legs
 * by creation), read through `pg` and through a Prisma transaction. Read-only.
 *
 *   npx ts-node --transpile-only bench/verify-aggregate.ts postgresql://postgres@127.0.0.1:5432/tender_bench
 */
import { isDeepStrictEqual } from 'node:util';
import { createDatabase, createPrismaClient, loadPayment, prismaSql } from '@tender/persistence';
import { PAYMENT_AGGREGATE_INCLUDE } from '@tender/payments';
async function main() {
  const url = process.argv[2] ?? 'postgresql://postgres@127.0.0.1:5432/tender_bench';
  const prisma = createPrismaClient(url, 2);
  const db = createDatabase(url, 2);
  const ids = await prisma.payment.findMany({ select: { id: true, entityId: true } });
  let same = 0;
  const diffs: string[] = [];
  for (const { id, entityId } of ids) {
    const old = await prisma.payment.findFirst({
      where: { id, entityId },
      include: PAYMENT_AGGREGATE_INCLUDE,
    });
    old!.partnerTransactions.sort((a, b) => a.position - b.position);
    old!.operations.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    for (const o of old!.operations)
      o.legs.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    const fresh = await loadPayment(db, id, entityId);
    const tx = await db.transaction((t) => loadPayment(t, id));
    const viaPrisma = await prisma.$transaction((t) => loadPayment(prismaSql(t), id));
    if (!isDeepStrictEqual(old, viaPrisma) && diffs.length < 3) diffs.push(`through Prisma differs: ${id}`);
    if (isDeepStrictEqual(old, fresh) && isDeepStrictEqual(old, tx)) same++;
    else if (diffs.length < 3)
      diffs.push(
        JSON.stringify({ old, fresh }, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)).slice(0, 3000),
      );
  }
  const otherEntity = await loadPayment(db, ids[0].id, '00000000-0000-7000-8000-000000000000');
  const missing = await loadPayment(db, '00000000-0000-7000-8000-000000000000');
  console.log(
    `${ids.length} payments: ${same} identical; other entity → ${otherEntity ? 'found' : 'null'}, unknown id → ${missing ? 'found' : 'null'}`,
  );
  for (const d of diffs) console.log(d);
  await prisma.$disconnect();
  await db.end();
}
main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
