import express from 'express';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import {
  createPurseSimulator,
  PURSE_SIM_DEFAULTS,
  signPurseWebhook,
  type PurseSimulator,
  type PurseSimulatorOptions,
} from '../../apps/simulators/src/purse';
import {
  createPartnerHttpClient,
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  WebhookVerificationError,
  type AuthorizeRequest,
  type OperationRequest,
  type PartnerAccountConfig,
} from '../../libs/partners/src';
import { PurseAdapter } from '../../libs/partners/src/purse';

interface Ledger {
  payment_id: string;
  authorization_status: string;
  authorized: number;
  captured: number;
  voided: number;
  refunded: number;
  idempotency_hits: number;
  tenders: { partner: string; method: string; instrument: string; amount: number }[];
  operations: { kind: string; amount: number; merchant_reference: string; status: string }[];
}

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${++sequence}`;

describe('PurseAdapter against the Purse simulator (e2e)', () => {
  let sim: PurseSimulator;
  let server: RunningServer;
  let clock: number;
  let adapter: PurseAdapter;
  let tokenRequests: number;
  let unauthorized: number;
  let answerWaiters: Array<{ route: string; resolve: () => void }>;

  /** Resolves when the simulator has answered `METHOD /path`, even to a client that gave up. */
  function answered(route: string): Promise<void> {
    return new Promise((resolve) => answerWaiters.push({ route, resolve }));
  }

  async function start(options: PurseSimulatorOptions = {}) {
    sim = createPurseSimulator({ now: () => new Date(clock), ...options });
    // Counts what reaches the simulator (token requests, 401 answers) and tells when it answered.
    const outer = express();
    outer.use((req, res, next) => {
      if (req.path === '/oauth2/token') tokenRequests += 1;
      res.on('finish', () => {
        if (res.statusCode === 401) unauthorized += 1;
      });
      const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
      res.end = ((...args: unknown[]) => {
        const route = `${req.method} ${req.path}`;
        answerWaiters.filter((waiter) => waiter.route === route).forEach((waiter) => waiter.resolve());
        return end(...args);
      }) as typeof res.end;
      next();
    });
    outer.use(sim.app);
    server = await listen(outer);
  }

  async function stop() {
    sim.close();
    await server.close();
  }

  beforeEach(async () => {
    clock = Date.now();
    tokenRequests = 0;
    unauthorized = 0;
    answerWaiters = [];
    adapter = new PurseAdapter({ now: () => clock });
    await start();
  });
  afterEach(stop);

  const account = (overrides: Record<string, unknown> = {}): PartnerAccountConfig => ({
    partner: 'purse',
    credentials: {
      endpoint: server.url,
      entityId: PURSE_SIM_DEFAULTS.entityId,
      clientId: PURSE_SIM_DEFAULTS.clientId,
      clientSecret: PURSE_SIM_DEFAULTS.clientSecret,
      webhookSecret: PURSE_SIM_DEFAULTS.webhookSecret,
      ...overrides,
    },
    config: {},
  });

  function authorizeRequest(overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
    const reference = unique('tnd');
    return {
      account: account(),
      idempotencyKey: `tender-${reference}-authorize`,
      timeoutMs: 5000,
      reference,
      paymentId: unique('pay'),
      tenderId: reference,
      method: 'card',
      amount: 4299,
      currency: 'EUR',
      instrument: { token: 'purse-approve' },
      captureMode: 'MANUAL',
      allowFutureUsage: false,
      ...overrides,
    };
  }

  function operationRequest(
    authorization: AuthorizeRequest,
    partnerReference: string,
    overrides: Partial<OperationRequest> = {},
  ): OperationRequest {
    const reference = unique('leg');
    return {
      account: authorization.account,
      idempotencyKey: `tender-${reference}-op`,
      timeoutMs: 5000,
      reference,
      amount: authorization.amount,
      currency: authorization.currency,
      tender: {
        tenderId: authorization.tenderId,
        reference: authorization.reference,
        method: 'card',
        partnerReference,
        authorizedAmount: authorization.amount,
        currency: authorization.currency,
        capturedBefore: 0,
        refundedBefore: 0,
      },
      ...overrides,
    };
  }

  async function ledger(reference: string): Promise<Ledger[]> {
    const response = await fetch(
      `${server.url}/_sim/purse/transactions?reference=${encodeURIComponent(reference)}`,
    );
    return ((await response.json()) as { transactions: Ledger[] }).transactions;
  }

  async function stats(): Promise<{ payments: number; idempotency_hits: number }> {
    return (await (await fetch(`${server.url}/_sim/purse/stats`)).json()) as {
      payments: number;
      idempotency_hits: number;
    };
  }

  describe('authorize', () => {
    it('authorizes a card tender as one MANUAL Purse payment with a single split entry', async () => {
      const request = authorizeRequest({ allowFutureUsage: true });
      const result = await adapter.authorize(request);
      expect(result).toMatchObject({
        outcome: 'AUTHORIZED',
        amount: 4299,
        currency: 'EUR',
        partnerStatus: '0000',
        partnerStatusDescription: 'Successful operation',
      });
      expect(result.partnerReference).toEqual(expect.any(String));
      expect(result.partnerToken).toBe(result.partnerReference);
      const [payment, ...others] = await ledger(request.reference);
      expect(others).toHaveLength(0);
      expect(payment).toMatchObject({
        payment_id: result.partnerReference,
        authorization_status: 'AUTHORIZED',
        authorized: 4299,
        captured: 0,
      });
      expect(payment.tenders).toEqual([
        expect.objectContaining({
          partner: 'dalenys',
          method: 'creditcard',
          instrument: 'purse-approve',
          amount: 4299,
        }),
      ]);
      expect(sim.state.payments[result.partnerReference!].capture_mode).toBe('MANUAL');
    });

    it('sends a customer and browser from our API that the strict simulator accepts', async () => {
      // Our API accepts enum values and fields Purse v2 does not define; the adapter sends v2's only.
      const result = await adapter.authorize(
        authorizeRequest({
          allowFutureUsage: true,
          customer: {
            reference: 'cust-1',
            type: 'COMPANY',
            email: 'emily.parker@example.org',
            birth_date: '1995-08-25',
            ip_address: '203.0.113.195',
            account: {
              authentication_method: 'GUEST',
              age_indicator: 'LESS_30_DAYS',
              purchase_count_last_year: 8,
            },
          },
          browser: { user_agent: 'Mozilla/5.0', color_depth: 32, java_enabled: false, utc_time_zone: 60 },
          returnUrl: 'http://127.0.0.1:3000/v2/payments/pay-1/return',
        }),
      );
      expect(result.outcome).toBe('AUTHORIZED');
    });

    it('makes a merchant-initiated payment on the stored credential of an earlier one', async () => {
      const first = await adapter.authorize(authorizeRequest({ allowFutureUsage: true }));
      expect(first.partnerToken).toEqual(expect.any(String));
      const request = authorizeRequest({
        amount: 1500,
        instrument: { partner_token: first.partnerToken },
        parentPartnerToken: first.partnerToken,
      });
      const mit = await adapter.authorize(request);
      expect(mit).toMatchObject({ outcome: 'AUTHORIZED', amount: 1500 });
      expect(mit.partnerReference).not.toBe(first.partnerReference);
      const [books] = await ledger(request.reference);
      expect(books.tenders).toEqual([
        expect.objectContaining({
          partner: 'dalenys',
          method: 'creditcard',
          instrument: 'purse-approve',
          amount: 1500,
        }),
      ]);
      expect(sim.state.payments[mit.partnerReference!].split[0].parent?.parent_payment_id).toBe(
        first.partnerToken,
      );
    });

    it('refuses to create a payment for an account without its Purse entity UUID, sending nothing', async () => {
      const request = authorizeRequest({ account: account({ entityId: undefined }) });
      await expect(adapter.authorize(request)).rejects.toMatchObject({
        name: 'PartnerRejectedError',
        partnerStatus: 'invalid_account_credentials',
      });
      expect((await stats()).payments).toBe(0);
    });

    it('answers a decline as REFUSED with the partner status, never an exception', async () => {
      const declined = await adapter.authorize(authorizeRequest({ instrument: { token: 'purse-decline' } }));
      expect(declined).toMatchObject({
        outcome: 'REFUSED',
        partnerStatus: '05',
        partnerStatusDescription: 'Refused by issuer',
      });
      expect(declined.partnerReference).toEqual(expect.any(String));
      const unknown = await adapter.authorize(authorizeRequest({ instrument: { token: 'no-such-token' } }));
      expect(unknown).toMatchObject({ outcome: 'REFUSED', partnerStatus: '14' });
    });

    it('rejects an invalid request and unusable credentials as PartnerRejectedError', async () => {
      await expect(adapter.authorize(authorizeRequest({ amount: 0 }))).rejects.toMatchObject({
        name: 'PartnerRejectedError',
        partnerStatus: 'invalid-request',
        httpStatus: 400,
      });
      // A fresh adapter: tokens are cached per (endpoint, clientId), whatever the secret.
      const wrongSecret = authorizeRequest({ account: account({ clientSecret: 'nope' }) });
      const error = await new PurseAdapter().authorize(wrongSecret).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PartnerRejectedError);
      expect(error).toMatchObject({ partnerStatus: 'invalid_client', httpStatus: 401 });
      expect((error as Error).message).not.toContain('nope');
      await expect(
        adapter.authorize(authorizeRequest({ account: account({ clientId: '' }) })),
      ).rejects.toBeInstanceOf(PartnerRejectedError);
      await expect(adapter.authorize(authorizeRequest({ method: 'giftcard' }))).rejects.toBeInstanceOf(
        PartnerRejectedError,
      );
    });
  });

  describe('lost answers', () => {
    it('finds an authorization whose answer was lost, without a second authorization', async () => {
      const request = authorizeRequest();
      const lost = await adapter.authorize(request); // as if the answer never arrived
      const found = await adapter.fetchAuthorization(request); // no partnerReference: we never saw it
      expect(found).toMatchObject({ outcome: 'AUTHORIZED', amount: 4299, currency: 'EUR' });
      expect(found.partnerReference).toBe(lost.partnerReference);
      const books = await ledger(request.reference);
      expect(books).toHaveLength(1);
      expect(books[0].idempotency_hits).toBe(1);
      expect((await stats()).payments).toBe(1);
      // By id, too.
      const byId = await adapter.fetchAuthorization({ ...request, partnerReference: lost.partnerReference });
      expect(byId).toMatchObject({ outcome: 'AUTHORIZED', partnerReference: lost.partnerReference });
      expect(await adapter.fetchAuthorization({ ...request, partnerReference: 'no-such-payment' })).toEqual({
        outcome: 'NOT_FOUND',
      });
    });

    it('settles a timed-out authorization by lookup: UnknownOutcomeError, then found exactly once', async () => {
      await stop();
      await start({ latency: { kind: 'fixed', ms: 400 } });
      const request = authorizeRequest();
      // Warm the token cache with a patient call, so the create is what times out.
      expect(await adapter.fetchAuthorization({ ...request, partnerReference: 'warm-up' })).toEqual({
        outcome: 'NOT_FOUND',
      });
      const booked = answered('POST /v2/payments');
      const timedOut = await adapter.authorize({ ...request, timeoutMs: 100 }).catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(UnknownOutcomeError);
      await booked; // the simulator still books it, after we gave up
      expect(await ledger(request.reference)).toHaveLength(1);
      const found = await adapter.fetchAuthorization({ ...request, timeoutMs: 3000 });
      expect(found).toMatchObject({ outcome: 'AUTHORIZED', amount: 4299 });
      const books = await ledger(request.reference);
      expect(books).toHaveLength(1);
      expect(books[0].payment_id).toBe(found.partnerReference);
    });

    it('maps a 5xx to UnknownOutcomeError', async () => {
      await stop();
      await start({ failureRate: 1 });
      await expect(adapter.authorize(authorizeRequest())).rejects.toBeInstanceOf(UnknownOutcomeError);
    });

    it('replays a capture sent twice under the same key: one capture at Purse', async () => {
      const request = authorizeRequest();
      const { partnerReference } = await adapter.authorize(request);
      const capture = operationRequest(request, partnerReference!, { amount: 1000 });
      await adapter.capture(capture); // answer "lost"
      expect(await adapter.fetchOperation('capture', capture)).toMatchObject({
        outcome: 'SUCCESS',
        amount: 1000,
      });
      expect(await adapter.capture(capture)).toMatchObject({ outcome: 'SUCCESS', amount: 1000 });
      const [books] = await ledger(request.reference);
      expect(books.operations.filter((o) => o.kind === 'capture')).toHaveLength(1);
      expect(books.captured).toBe(1000);
    });
  });

  describe('operations', () => {
    it('captures, voids the rest and refunds, each found again by its merchant_reference', async () => {
      const request = authorizeRequest();
      const { partnerReference } = await adapter.authorize(request);
      const capture = operationRequest(request, partnerReference!, { amount: 3000 });
      const captured = await adapter.capture(capture);
      expect(captured).toMatchObject({
        outcome: 'SUCCESS',
        amount: 3000,
        currency: 'EUR',
        partnerStatus: '0000',
      });
      expect(captured.partnerReference).toEqual(expect.any(String));

      const rest = operationRequest(request, partnerReference!, {
        amount: 1299,
        tender: { ...capture.tender, capturedBefore: 3000 },
      });
      expect(await adapter.void(rest)).toMatchObject({ outcome: 'SUCCESS', amount: 1299 });

      const refund = operationRequest(request, partnerReference!, {
        amount: 1000,
        tender: { ...capture.tender, capturedBefore: 3000 },
      });
      expect(await adapter.refund(refund)).toMatchObject({ outcome: 'SUCCESS', amount: 1000 });

      expect(await adapter.fetchOperation('capture', capture)).toMatchObject({
        outcome: 'SUCCESS',
        partnerReference: captured.partnerReference,
      });
      expect(await adapter.fetchOperation('void', rest)).toMatchObject({ outcome: 'SUCCESS', amount: 1299 });
      expect(await adapter.fetchOperation('refund', refund)).toMatchObject({
        outcome: 'SUCCESS',
        amount: 1000,
      });
      expect(await adapter.fetchOperation('refund', operationRequest(request, partnerReference!))).toEqual({
        outcome: 'NOT_FOUND',
      });
      // The refund is not a capture: looked up under the wrong kind it is not found.
      expect(await adapter.fetchOperation('capture', refund)).toEqual({ outcome: 'NOT_FOUND' });

      const [books] = await ledger(request.reference);
      expect(books).toMatchObject({ captured: 3000, voided: 1299, refunded: 1000 });
    });

    it('reports a failed capture as FAILED with the partner status', async () => {
      const request = authorizeRequest({ instrument: { token: 'purse-capture-fail' } });
      const { partnerReference } = await adapter.authorize(request);
      const result = await adapter.capture(operationRequest(request, partnerReference!));
      expect(result).toMatchObject({ outcome: 'FAILED', partnerStatus: '96' });
    });

    it('a full void cancels the authorization as seen by a lookup', async () => {
      const request = authorizeRequest();
      const { partnerReference } = await adapter.authorize(request);
      expect(await adapter.void(operationRequest(request, partnerReference!))).toMatchObject({
        outcome: 'SUCCESS',
      });
      expect(await adapter.fetchAuthorization({ ...request, partnerReference })).toMatchObject({
        outcome: 'CANCELLED',
      });
    });

    it('rejects an amount Purse does not have available as PartnerRejectedError', async () => {
      const request = authorizeRequest();
      const { partnerReference } = await adapter.authorize(request);
      await expect(
        adapter.capture(operationRequest(request, partnerReference!, { amount: 5000 })),
      ).rejects.toMatchObject({
        name: 'PartnerRejectedError',
        partnerStatus: 'amount-not-available',
        httpStatus: 400,
      });
    });
  });

  describe('amount and currency checks', () => {
    it('refuses an authorization answer whose amount or currency is not the one asked', async () => {
      const request = authorizeRequest();
      const { partnerReference } = await adapter.authorize(request);
      await expect(
        adapter.fetchAuthorization({ ...request, amount: 5000, partnerReference }),
      ).rejects.toBeInstanceOf(PartnerProtocolError);
      await expect(
        adapter.fetchAuthorization({ ...request, currency: 'USD', partnerReference }),
      ).rejects.toBeInstanceOf(PartnerProtocolError);
      // A lookup by re-sending under the same key with another amount: Purse answers 409.
      await expect(adapter.fetchAuthorization({ ...request, amount: 5000 })).rejects.toBeInstanceOf(
        PartnerProtocolError,
      );
    });

    it('refuses an operation answer whose amount is not the one asked', async () => {
      const request = authorizeRequest();
      const { partnerReference } = await adapter.authorize(request);
      const capture = operationRequest(request, partnerReference!, { amount: 500 });
      await adapter.capture(capture);
      await expect(adapter.fetchOperation('capture', { ...capture, amount: 600 })).rejects.toBeInstanceOf(
        PartnerProtocolError,
      );
    });

    it('refuses a tampered authorization answer', async () => {
      const client = createPartnerHttpClient();
      client.interceptors.response.use((response) => {
        if (typeof response.data === 'string' && response.config.url?.endsWith('/v2/payments')) {
          const body = JSON.parse(response.data) as { amount: number };
          response.data = JSON.stringify({ ...body, amount: body.amount - 1 });
        }
        return response;
      });
      const tampered = new PurseAdapter({ http: client, now: () => clock });
      await expect(tampered.authorize(authorizeRequest())).rejects.toBeInstanceOf(PartnerProtocolError);
    });
  });

  describe('OAuth2 token', () => {
    it('reuses one token across calls', async () => {
      const request = authorizeRequest();
      const { partnerReference } = await adapter.authorize(request);
      await adapter.fetchAuthorization({ ...request, partnerReference });
      await adapter.authorize(authorizeRequest());
      expect(tokenRequests).toBe(1);
    });

    it('refreshes transparently when Purse says the token expired before our clock did', async () => {
      const frozen = clock;
      const lagging = new PurseAdapter({ now: () => frozen }); // its clock never moves: the token looks fresh
      await lagging.authorize(authorizeRequest());
      expect(tokenRequests).toBe(1);
      clock += (PURSE_SIM_DEFAULTS.tokenTtlSeconds + 1) * 1000; // expired at Purse
      const result = await lagging.authorize(authorizeRequest());
      expect(result.outcome).toBe('AUTHORIZED');
      expect(unauthorized).toBe(1); // refused once with invalid_token, then retried with a new token
      expect(tokenRequests).toBe(2);
      await lagging.authorize(authorizeRequest());
      expect(tokenRequests).toBe(2); // and the new token is cached
    });

    it('refreshes before expiry when less than 60 s (or 10% of the lifetime) is left', async () => {
      await adapter.authorize(authorizeRequest());
      clock += (PURSE_SIM_DEFAULTS.tokenTtlSeconds - 30) * 1000; // 30 s left
      await adapter.authorize(authorizeRequest());
      expect(tokenRequests).toBe(2);
      expect(unauthorized).toBe(0);
    });

    it('refreshes a short-lived token at 10% of its lifetime', async () => {
      await stop();
      await start({ tokenTtlSeconds: 100 });
      await adapter.authorize(authorizeRequest());
      clock += 85_000;
      await adapter.authorize(authorizeRequest());
      expect(tokenRequests).toBe(1);
      clock += 6_000; // 9 s left < 10 s
      await adapter.authorize(authorizeRequest());
      expect(tokenRequests).toBe(2);
      expect(unauthorized).toBe(0);
    });
  });

  describe('webhooks', () => {
    const nowSeconds = () => Math.floor(clock / 1000);
    const body = () =>
      Buffer.from(
        JSON.stringify({
          id: 'evt_1',
          type: 'PAYMENT_CAPTURE',
          created_at: new Date(clock).toISOString(),
          payment_id: 'pay-1',
          payment_version: 2,
          payment: { id: 'pay-1', order_reference: 'tnd-1' },
        }),
      );
    const sign = (raw: Buffer, secret: string = PURSE_SIM_DEFAULTS.webhookSecret, t = nowSeconds()) => ({
      'purse-signature': signPurseWebhook(secret, raw.toString('utf8'), t),
    });

    it('accepts a genuine event and reduces it to what the worker needs', () => {
      const raw = body();
      expect(adapter.verifyWebhook(raw, sign(raw), account())).toEqual({
        eventId: 'evt_1',
        type: 'PAYMENT_CAPTURE',
        partnerReference: 'pay-1',
        reference: 'tnd-1',
        payload: JSON.parse(raw.toString('utf8')),
      });
      // Header names are case-insensitive.
      expect(
        adapter.verifyWebhook(raw, { 'Purse-Signature': sign(raw)['purse-signature'] }, account()).eventId,
      ).toBe('evt_1');
    });

    it('refuses a tampered body, a wrong secret, a stale or future timestamp and a malformed header', () => {
      const raw = body();
      const headers = sign(raw);
      const tampered = Buffer.from(raw.toString('utf8').replace('pay-1', 'pay-2'));
      const verify =
        (b: Buffer, h: Record<string, string | undefined>, a = account()) =>
        () =>
          adapter.verifyWebhook(b, h, a);
      expect(verify(tampered, headers)).toThrow(WebhookVerificationError);
      expect(verify(raw, sign(raw, 'another-secret'))).toThrow('signature mismatch');
      expect(verify(raw, headers, account({ webhookSecret: 'another-secret' }))).toThrow(
        'signature mismatch',
      );
      expect(verify(raw, sign(raw, undefined, nowSeconds() - 301))).toThrow('tolerance');
      expect(verify(raw, sign(raw, undefined, nowSeconds() + 301))).toThrow('tolerance');
      expect(adapter.verifyWebhook(raw, sign(raw, undefined, nowSeconds() - 299), account()).eventId).toBe(
        'evt_1',
      );
      expect(verify(raw, {})).toThrow('missing');
      expect(verify(raw, headers, account({ webhookSecret: undefined }))).toThrow('no Purse webhook secret');
      let malformed: unknown;
      try {
        adapter.verifyWebhook(raw, { 'purse-signature': 'garbage' }, account());
      } catch (error) {
        malformed = error;
      }
      expect(malformed).toMatchObject({ name: 'WebhookVerificationError', status: 400 });
      let stale: unknown;
      try {
        adapter.verifyWebhook(raw, sign(raw, undefined, nowSeconds() - 600), account());
      } catch (error) {
        stale = error;
      }
      expect(stale).toMatchObject({ name: 'WebhookVerificationError', status: 401 });
    });

    it('verifies a delivery the simulator actually sent', async () => {
      const received: { raw: Buffer; headers: Record<string, string | undefined> }[] = [];
      const receiver = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const headers: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(req.headers)) {
            headers[name] = Array.isArray(value) ? value.join(',') : value;
          }
          received.push({ raw: Buffer.concat(chunks), headers });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      try {
        await stop();
        await start({ webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` });
        const realClock = new PurseAdapter();
        const request = authorizeRequest();
        const { partnerReference } = await realClock.authorize(request);
        await sim.webhooksIdle();
        expect(received).toHaveLength(1);
        const event = realClock.verifyWebhook(received[0].raw, received[0].headers, account());
        expect(event).toMatchObject({
          type: 'PAYMENT_AUTHORIZATION',
          partnerReference,
          reference: request.reference,
        });
      } finally {
        await new Promise<void>((resolve) => receiver.close(() => resolve()));
      }
    });
  });
});
