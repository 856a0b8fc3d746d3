import { oneTender } from '../support/payloads';
import { eventually, TestStack } from '../support/stack';

/**
 * Operations a partner takes into a queue (Connect: CAPTURE_REQUESTED, REFUND_REQUESTED) are pending,
 * not unknown: the leg stays PENDING, is looked at again past the end of the reconcile schedule, and
 * succeeds only once the partner settled it. A refund of such a capture is accepted, waits unsent until
 * the capture settles, and fails unsent if the capture is rejected.
 */
describe('operations pending at the partner', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({
      worker: true,
      connect: { settleDelayMs: -1 }, // Connect settles only when the test says so
      env: { RECONCILE_SCHEDULE_MS: '100,100,100', API_WAIT_FOR_OUTCOME_MS: '3000' },
    });
  });
  afterAll(() => stack.close());

  async function authorizedCard(token: string, amount = 2500): Promise<{ id: string; connectId: string }> {
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: oneTender('connect', 'card', amount, { token }),
    });
    expect(created.status).toBe(201);
    const tender = await stack.waitForTender(created.body.id);
    return { id: created.body.id, connectId: tender.partnerReference! };
  }

  const legs = (paymentId: string, type: string) =>
    stack.prisma.operationTransaction.findMany({ where: { operation: { paymentId, type } } });

  async function post(paymentId: string, path: string, body: Record<string, unknown>) {
    const response = await stack.request('POST', `/v2/payments/${paymentId}/${path}`, {
      token: stack.backOffice,
      body,
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  it('keeps a queued capture PENDING past the end of the schedule, then succeeds once Connect settles it', async () => {
    const payment = await authorizedCard('connect-approve');
    await post(payment.id, 'captures', {});
    // More checks than the schedule has entries: still pending, still scheduled, not given up.
    const [leg] = await eventually(async () => {
      const found = await legs(payment.id, 'CAPTURE');
      const checks = (found[0]?.lastError as { checks?: number } | null)?.checks ?? 0;
      return checks > 4 ? found : undefined;
    });
    expect(leg.status).toBe('PENDING');
    expect(leg.nextCheckAt).not.toBeNull();
    expect(leg.lastError).not.toHaveProperty('gave_up');

    await stack.sim('connect', `/_sim/connect/payments/${payment.connectId}/settle`, 'POST');
    await eventually(async () =>
      (await legs(payment.id, 'CAPTURE'))[0].status === 'SUCCESS' ? true : undefined,
    );
    // Every lookup read the capture by its id: none re-sent it (its key may have expired after 24 h).
    const { keys } = await stack.sim('connect', '/_sim/connect/idempotence');
    const ofPayment = (keys as Array<{ paymentId?: string; hits: number }>).filter(
      (k) => k.paymentId === payment.connectId,
    );
    expect(ofPayment.length).toBeGreaterThanOrEqual(2); // the authorization and the capture
    expect(ofPayment.filter((k) => k.hits > 0)).toEqual([]);
  });

  it('accepts a refund of a capture still queued, sends it only once the capture settled', async () => {
    const payment = await authorizedCard('connect-approve', 3100);
    await post(payment.id, 'captures', {});
    await eventually(async () =>
      (await legs(payment.id, 'CAPTURE'))[0]?.partnerStatus === '800' ? true : undefined,
    );
    await post(payment.id, 'refunds', { amount: 1200 });
    const [waiting] = await legs(payment.id, 'REFUND');
    expect(waiting).toMatchObject({ status: 'PENDING', attempts: 0 });
    // Nothing reached Connect: its refund job found the capture in flight and left the leg alone.
    await eventually(async () => {
      const jobs = await stack.prisma.outbox.count();
      return jobs === 0 ? true : undefined;
    });
    expect((await stack.sim('connect', `/_sim/connect/payments/${payment.connectId}`)).refunds).toEqual([]);
    expect((await legs(payment.id, 'REFUND'))[0].attempts).toBe(0);

    await stack.sim('connect', `/_sim/connect/payments/${payment.connectId}/settle`, 'POST');
    // The capture settles, the refund goes out (REFUND_REQUESTED), then settles in turn.
    await eventually(async () => ((await legs(payment.id, 'REFUND'))[0].attempts > 0 ? true : undefined));
    await eventually(async () => {
      const atConnect = await stack.sim('connect', `/_sim/connect/payments/${payment.connectId}`);
      return atConnect.refunds.length === 1 ? true : undefined;
    });
    await stack.sim('connect', `/_sim/connect/payments/${payment.connectId}/settle`, 'POST');
    await eventually(async () =>
      (await legs(payment.id, 'REFUND'))[0].status === 'SUCCESS' ? true : undefined,
    );
    const atConnect = await stack.sim('connect', `/_sim/connect/payments/${payment.connectId}`);
    expect(atConnect.transaction).toMatchObject({ amountCaptured: 3100, amountRefunded: 1200 });
  });

  it('fails a waiting refund, unsent, when the capture it drew on is rejected', async () => {
    const payment = await authorizedCard('connect-capture-reject', 1700);
    await post(payment.id, 'captures', {});
    await eventually(async () =>
      (await legs(payment.id, 'CAPTURE'))[0]?.partnerStatus === '800' ? true : undefined,
    );
    await post(payment.id, 'refunds', { amount: 1700 });
    await stack.sim('connect', `/_sim/connect/payments/${payment.connectId}/settle`, 'POST');
    const [refund] = await eventually(async () => {
      const found = await legs(payment.id, 'REFUND');
      return found[0].status === 'FAILED' ? found : undefined;
    });
    expect(refund).toMatchObject({ attempts: 0, partnerStatus: 'capture_not_settled' });
    expect((await legs(payment.id, 'CAPTURE'))[0].status).toBe('FAILED');
    expect((await stack.sim('connect', `/_sim/connect/payments/${payment.connectId}`)).refunds).toEqual([]);
    const events = await stack.prisma.merchantEvent.findMany({
      where: { paymentId: payment.id, type: 'PAYMENT_REFUND' },
    });
    expect(events.map((e) => (e.payload as { action: string }).action)).toEqual(
      expect.arrayContaining(['created', 'failed']),
    );
  });
});
