import { run } from '../apps/cli/src/main';
import { TEST_DATABASE_URL } from './support/env';
import { runCliProcess } from './support/processes';
import { eventually, TestStack } from './support/stack';

/**
 * `tender unknown list | retry | resolve` against outcomes the reconciler really gave up on: the
 * simulators lose the answers of the calls and of every lookup after them, on a tiny schedule.
 */
const ENV = {
  PARTNER_TIMEOUT_MS: '1000',
  PARTNER_IN_FLIGHT_MARGIN_MS: '200',
  RECONCILE_SCHEDULE_MS: '100,200',
  API_WAIT_FOR_OUTCOME_MS: '0',
};
const BOUND_MS = 30_000;

interface CliResult {
  code: number;
  json: any;
}

/** The CLI in-process, as an operator would run it against this database. */
async function tender(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(
    args,
    { ...process.env, DATABASE_URL: TEST_DATABASE_URL, TENDER_OPERATOR: 'ops-test', ...env },
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
  );
  return { code, json: JSON.parse(code === 0 ? stdout : stderr) };
}

/** The same as a child process (`npm run -s tender -- …` runs this). */
const tenderProcess = (args: string[]): Promise<CliResult> => runCliProcess(args);

const CONNECT_CARD = { partner: 'connect', method: 'card', payment_method: { token: 'connect-approve' } };
const PURSE_CARD = { partner: 'purse', method: 'card', payment_method: { token: 'purse-approve' } };
const GIFT_CARD = {
  partner: 'paytronix',
  method: 'giftcard',
  payment_method: { card_number: '6000000000000500' },
};

describe('tender unknown: operators settle what the reconciler gave up on', () => {
  let stack: TestStack;
  /** Payment ids and the given-up tender or leg of each scenario. */
  const lostConnect = { paymentId: '', tenderId: '' };
  const splitFails = { paymentId: '', purseTenderId: '', connectTenderId: '' };
  const lostCapture = { paymentId: '', legId: '' };
  const splitGoesOn = { paymentId: '', purseTenderId: '', giftTenderId: '' };

  const arm = (partner: 'connect' | 'purse', rule: Record<string, unknown>) =>
    stack.sim(partner, '/_sim/faults', 'POST', { fault: 'lost-answer', count: 100, ...rule });

  async function createPayment(split: Array<Record<string, unknown>>): Promise<string> {
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: {
        amount: split.reduce((sum, tender) => sum + (tender.amount as number), 0),
        currency: 'EUR',
        capture_mode: 'MANUAL',
        split,
      },
    });
    if (created.status !== 201 && created.status !== 200)
      throw new Error(`create: ${created.status} ${created.text}`);
    return created.body.id;
  }

  const tenders = (paymentId: string) =>
    stack.prisma.partnerTransaction.findMany({ where: { paymentId }, orderBy: { position: 'asc' } });

  const tenderGivenUp = (id: string) =>
    eventually(
      async () => {
        const row = await stack.prisma.partnerTransaction.findUniqueOrThrow({ where: { id } });
        return (row.lastError as { gave_up?: boolean } | null)?.gave_up ? row : undefined;
      },
      BOUND_MS,
      `the reconciler giving up on tender ${id}`,
    );

  const tenderStatus = (id: string, status: string) =>
    eventually(
      async () => {
        const row = await stack.prisma.partnerTransaction.findUniqueOrThrow({ where: { id } });
        return row.status === status ? row : undefined;
      },
      BOUND_MS,
      `tender ${id} ${status}`,
    );

  const paymentStatus = (id: string, status: string) =>
    eventually(
      async () => {
        const row = await stack.prisma.payment.findUniqueOrThrow({ where: { id } });
        return row.status === status ? row : undefined;
      },
      BOUND_MS,
      `payment ${id} ${status}`,
    );

  /** The merchant events of a payment as [type, action] pairs. */
  async function events(paymentId: string): Promise<Array<[string, string]>> {
    const rows = await stack.prisma.merchantEvent.findMany({
      where: { paymentId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map((row) => [row.type, (row.payload as { action: string }).action]);
  }

  beforeAll(async () => {
    stack = await TestStack.start({ worker: true, env: ENV });

    // A Connect authorization whose answer is lost, then every lookup (find by our reference).
    await arm('connect', { path: '/payments$', method: 'POST', body_includes: '"amount":1111', count: 1 });
    await arm('connect', { path: '/payments$', method: 'GET' });
    // Purse authorizations lost on every call (a lookup without Purse's id re-posts under the same key).
    await arm('purse', { path: '/v2/payments$', method: 'POST', body_includes: '"amount":3333' });
    await arm('purse', { path: '/v2/payments$', method: 'POST', body_includes: '"amount":4444' });

    const capturable = async () => {
      const paymentId = await createPayment([{ ...PURSE_CARD, amount: 6666 }]);
      const [tender] = await tenders(paymentId);
      const authorized = await tenderStatus(tender.id, 'AUTHORIZED');
      const ref = authorized.partnerReference!;
      await arm('purse', { path: `/v2/payments/${ref}/captures$`, method: 'POST', count: 1 });
      await arm('purse', { path: `/v2/payments/${ref}$`, method: 'GET' });
      const capture = await stack.request('POST', `/v2/payments/${paymentId}/captures`, {
        token: stack.backOffice,
        body: {},
      });
      if (capture.status >= 300) throw new Error(`capture: ${capture.status} ${capture.text}`);
      const leg = await eventually(
        async () => {
          const row = await stack.prisma.operationTransaction.findFirst({
            where: { partnerTransactionId: tender.id },
          });
          return (row?.lastError as { gave_up?: boolean } | null)?.gave_up ? row! : undefined;
        },
        BOUND_MS,
        'the reconciler giving up on the capture',
      );
      Object.assign(lostCapture, { paymentId, legId: leg.id });
    };

    await Promise.all([
      (async () => {
        const paymentId = await createPayment([{ ...CONNECT_CARD, amount: 1111 }]);
        const [tender] = await tenders(paymentId);
        await tenderGivenUp(tender.id);
        Object.assign(lostConnect, { paymentId, tenderId: tender.id });
      })(),
      (async () => {
        const paymentId = await createPayment([
          { ...CONNECT_CARD, amount: 2222 },
          { ...PURSE_CARD, amount: 3333 },
        ]);
        const [connect, purse] = await tenders(paymentId);
        await Promise.all([tenderStatus(connect.id, 'AUTHORIZED'), tenderGivenUp(purse.id)]);
        Object.assign(splitFails, { paymentId, connectTenderId: connect.id, purseTenderId: purse.id });
      })(),
      (async () => {
        // The gift card (an immediate debit) waits for the Purse hold.
        const paymentId = await createPayment([
          { ...PURSE_CARD, amount: 4444 },
          { ...GIFT_CARD, amount: 1000 },
        ]);
        const [purse, gift] = await tenders(paymentId);
        await tenderGivenUp(purse.id);
        Object.assign(splitGoesOn, { paymentId, purseTenderId: purse.id, giftTenderId: gift.id });
      })(),
      capturable(),
    ]);
  }, 120_000);

  afterAll(() => stack?.close());

  it('lists the given-up outcomes of the entity, oldest first, with what an operator needs', async () => {
    const listed = await tenderProcess(['unknown', 'list', '--entity', stack.entityId]);
    expect(listed.code).toBe(0);
    const outcomes = listed.json as Array<Record<string, any>>;
    expect(outcomes.map((o) => o.id).sort()).toEqual(
      [lostConnect.tenderId, splitFails.purseTenderId, splitGoesOn.purseTenderId, lostCapture.legId].sort(),
    );
    const since = outcomes.map((o) => Date.parse(o.unknown_since));
    expect(since).toEqual([...since].sort((a, b) => a - b));

    const capture = outcomes.find((o) => o.id === lostCapture.legId)!;
    expect(capture).toMatchObject({
      kind: 'capture',
      payment_id: lostCapture.paymentId,
      entity_id: stack.entityId,
      partner: 'purse',
      amount: 6666,
      currency: 'EUR',
      status: 'UNKNOWN',
      reason: expect.any(String),
      age_seconds: expect.any(Number),
      gave_up_at: expect.any(String),
    });
    // The call's own failure, then a lookup per entry of RECONCILE_SCHEDULE_MS.
    expect(capture.checks).toBe(3);
    expect(outcomes.find((o) => o.id === lostConnect.tenderId)).toMatchObject({
      kind: 'authorization',
      payment_id: lostConnect.paymentId,
      partner: 'connect',
      amount: 1111,
      status: 'UNKNOWN',
      partner_reference: null,
    });

    const purseOnly = await tender(['unknown', 'list', '--entity', stack.entityId, '--partner', 'purse']);
    expect(purseOnly.json.map((o: { partner: string }) => o.partner)).toEqual(['purse', 'purse', 'purse']);
  });

  it('resolves a failed authorization: the split is refused, the other tender voided, events and audit recorded', async () => {
    const resolved = await tender(
      [
        'unknown',
        'resolve',
        '--id',
        splitFails.purseTenderId,
        '--as',
        'failed',
        '--reason',
        'Purse support: no payment under this reference (ticket 42)',
      ],
      { TENDER_OPERATOR: 'alice' },
    );
    expect(resolved.code).toBe(0);
    expect(resolved.json).toMatchObject({
      id: splitFails.purseTenderId,
      kind: 'authorization',
      payment_id: splitFails.paymentId,
      status_before: 'UNKNOWN',
      status: 'FAILED',
      resolved: {
        as: 'failed',
        by: 'alice',
        reason: 'Purse support: no payment under this reference (ticket 42)',
      },
      payment_status: 'REFUSED',
      audit_log_id: expect.any(String),
    });
    // The compensating void of the Connect hold, through the outbox.
    expect(resolved.json.queued).toEqual(
      expect.arrayContaining([expect.objectContaining({ queue: 'partner-connect', name: 'operation' })]),
    );

    const purse = await stack.prisma.partnerTransaction.findUniqueOrThrow({
      where: { id: splitFails.purseTenderId },
    });
    expect(purse.status).toBe('FAILED');
    expect(purse.nextCheckAt).toBeNull();
    expect(purse.partnerStatusDescription).toContain('ticket 42');
    expect(purse.lastError).toMatchObject({
      gave_up: true,
      resolved: {
        as: 'failed',
        by: 'alice',
        reason: expect.stringContaining('ticket 42'),
        at: expect.any(String),
      },
    });

    // The saga compensates: the Connect hold is voided at Connect, the tender CANCELLED.
    await tenderStatus(splitFails.connectTenderId, 'CANCELLED');
    const payment = await stack.prisma.payment.findUniqueOrThrow({ where: { id: splitFails.paymentId } });
    expect(payment.status).toBe('REFUSED');
    expect(payment.failure).toMatchObject({
      partner_transaction_id: splitFails.purseTenderId,
      status: 'FAILED',
    });
    const connect = await stack.prisma.partnerTransaction.findUniqueOrThrow({
      where: { id: splitFails.connectTenderId },
    });
    const { transaction } = await stack.sim('connect', `/_sim/connect/payments/${connect.partnerReference}`);
    expect(transaction.amountCancelled).toBe(2222);

    await eventually(
      async () => {
        const seen = await events(splitFails.paymentId);
        return seen.some(([type, action]) => type === 'PAYMENT_VOID' && action === 'succeeded')
          ? seen
          : undefined;
      },
      BOUND_MS,
      'the void succeeded event',
    );
    expect(await events(splitFails.paymentId)).toEqual(
      expect.arrayContaining([
        ['PAYMENT_PARTNER_TRANSACTION', 'failed'],
        ['PAYMENT_AUTHORIZATION', 'refused'],
        ['PAYMENT_VOID', 'created'],
        ['PAYMENT_VOID', 'succeeded'],
        ['PAYMENT_PARTNER_TRANSACTION', 'cancelled'],
      ]),
    );

    const audit = await stack.prisma.auditLog.findMany({ where: { targetId: splitFails.purseTenderId } });
    expect(audit).toEqual([
      expect.objectContaining({
        id: resolved.json.audit_log_id,
        actor: 'alice',
        action: 'unknown.resolve',
        targetType: 'partner_transaction',
        paymentId: splitFails.paymentId,
        reason: 'Purse support: no payment under this reference (ticket 42)',
        details: { kind: 'authorization', as: 'failed', status_before: 'UNKNOWN', status_after: 'FAILED' },
      }),
    ]);
  });

  it('resolves a capture that happened: the leg and the capture succeed, the merchant is told', async () => {
    const resolved = await tender([
      'unknown',
      'resolve',
      '--id',
      lostCapture.legId,
      '--as',
      'succeeded',
      '--reason',
      'captured in the Purse dashboard',
      '--by',
      'bob',
    ]);
    expect(resolved.code).toBe(0);
    expect(resolved.json).toMatchObject({
      kind: 'capture',
      status_before: 'UNKNOWN',
      status: 'SUCCESS',
      resolved: { as: 'succeeded', by: 'bob' },
      payment_status: 'AUTHORIZED',
    });
    const leg = await stack.prisma.operationTransaction.findUniqueOrThrow({
      where: { id: lostCapture.legId },
      include: { operation: true },
    });
    expect(leg.status).toBe('SUCCESS');
    expect(leg.operation.status).toBe('SUCCESS');
    expect(leg.lastError).toMatchObject({ resolved: { as: 'succeeded', by: 'bob' } });
    expect(await events(lostCapture.paymentId)).toContainEqual(['PAYMENT_CAPTURE', 'succeeded']);
    const view = await stack.request('GET', `/v2/payments/${lostCapture.paymentId}`, {
      token: stack.backOffice,
    });
    expect(view.body.amounts).toMatchObject({ total_captured: 6666, available_to_capture: 0 });
    const audit = await stack.prisma.auditLog.findFirstOrThrow({ where: { targetId: lostCapture.legId } });
    expect(audit).toMatchObject({
      actor: 'bob',
      action: 'unknown.resolve',
      targetType: 'operation_transaction',
    });
  });

  it("resolves an authorization that succeeded, with the partner's id: the split goes on and captures", async () => {
    const [booked] = (
      await stack.sim(
        'purse',
        `/_sim/purse/transactions?reference=${await referenceOf(splitGoesOn.purseTenderId)}`,
      )
    ).transactions;
    const resolved = await tender([
      'unknown',
      'resolve',
      '--id',
      splitGoesOn.purseTenderId,
      '--as',
      'succeeded',
      '--reason',
      'held at Purse',
      '--partner-reference',
      booked.payment_id,
    ]);
    expect(resolved.code).toBe(0);
    expect(resolved.json).toMatchObject({ status: 'AUTHORIZED', resolved: { by: 'ops-test' } });
    // The gift card, held back until the hold was secured, is sent now.
    await tenderStatus(splitGoesOn.giftTenderId, 'AUTHORIZED');
    await paymentStatus(splitGoesOn.paymentId, 'AUTHORIZED');
    expect(await events(splitGoesOn.paymentId)).toEqual(
      expect.arrayContaining([
        ['PAYMENT_PARTNER_TRANSACTION', 'authorized'],
        ['PAYMENT_AUTHORIZATION', 'authorized'],
      ]),
    );

    const capture = await stack.request('POST', `/v2/payments/${splitGoesOn.paymentId}/captures`, {
      token: stack.backOffice,
      body: {},
    });
    expect(capture.status).toBeLessThan(300);
    await eventually(
      async () => {
        const payment = await stack.sim('purse', `/_sim/purse/payments/${booked.payment_id}`);
        return payment.amounts?.total_captured === 4444 ? payment : undefined;
      },
      BOUND_MS,
      'the capture at Purse, under the id the operator gave',
    );
  });

  it('retries a lookup through the outbox: the worker settles it once the partner answers; one retry at a time', async () => {
    await fetch(`${stack.simulators.connect.url}/_sim/faults`, { method: 'DELETE' });
    // Two operators at once: the payment lock lets one through. The CLI never needs Redis: the job goes
    // through the outbox, the worker's relay enqueues it.
    const retry = () =>
      tender(['unknown', 'retry', '--id', lostConnect.tenderId, '--reason', 'Connect is back'], {
        REDIS_URL: 'redis://127.0.0.1:1',
      });
    const [first, second] = await Promise.all([retry(), retry()]);
    const [retried, refused] = first.code === 0 ? [first, second] : [second, first];
    expect(retried.json).toMatchObject({
      id: lostConnect.tenderId,
      kind: 'authorization',
      payment_id: lostConnect.paymentId,
      status: 'UNKNOWN',
      queued: [
        {
          queue: 'partner-connect',
          name: 'reconcile-authorization',
          job_id: expect.stringMatching(
            new RegExp(`^reconcile-authorization-${lostConnect.tenderId}-retry-`),
          ),
        },
      ],
    });
    expect(refused.code).toBe(1);
    expect(refused.json.error).toMatch(/is not an open outcome: the reconciler has not given up/);

    const reset = await stack.prisma.partnerTransaction.findUniqueOrThrow({
      where: { id: lostConnect.tenderId },
    });
    expect(reset.lastError).toMatchObject({ checks: 0 });
    expect(reset.lastError).not.toHaveProperty('gave_up');

    await tenderStatus(lostConnect.tenderId, 'AUTHORIZED');
    await paymentStatus(lostConnect.paymentId, 'AUTHORIZED');
    const audit = await stack.prisma.auditLog.findMany({ where: { targetId: lostConnect.tenderId } });
    expect(audit).toEqual([
      expect.objectContaining({
        id: retried.json.audit_log_id,
        actor: 'ops-test',
        action: 'unknown.retry',
        reason: 'Connect is back',
      }),
    ]);

    // Settled now: neither command takes it any more, nor a tender that never was unknown.
    const [again, resolveSettled] = await Promise.all([
      tender(['unknown', 'retry', '--id', lostConnect.tenderId]),
      tender(['unknown', 'resolve', '--id', splitFails.connectTenderId, '--as', 'failed', '--reason', 'x']),
    ]);
    expect(again).toEqual({
      code: 1,
      json: { error: `${lostConnect.tenderId} is not an open outcome: the authorization is AUTHORIZED` },
    });
    expect(resolveSettled.code).toBe(1);
    expect(resolveSettled.json.error).toContain('is not an open outcome: the authorization is CANCELLED');
    const list = await tender(['unknown', 'list', '--entity', stack.entityId]);
    expect(list.json).toEqual([]);
  });

  async function referenceOf(tenderId: string): Promise<string> {
    return (await stack.prisma.partnerTransaction.findUniqueOrThrow({ where: { id: tenderId } })).reference;
  }
});
