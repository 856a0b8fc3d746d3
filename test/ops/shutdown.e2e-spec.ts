import { freePort, startProcess, type Running } from '../support/processes';
import { giftCardAndCard } from '../support/payloads';
import { callInFlight, eventually, TestStack } from '../support/stack';
import { toConnectReference } from '@tender/partners/connect';

describe('graceful shutdown', () => {
  let stack: TestStack;
  const processes: Running[] = [];
  const startWorker = async (env: Record<string, string> = {}) => {
    const worker = await startProcess('apps/worker/src/main.ts', stack, env, 'tender worker started');
    processes.push(worker);
    return worker;
  };

  beforeAll(async () => {
    // Connect answers after 1.5 s: long enough to send SIGTERM while a call is in flight.
    stack = await TestStack.start({
      worker: false,
      env: { API_WAIT_FOR_OUTCOME_MS: '0' },
      connect: { latency: { kind: 'fixed', ms: 1500 } },
    });
  });
  afterAll(async () => {
    for (const { child } of processes)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stack.close();
  });

  it('worker: SIGTERM mid partner call finishes the call, exits 0 in time; a new worker completes the payment', async () => {
    const metricsPort = await freePort();
    const worker = await startWorker({ WORKER_METRICS_PORT: String(metricsPort) });
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: giftCardAndCard(),
    });
    expect(created.status).toBe(201);
    const card = created.body.authorization.partner_transactions.find((t: any) => t.partner === 'connect');
    // The card authorization is in flight at Connect (attempt counted, no answer yet).
    await callInFlight(stack, card.id);

    // The worker serves its own metrics meanwhile.
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('tender_partner_call_duration_seconds');

    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    const { code, signal, at } = await worker.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(at - signalled).toBeLessThan(10_000 + 5000);
    expect(worker.output()).toMatch(/"msg":"shut down"/);
    // It let the running call finish and recorded it before leaving.
    const afterExit = await stack.prisma.partnerTransaction.findUniqueOrThrow({ where: { id: card.id } });
    expect(afterExit.status).toBe('AUTHORIZED');

    await startWorker();
    const final = await eventually(async () => {
      const current = await stack.request('GET', `/v2/payments/${created.body.id}`, {
        token: stack.backOffice,
        headers: { 'cache-control': 'max-age=0' },
      });
      return current.body.authorization.status === 'AUTHORIZED' ? current.body : undefined;
    }, 30000);
    expect(final.amounts.total_authorized).toBe(3000);
    const atConnect = await stack.sim(
      'connect',
      `/_sim/connect/transactions?reference=${toConnectReference(afterExit.reference)}`,
    );
    expect(atConnect.transactions).toHaveLength(1);
    const gift = created.body.authorization.partner_transactions.find((t: any) => t.partner === 'paytronix');
    const giftRef = (await stack.prisma.partnerTransaction.findUniqueOrThrow({ where: { id: gift.id } }))
      .reference;
    const atPaytronix = await stack.sim('paytronix', `/_sim/paytronix/transactions?reference=${giftRef}`);
    expect(atPaytronix.transactions).toHaveLength(1);
  });

  it('api: SIGTERM lets an in-flight request finish, refuses new connections, exits 0', async () => {
    const port = await freePort();
    // No worker picks the job, so the request waits its full API_WAIT_FOR_OUTCOME_MS.
    const api = await startProcess(
      'apps/api/src/main.ts',
      stack,
      {
        PORT: String(port),
        API_WAIT_FOR_OUTCOME_MS: '2000',
        QUEUE_PREFIX: `${stack.config.QUEUE_PREFIX}-api`,
      },
      'tender api listening',
    );
    processes.push(api);
    const url = `http://127.0.0.1:${port}`;
    const started = Date.now();
    const inFlight = fetch(`${url}/v2/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.frontOffice}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        amount: 500,
        currency: 'EUR',
        split: [
          { partner: 'connect', method: 'card', amount: 500, payment_method: { token: 'connect-approve' } },
        ],
      }),
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    api.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(201);
    expect(((await response.json()) as any).authorization.status).toBe('PENDING');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const { code, signal } = await api.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
