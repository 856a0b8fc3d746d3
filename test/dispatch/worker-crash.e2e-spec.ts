import type { ChildProcess } from 'node:child_process';
import { newId } from '@tender/persistence';
import { startProcess } from '../support/processes';
import { giftCardAndCard } from '../support/payloads';
import { callInFlight, eventually, TestStack } from '../support/stack';
import { toConnectReference } from '@tender/partners/connect';

/** A worker in its own process, as in production, so the test can SIGKILL it. */
async function startWorker(stack: TestStack): Promise<ChildProcess> {
  const worker = await startProcess(
    'apps/worker/src/main.ts',
    stack,
    { WORKER_LOCK_MS: '1500', RECONCILE_SCHEDULE_MS: '300,500,1000,2000,4000', LOG_LEVEL: 'error' },
    'tender worker started',
  );
  return worker.child;
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

describe('crash safety', () => {
  let stack: TestStack;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    // Connect answers after 1.5 s, long enough to kill a worker in the middle of the call.
    stack = await TestStack.start({
      worker: false,
      env: { API_WAIT_FOR_OUTCOME_MS: '0' },
      connect: { latency: { kind: 'fixed', ms: 1500 } },
    });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => kill(w, 'SIGKILL')));
    await stack.close();
  });

  it('finishes a payment whose worker was SIGKILLed mid partner call; each partner saw each operation once', async () => {
    workers.push(await startWorker(stack));
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: giftCardAndCard(),
    });
    expect(created.status).toBe(201);
    const card = created.body.authorization.partner_transactions.find((t: any) => t.partner === 'connect');
    // The card authorization is in flight at Connect (attempt counted, no answer yet): kill the worker.
    await callInFlight(stack, card.id);
    await kill(workers[0], 'SIGKILL');
    workers.push(await startWorker(stack));

    const final = await eventually(async () => {
      const current = await stack.request('GET', `/v2/payments/${created.body.id}`, {
        token: stack.backOffice,
        headers: { 'cache-control': 'max-age=0' },
      });
      return current.body.authorization.status === 'AUTHORIZED' ? current.body : undefined;
    }, 45000);
    expect(final.amounts.total_authorized).toBe(3000);
    const reference = (await stack.prisma.partnerTransaction.findUniqueOrThrow({ where: { id: card.id } }))
      .reference;
    const atConnect = await stack.sim(
      'connect',
      `/_sim/connect/transactions?reference=${toConnectReference(reference)}`,
    );
    expect(atConnect.transactions).toHaveLength(1);
    const gift = created.body.authorization.partner_transactions.find((t: any) => t.partner === 'paytronix');
    const giftRef = (await stack.prisma.partnerTransaction.findUniqueOrThrow({ where: { id: gift.id } }))
      .reference;
    const atPaytronix = await stack.sim('paytronix', `/_sim/paytronix/transactions?reference=${giftRef}`);
    expect(atPaytronix.transactions).toHaveLength(1);
    expect((await stack.sim('paytronix', '/_sim/paytronix/cards/6000000000000500')).balance).toBe('490.00');
  });

  it('enqueues what a crashed publisher left in the outbox', async () => {
    if (workers.every((w) => w.exitCode !== null || w.signalCode !== null))
      workers.push(await startWorker(stack));
    // As if the API committed a payment and died before enqueueing its job: rows and outbox only.
    const paymentId = newId();
    const tenderId = newId();
    await stack.prisma.$transaction([
      stack.prisma.payment.create({
        data: {
          id: paymentId,
          entityId: stack.entityId,
          amount: 500n,
          currency: 'EUR',
          captureMode: 'MANUAL',
          status: 'PENDING',
        },
      }),
      stack.prisma.partnerTransaction.create({
        data: {
          id: tenderId,
          paymentId,
          position: 0,
          partner: 'connect',
          method: 'card',
          amount: 500n,
          currency: 'EUR',
          status: 'PENDING',
          instrument: { token: 'connect-approve' },
          reference: tenderId.replace(/-/g, ''),
        },
      }),
      stack.prisma.outbox.create({
        data: {
          kind: 'partner-connect',
          jobId: `authorize-${tenderId}`,
          payload: { name: 'authorize', data: { kind: 'authorize', tenderId }, delayMs: null },
          createdAt: new Date(Date.now() - 10_000),
        },
      }),
    ]);
    await eventually(async () => {
      const payment = await stack.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
      return payment.status === 'AUTHORIZED' ? payment : undefined;
    }, 20000);
    expect(await stack.prisma.outbox.count({ where: { jobId: `authorize-${tenderId}` } })).toBe(0);
  });
});
