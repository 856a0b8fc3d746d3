/**
 * The incident of issue #11, replayed: Paytronix answering 0–4 s late (every call, lookups included)
 * against PARTNER_TIMEOUT_MS=2000, while the merchant keeps reading the payments without
 * Cache-Control; 24 gift-card payments authorized, captured and refunded in full. Prints how long
 * everything took to settle and whether the card ends with its starting balance.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/incident-paytronix.ts
 *
 * Uses the test database (TEST_DATABASE_URL) and Redis, with the production reconcile schedule and
 * in-flight margin unless PARTNER_IN_FLIGHT_MARGIN_MS / RECONCILE_SCHEDULE_MS are set.
 */
import { oneTender } from '../test/support/payloads';
import { eventually, TestStack } from '../test/support/stack';

const CARD = '6000000000000500';
const PAYMENTS = 24;

async function main(): Promise<void> {
  const stack = await TestStack.start({
    worker: true,
    paytronix: { latency: { kind: 'uniform', min: 0, max: 4000 } },
    env: {
      PARTNER_TIMEOUT_MS: '2000',
      PARTNER_IN_FLIGHT_MARGIN_MS: process.env.PARTNER_IN_FLIGHT_MARGIN_MS ?? '30000',
      RECONCILE_SCHEDULE_MS:
        process.env.RECONCILE_SCHEDULE_MS ?? '2000,5000,15000,60000,300000,900000,3600000,21600000',
      API_WAIT_FOR_OUTCOME_MS: '5000',
    },
  });
  const balance = async () =>
    Math.round(Number((await stack.sim('paytronix', `/_sim/paytronix/cards/${CARD}`)).balance) * 100);
  const started = Date.now();
  const before = await balance();
  const ids: string[] = [];
  let reading = true;
  let reads = 0;
  const reader = (async () => {
    while (reading) {
      await Promise.all(
        ids.map((id) => stack.request('GET', `/v2/payments/${id}`, { token: stack.backOffice })),
      );
      reads += ids.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const settled = (id: string, type: string) =>
    eventually(
      async () => {
        const ops = await stack.prisma.operation.findMany({ where: { paymentId: id, type } });
        return ops.length && ops.every((o) => o.status !== 'PENDING') ? ops : undefined;
      },
      600_000,
      `${type} of ${id}`,
    );
  const pay = async (i: number) => {
    const amount = 1000 + i * 13;
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: oneTender('paytronix', 'giftcard', amount, { card_number: CARD }),
    });
    const id = created.body.id as string;
    ids.push(id);
    await stack.waitForTender(id, 'AUTHORIZED', 600_000);
    await stack.request('POST', `/v2/payments/${id}/captures`, { token: stack.backOffice, body: {} });
    await settled(id, 'CAPTURE');
    await stack.request('POST', `/v2/payments/${id}/refunds`, { token: stack.backOffice, body: { amount } });
    const [refund] = await settled(id, 'REFUND');
    return { id, refund: refund.status, at: Date.now() - started };
  };
  try {
    const results = await Promise.all(Array.from({ length: PAYMENTS }, (_, i) => pay(i)));
    const after = await balance();
    const legs = await stack.prisma.operationTransaction.findMany({
      where: { operation: { paymentId: { in: ids } } },
    });
    const tenders = await stack.prisma.partnerTransaction.findMany({ where: { paymentId: { in: ids } } });
    const { transactions } = await stack.sim('paytronix', '/_sim/paytronix/transactions');
    console.log(
      JSON.stringify(
        {
          payments: PAYMENTS,
          card_before_cents: before,
          card_after_cents: after,
          card_difference_cents: after - before,
          refunds_succeeded: results.filter((r) => r.refund === 'SUCCESS').length,
          all_settled_after_ms: Math.max(...results.map((r) => r.at)),
          authorizations_left_unclear: tenders.filter((t) => t.unknownSince).length,
          authorization_attempts: tenders.reduce((s, t) => s + t.attempts, 0),
          legs_sent_more_than_once: legs.filter((l) => l.attempts > 1).length,
          legs_looked_up: legs.filter((l) => l.lastError).length,
          paytronix_journal_entries: transactions.length,
          merchant_reads: reads,
        },
        null,
        2,
      ),
    );
  } finally {
    reading = false;
    await reader;
    await stack.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
