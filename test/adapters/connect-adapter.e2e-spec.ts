/**
 * The Connect adapter against the Connect simulator, in process over real HTTP (port 0): signing,
 * idempotence keys, status and error mapping, the timeout / error-once recoveries (exactly one
 * payment at Connect), captures / void / refunds and their look-ups (PENDING until the simulator
 * settles them: tests settle explicitly), refunds refused before settlement, webhooks signed by the
 * simulator.
 */
import { once } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import express from 'express';
import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import {
  createConnectSimulator,
  type ConnectSimulator,
  type ConnectSimulatorOptions,
  type TransactionView,
} from '../../apps/simulators/src/connect';
import {
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  WebhookVerificationError,
  type AuthorizeRequest,
  type AuthorizeResult,
  type OperationRequest,
  type PartnerAccountConfig,
} from '@tender/partners';
import { ConnectAdapter, toConnectIdempotenceKey, toConnectReference } from '@tender/partners/connect';

const hex32 = () => randomBytes(16).toString('hex');

interface ReceivedHook {
  raw: Buffer;
  headers: Record<string, string | undefined>;
}

function credentials(endpoint: string, extra: Record<string, unknown> = {}) {
  // The simulator's defaults (CONNECT_SIM_DEFAULTS) = the demo seed's credentials, endpoint aside.
  return {
    endpoint,
    merchantId: '1000',
    apiKeyId: 'tender-sim-key',
    secretApiKey: 'tender-sim-secret',
    webhookKeyId: 'tender-sim-webhook-key',
    webhookSecret: 'tender-sim-webhook-secret',
    integrator: 'Tender',
    ...extra,
  };
}

const accountFor = (endpoint: string, extra: Record<string, unknown> = {}): PartnerAccountConfig => ({
  partner: 'connect',
  credentials: credentials(endpoint, extra),
  config: {},
});

function authorization(
  account: PartnerAccountConfig,
  token: string,
  extra: Partial<AuthorizeRequest> = {},
): AuthorizeRequest {
  return {
    account,
    idempotencyKey: `tender-${randomUUID()}-authorize`,
    timeoutMs: 3000,
    reference: hex32(),
    paymentId: randomUUID(),
    tenderId: randomUUID(),
    method: 'card',
    amount: 1000,
    currency: 'EUR',
    instrument: { token },
    captureMode: 'MANUAL',
    allowFutureUsage: false,
    ...extra,
  };
}

function operation(
  auth: AuthorizeRequest,
  authorized: AuthorizeResult,
  kind: 'capture' | 'void' | 'refund',
  amount: number,
  extra: Partial<OperationRequest> = {},
): OperationRequest {
  const legId = randomUUID();
  return {
    account: auth.account,
    idempotencyKey: `tender-${legId}-${kind}`,
    timeoutMs: 3000,
    reference: legId.replace(/-/g, ''),
    amount,
    currency: auth.currency,
    tender: {
      tenderId: auth.tenderId,
      reference: auth.reference,
      method: 'card',
      partnerReference: authorized.partnerReference!,
      authorizedAmount: auth.amount,
      currency: auth.currency,
      capturedBefore: 0,
      refundedBefore: 0,
    },
    ...extra,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('ConnectAdapter against the Connect simulator', () => {
  let sim: ConnectSimulator;
  let server: RunningServer;
  let receiver: RunningServer;
  let account: PartnerAccountConfig;
  const hooks: ReceivedHook[] = [];
  const adapter = new ConnectAdapter();

  async function books(reference: string): Promise<TransactionView[]> {
    const response = await fetch(
      `${server.url}/_sim/connect/transactions?reference=${toConnectReference(reference)}`,
    );
    return ((await response.json()) as { transactions: TransactionView[] }).transactions;
  }

  /** Completes the payment's requested captures and refunds (the simulator settles only on request here). */
  async function settle(paymentId: string): Promise<void> {
    const response = await fetch(`${server.url}/_sim/connect/payments/${paymentId}/settle`, {
      method: 'POST',
    });
    expect(response.status).toBe(200);
  }

  /** The simulator's idempotence entry for one of our keys (undefined when Connect never saw it). */
  const keyEntry = (key: string, step?: string) =>
    sim.books.state.idempotence[`1000 ${toConnectIdempotenceKey(key, step)}`];

  async function authorized(token = 'connect-approve', extra: Partial<AuthorizeRequest> = {}) {
    const request = authorization(account, token, extra);
    const result = await adapter.authorize(request);
    return { request, result };
  }

  beforeAll(async () => {
    const app = express();
    app.post('/hooks', express.raw({ type: '*/*' }), (req, res) => {
      hooks.push({ raw: req.body as Buffer, headers: req.headers as Record<string, string | undefined> });
      res.status(200).end();
    });
    receiver = await listen(app);
    const options: ConnectSimulatorOptions = {
      logger: () => undefined,
      timeoutDelayMs: 1500,
      settleDelayMs: -1,
      webhookUrl: `${receiver.url}/hooks`,
    };
    sim = createConnectSimulator(options);
    server = await listen(sim.app);
    account = accountFor(server.url);
  });

  afterAll(async () => {
    await sim.close();
    await server.close();
    await receiver.close();
  });

  it('authorizes, captures in two parts, refunds a part: PENDING until Connect settles them; retries find the same objects', async () => {
    const { request, result } = await authorized();
    expect(result).toEqual(
      expect.objectContaining({
        outcome: 'AUTHORIZED',
        partnerStatus: '600',
        partnerStatusDescription: 'PENDING_APPROVAL',
        amount: 1000,
        currency: 'EUR',
        partnerToken: 'connect-approve',
        card: expect.objectContaining({ last_four_digits: '0001', expiry_month: 12, expiry_year: 2030 }),
      }),
    );
    expect(result.partnerReference).toMatch(/^\d{30}$/);
    const paymentId = result.partnerReference!;

    // CAPTURE_REQUESTED is queued work, not a capture yet
    const first = operation(request, result, 'capture', 400);
    const firstCapture = await adapter.capture(first);
    expect(firstCapture).toEqual(
      expect.objectContaining({
        outcome: 'PENDING',
        partnerStatus: '800',
        partnerStatusDescription: 'CAPTURE_REQUESTED',
        partnerReference: expect.stringMatching(/^\d{30}$/),
      }),
    );
    const rest = operation(request, result, 'capture', 600, { isFinal: true });
    const restCapture = await adapter.capture(rest);
    expect(restCapture.outcome).toBe('PENDING');
    expect(restCapture.partnerReference).not.toBe(firstCapture.partnerReference);
    expect((await adapter.fetchOperation('capture', first)).outcome).toBe('PENDING');

    await settle(paymentId);
    expect(await adapter.fetchOperation('capture', first)).toEqual(
      expect.objectContaining({
        outcome: 'SUCCESS',
        partnerReference: firstCapture.partnerReference,
        partnerStatusDescription: 'CAPTURED',
        amount: 400,
      }),
    );
    // a retry of the leg (same key) replays it with its current status
    expect(await adapter.capture(rest)).toEqual(
      expect.objectContaining({ outcome: 'SUCCESS', partnerReference: restCapture.partnerReference }),
    );

    const refund = operation(request, result, 'refund', 300);
    const refunded = await adapter.refund(refund);
    expect(refunded).toEqual(
      expect.objectContaining({
        outcome: 'PENDING',
        partnerStatusDescription: 'REFUND_REQUESTED',
        amount: 300,
      }),
    );
    expect((await adapter.fetchOperation('refund', refund)).outcome).toBe('PENDING');
    await settle(paymentId);
    expect(await adapter.fetchOperation('refund', refund)).toEqual(
      expect.objectContaining({
        outcome: 'SUCCESS',
        partnerReference: refunded.partnerReference,
        partnerStatusDescription: 'REFUNDED',
      }),
    );
    expect((await adapter.refund(refund)).partnerReference).toBe(refunded.partnerReference);
    expect(
      await adapter.fetchAuthorization({ ...request, partnerReference: result.partnerReference }),
    ).toEqual(expect.objectContaining({ outcome: 'AUTHORIZED', partnerStatusDescription: 'CAPTURED' }));

    const [booked, ...others] = await books(request.reference);
    expect(others).toHaveLength(0);
    expect(booked).toEqual(
      expect.objectContaining({
        merchantReference: toConnectReference(request.reference),
        status: 'CAPTURED',
        amountCaptured: 1000,
        amountSettled: 1000,
        amountRefunded: 300,
        amountCancelled: 0,
      }),
    );
    expect(booked.captures.map((c) => c.amount)).toEqual([400, 600]);
    expect(booked.refunds).toEqual([
      expect.objectContaining({ amount: 300, merchantReference: toConnectReference(refund.reference) }),
    ]);
    // every key this flow sent fits Connect's 40 ASCII characters (the simulator refuses longer ones)
    for (const key of [
      request.idempotencyKey,
      first.idempotencyKey,
      rest.idempotencyKey,
      refund.idempotencyKey,
    ]) {
      expect(keyEntry(key)).toEqual(expect.objectContaining({ state: 'done' }));
    }
  });

  it('answers NOT_FOUND for legs and payments Connect never saw', async () => {
    const { request, result } = await authorized();
    expect(
      (await adapter.fetchOperation('capture', operation(request, result, 'capture', 500))).outcome,
    ).toBe('NOT_FOUND');
    expect((await adapter.fetchOperation('refund', operation(request, result, 'refund', 500))).outcome).toBe(
      'NOT_FOUND',
    );
    expect((await adapter.fetchOperation('void', operation(request, result, 'void', 1000))).outcome).toBe(
      'NOT_FOUND',
    );
    const unknownId = '000000100099999999990000100001';
    expect((await adapter.fetchAuthorization({ ...request, partnerReference: unknownId })).outcome).toBe(
      'NOT_FOUND',
    );
  });

  it('maps a decline to REFUSED with the Connect status and errors', async () => {
    const { request, result } = await authorized('connect-decline');
    expect(result).toEqual(
      expect.objectContaining({
        outcome: 'REFUSED',
        partnerStatus: '100',
        partnerStatusDescription: expect.stringContaining('NOT AUTHORISED'),
      }),
    );
    expect(result.partnerReference).toMatch(/^\d{30}$/);
    expect(result.partnerToken).toBeUndefined();
    expect((await books(request.reference)).map((t) => t.status)).toEqual(['REJECTED']);
  });

  it('holds a challenged payment for review, then approves it (twice: the retry replays)', async () => {
    const { request, result } = await authorized('connect-challenge');
    expect(result).toEqual(
      expect.objectContaining({
        outcome: 'PENDING_FRAUD_APPROVAL',
        partnerStatusDescription: 'PENDING_FRAUD_APPROVAL',
      }),
    );
    expect(result.additionalData).toEqual(expect.objectContaining({ fraudServiceResult: 'challenged' }));
    const approve = { ...request, partnerReference: result.partnerReference! };
    expect(await adapter.approve(approve)).toEqual(
      expect.objectContaining({ outcome: 'AUTHORIZED', partnerReference: result.partnerReference }),
    );
    expect((await adapter.approve(approve)).outcome).toBe('AUTHORIZED');
    expect((await books(request.reference)).map((t) => t.status)).toEqual(['PENDING_APPROVAL']);
  });

  it('voids a challenged payment', async () => {
    const { request, result } = await authorized('connect-challenge');
    const voidLeg = operation(request, result, 'void', 1000);
    expect(await adapter.void(voidLeg)).toEqual(
      expect.objectContaining({
        outcome: 'SUCCESS',
        partnerReference: result.partnerReference,
        partnerStatusDescription: expect.stringContaining('CANCELLED'),
      }),
    );
    expect((await adapter.fetchOperation('void', voidLeg)).outcome).toBe('SUCCESS');
    expect(
      (await adapter.fetchAuthorization({ ...request, partnerReference: result.partnerReference })).outcome,
    ).toBe('CANCELLED');
    expect((await books(request.reference)).map((t) => t.status)).toEqual(['CANCELLED']);
  });

  it('voids the remainder after a partial capture, keeping the capture; the look-up confirms it by replay', async () => {
    const { request, result } = await authorized();
    expect((await adapter.capture(operation(request, result, 'capture', 400))).outcome).toBe('PENDING');
    const voidLeg = operation(request, result, 'void', 600, {
      tender: { ...operation(request, result, 'void', 0).tender, capturedBefore: 400 },
    });
    expect(await adapter.void(voidLeg)).toEqual(
      expect.objectContaining({
        outcome: 'SUCCESS',
        partnerStatusDescription: expect.stringContaining('the uncaptured rest is released'),
      }),
    );
    const [booked] = await books(request.reference);
    expect(booked).toEqual(expect.objectContaining({ amountCaptured: 400, amountCancelled: 600 }));
    expect(booked.captures).toEqual([expect.objectContaining({ amount: 400, status: 'CAPTURE_REQUESTED' })]);

    // As if the answer had been lost: while the capture is queued a cancel would cancel it, so the
    // look-up sends nothing; once it settled, the cancel under the leg's key is Connect's replay of ours.
    expect((await adapter.fetchOperation('void', voidLeg)).outcome).toBe('PENDING');
    expect(keyEntry(voidLeg.idempotencyKey)?.hits).toBe(0);
    await settle(result.partnerReference!);
    expect((await adapter.fetchOperation('void', voidLeg)).outcome).toBe('SUCCESS');
    expect(keyEntry(voidLeg.idempotencyKey)?.hits).toBe(1);
    const [after] = await books(request.reference);
    expect(after.captures).toEqual([expect.objectContaining({ amount: 400, status: 'CAPTURED' })]);
  });

  it('never reports a void it did not send: after a final capture the cancel waits, then Connect refuses it', async () => {
    const { request, result } = await authorized();
    expect(
      (await adapter.capture(operation(request, result, 'capture', 700, { isFinal: true }))).outcome,
    ).toBe('PENDING');
    const voidLeg = operation(request, result, 'void', 300);
    // the capture is queued (cancellable): a cancel now would cancel it
    expect(await adapter.void(voidLeg)).toEqual(
      expect.objectContaining({
        outcome: 'PENDING',
        partnerStatusDescription: expect.stringContaining('no cancel sent'),
      }),
    );
    expect(keyEntry(voidLeg.idempotencyKey)).toBeUndefined();
    const [queued] = await books(request.reference);
    expect(queued.captures).toEqual([expect.objectContaining({ amount: 700, status: 'CAPTURE_REQUESTED' })]);

    await settle(result.partnerReference!);
    // settled: the cancel is sent and Connect refuses it (405): the void released nothing
    expect(await adapter.void(voidLeg)).toEqual(
      expect.objectContaining({ outcome: 'FAILED', partnerStatus: '1100000' }),
    );
    expect(keyEntry(voidLeg.idempotencyKey)).toEqual(expect.objectContaining({ state: 'done' }));
    const [booked] = await books(request.reference);
    expect(booked.status).toBe('CAPTURED');
    expect(booked.captures).toEqual([expect.objectContaining({ amount: 700, status: 'CAPTURED' })]);
  });

  it('a refund refused before the capture settles is PENDING; once settled it is asked again under the next key', async () => {
    const { request, result } = await authorized();
    const paymentId = result.partnerReference!;
    expect((await adapter.capture(operation(request, result, 'capture', 1000))).outcome).toBe('PENDING');
    const refund = operation(request, result, 'refund', 300);

    const refused = await adapter.refund(refund);
    expect(refused).toEqual({
      outcome: 'PENDING',
      partnerStatus: '300240',
      partnerStatusDescription: expect.stringContaining('CAPTURE_REQUESTED'),
    });
    // Connect keeps the refusal under the key and replays it: still queued, so still PENDING, no other key
    expect(keyEntry(refund.idempotencyKey)?.response?.status).toBe(404);
    expect((await adapter.refund(refund)).outcome).toBe('PENDING');
    expect(keyEntry(refund.idempotencyKey, 'r1')).toBeUndefined();
    expect((await adapter.fetchOperation('refund', refund)).outcome).toBe('NOT_FOUND');

    await settle(paymentId);
    // the stored refusal is stale now: the refund goes out under the leg's next key
    const sent = await adapter.refund(refund);
    expect(sent).toEqual(
      expect.objectContaining({
        outcome: 'PENDING',
        partnerStatusDescription: 'REFUND_REQUESTED',
        amount: 300,
      }),
    );
    expect(keyEntry(refund.idempotencyKey, 'r1')).toEqual(expect.objectContaining({ state: 'done' }));
    // a re-run walks the same keys and gets the same refund
    expect((await adapter.refund(refund)).partnerReference).toBe(sent.partnerReference);
    expect(keyEntry(refund.idempotencyKey, 'r2')).toBeUndefined();
    const [booked] = await books(request.reference);
    expect(booked.refunds).toEqual([expect.objectContaining({ id: sent.partnerReference, amount: 300 })]);

    await settle(paymentId);
    expect(await adapter.fetchOperation('refund', refund)).toEqual(
      expect.objectContaining({ outcome: 'SUCCESS', partnerReference: sent.partnerReference }),
    );
  });

  it('connect-capture-reject: the capture leg FAILS when Connect rejects it; a refund of it FAILS', async () => {
    const { request, result } = await authorized('connect-capture-reject');
    expect(result.outcome).toBe('AUTHORIZED');
    const capture = operation(request, result, 'capture', 1000);
    expect((await adapter.capture(capture)).outcome).toBe('PENDING');
    await settle(result.partnerReference!);
    expect(await adapter.fetchOperation('capture', capture)).toEqual(
      expect.objectContaining({ outcome: 'FAILED', partnerStatusDescription: 'REJECTED_CAPTURE' }),
    );
    // nothing queued and nothing settled: Connect's refusal is final
    expect(await adapter.refund(operation(request, result, 'refund', 100))).toEqual(
      expect.objectContaining({ outcome: 'FAILED', partnerStatus: '300240' }),
    );
  });

  it('connect-timeout: unknown outcome, then the look-up finds it and a retry replays it: one payment', async () => {
    const request = authorization(account, 'connect-timeout', { timeoutMs: 300 });
    const held = once(sim.events, 'hold');
    const released = once(sim.events, 'release');
    expect(await rejection(adapter.authorize(request))).toBeInstanceOf(UnknownOutcomeError);
    await held;

    // the first request is still running at Connect: same key → 409 / 1409 → still unknown
    const busy = await rejection(adapter.authorize({ ...request, timeoutMs: 3000 }));
    expect(busy).toBeInstanceOf(UnknownOutcomeError);
    expect(busy.message).toContain('1409');

    const found = await adapter.fetchAuthorization({ ...request, timeoutMs: 3000 });
    expect(found).toEqual(expect.objectContaining({ outcome: 'AUTHORIZED', amount: 1000, currency: 'EUR' }));

    await released;
    const replayed = await adapter.authorize({ ...request, timeoutMs: 3000 });
    expect(replayed).toEqual(
      expect.objectContaining({ outcome: 'AUTHORIZED', partnerReference: found.partnerReference }),
    );
    const transactions = await books(request.reference);
    expect(transactions).toHaveLength(1);
    expect(transactions[0].paymentId).toBe(found.partnerReference);
  });

  it('connect-error-once: unknown outcome, then the same key authorizes it: one payment', async () => {
    const request = authorization(account, 'connect-error-once');
    expect(await rejection(adapter.authorize(request))).toBeInstanceOf(UnknownOutcomeError);
    expect(await books(request.reference)).toHaveLength(0);
    const result = await adapter.authorize(request);
    expect(result.outcome).toBe('AUTHORIZED');
    expect((await adapter.fetchAuthorization(request)).partnerReference).toBe(result.partnerReference);
    expect(await books(request.reference)).toHaveLength(1);
  });

  it('connect-error-once: the look-up without payment id re-POSTs the create under the same key: one payment', async () => {
    const request = authorization(account, 'connect-error-once');
    expect(await rejection(adapter.authorize(request))).toBeInstanceOf(UnknownOutcomeError);
    const found = await adapter.fetchAuthorization(request);
    expect(found.outcome).toBe('AUTHORIZED');
    expect((await adapter.authorize(request)).partnerReference).toBe(found.partnerReference);
    const transactions = await books(request.reference);
    expect(transactions).toHaveLength(1);
    expect(transactions[0].idempotencyHits).toBeGreaterThanOrEqual(1);
  });

  it('a create still running at Connect (409 / 1409) stays unknown; once it is free the look-up settles it', async () => {
    const request = authorization(account, 'connect-approve');
    const control = (action: 'hold' | 'release') =>
      fetch(`${server.url}/_sim/connect/idempotence/${action}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ key: toConnectIdempotenceKey(request.idempotencyKey) }),
      });
    expect((await control('hold')).status).toBe(200);
    const busy = await rejection(adapter.fetchAuthorization(request));
    expect(busy).toBeInstanceOf(UnknownOutcomeError);
    expect(busy.message).toContain('1409');
    expect(await books(request.reference)).toHaveLength(0);
    expect((await control('release')).status).toBe(200);
    expect((await adapter.fetchAuthorization(request)).outcome).toBe('AUTHORIZED');
    expect(await books(request.reference)).toHaveLength(1);
  });

  it('reports a declined refund as FAILED with the Connect status', async () => {
    const { request, result } = await authorized('connect-refund-decline');
    expect((await adapter.capture(operation(request, result, 'capture', 1000))).outcome).toBe('PENDING');
    await settle(result.partnerReference!);
    const refund = operation(request, result, 'refund', 200);
    const declined = await adapter.refund(refund);
    expect(declined).toEqual(
      expect.objectContaining({
        outcome: 'FAILED',
        partnerStatusDescription: expect.stringContaining('REJECTED'),
      }),
    );
    expect((await adapter.fetchOperation('refund', refund)).outcome).toBe('FAILED');
  });

  it('fails an over-capture and rejects bad credentials permanently', async () => {
    const { request, result } = await authorized();
    const over = await rejection(adapter.capture(operation(request, result, 'capture', 1001)));
    expect(over).toBeInstanceOf(PartnerRejectedError);
    expect((over as PartnerRejectedError).httpStatus).toBe(400);

    const wrongKey = authorization(
      accountFor(server.url, { secretApiKey: 'not-the-secret' }),
      'connect-approve',
    );
    const denied = await rejection(adapter.authorize(wrongKey));
    expect(denied).toBeInstanceOf(PartnerRejectedError);
    expect((denied as PartnerRejectedError).partnerStatus).toBe('9002');
    expect(denied.message).not.toContain('not-the-secret');
  });

  it('verifies the webhooks the simulator signs; rejects tampered ones and unknown key ids', async () => {
    const { request, result } = await authorized();
    const refund = operation(request, result, 'refund', 100);
    await adapter.capture(operation(request, result, 'capture', 1000));
    await settle(result.partnerReference!);
    await adapter.refund(refund);
    await sim.webhooks.idle();

    const events = hooks.map((hook) => ({
      hook,
      event: adapter.verifyWebhook(hook.raw, hook.headers, account),
    }));
    expect(events.length).toBeGreaterThan(0);
    const ofPayment = events.filter(({ event }) => event.partnerReference === result.partnerReference);
    expect(ofPayment.map(({ event }) => event.type)).toEqual(
      expect.arrayContaining(['payment.pending_approval', 'payment.capture_requested', 'payment.captured']),
    );
    expect(ofPayment[0].event.reference).toBe(request.reference);
    const refundEvent = events.find(
      ({ event }) => event.type === 'refund.refund_requested' && event.reference === refund.reference,
    );
    expect(refundEvent?.event.partnerReference).toMatch(/-3\d{5}$/);

    const { hook } = ofPayment[0];
    const tampered = Buffer.from(hook.raw.toString('utf8').replace('"amount":1000', '"amount":1'));
    expect(tampered.equals(hook.raw)).toBe(false);
    const bad = (raw: Buffer, acc: PartnerAccountConfig) => {
      try {
        adapter.verifyWebhook(raw, hook.headers, acc);
      } catch (error) {
        return error as WebhookVerificationError;
      }
      throw new Error('accepted');
    };
    expect(bad(tampered, account)).toEqual(
      expect.objectContaining({ name: 'WebhookVerificationError', status: 401 }),
    );
    expect(bad(hook.raw, accountFor(server.url, { webhookKeyId: 'another-key' }))).toEqual(
      expect.objectContaining({ name: 'WebhookVerificationError', status: 401 }),
    );
  });

  describe('with refunds that need approval at Connect', () => {
    let approvalSim: ConnectSimulator;
    let approvalServer: RunningServer;

    beforeAll(async () => {
      approvalSim = createConnectSimulator({
        logger: () => undefined,
        refundRequiresApproval: true,
        settleDelayMs: -1,
      });
      approvalServer = await listen(approvalSim.app);
    });
    afterAll(async () => {
      await approvalSim.close();
      await approvalServer.close();
    });

    it('approves its own refund (PENDING_APPROVAL → REFUND_REQUESTED)', async () => {
      const request = authorization(accountFor(approvalServer.url), 'connect-approve');
      const result = await adapter.authorize(request);
      await adapter.capture(operation(request, result, 'capture', 1000));
      approvalSim.books.settle(approvalSim.books.state.payments[result.partnerReference!]);
      const refund = operation(request, result, 'refund', 250);
      expect(await adapter.refund(refund)).toEqual(
        expect.objectContaining({ outcome: 'PENDING', partnerStatusDescription: 'REFUND_REQUESTED' }),
      );
      // the retry replays, approval included
      expect(await adapter.refund(refund)).toEqual(
        expect.objectContaining({ outcome: 'PENDING', partnerStatusDescription: 'REFUND_REQUESTED' }),
      );
      expect(approvalSim.books.transactions(toConnectReference(request.reference))[0].refunds).toEqual([
        expect.objectContaining({ amount: 250, status: 'REFUND_REQUESTED' }),
      ]);
    });
  });

  describe('against a Connect that answers another amount', () => {
    let stub: RunningServer;

    beforeAll(async () => {
      const app = express();
      app.use(express.json());
      app.post('/v1/:merchantId/payments', (req, res) => {
        const body = req.body as {
          order: { amountOfMoney: { amount: number; currencyCode: string }; references: unknown };
        };
        res.status(201).json({
          payment: {
            id: '000000100000000000010000100001',
            paymentOutput: {
              amountOfMoney: { ...body.order.amountOfMoney, amount: body.order.amountOfMoney.amount - 1 },
              references: body.order.references,
            },
            status: 'PENDING_APPROVAL',
            statusOutput: { statusCode: 600, isAuthorized: true },
          },
        });
      });
      stub = await listen(app);
    });
    afterAll(() => stub.close());

    it('refuses the answer (PartnerProtocolError)', async () => {
      const error = await rejection(
        adapter.authorize(authorization(accountFor(stub.url), 'connect-approve')),
      );
      expect(error).toBeInstanceOf(PartnerProtocolError);
      expect(error.message).toContain('answered 999 EUR, asked 1000 EUR');
    });
  });
});
