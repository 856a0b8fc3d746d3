import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import {
  createPurseSimulator,
  PURSE_SIGNATURE_HEADER,
  verifyPurseWebhook,
  type PurseSimulator,
  type PurseSimulatorOptions,
} from '../../apps/simulators/src/purse';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(
  base: string,
  method: string,
  urlPath: string,
  init: {
    token?: string;
    json?: unknown;
    form?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  if (init.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  const response = await fetch(`${base}${urlPath}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const CLIENT = basic('tender-sim-purse', 'tender-sim-purse-secret');

function paymentRequest(
  overrides: Record<string, unknown> = {},
  tokens = ['purse-approve', 'purse-approve'],
) {
  return {
    entity_id: '5e3a0862-7cc3-4427-92ba-9e1e9595f571',
    amount: 4299,
    currency: 'EUR',
    capture_mode: 'MANUAL',
    order: {
      reference: `order-${Math.random().toString(36).slice(2)}`,
      additional_data: { payment_method_tokens: tokens },
    },
    split: [
      { partner: 'easy2play', method: 'giftcard', amount: 2000 },
      { partner: 'dalenys', method: 'creditcard', amount: 2299 },
    ],
    ...overrides,
  };
}

describe('Purse simulator (e2e)', () => {
  let sim: PurseSimulator;
  let server: RunningServer;
  let base: string;
  let token: string;
  let clock: number;

  async function start(options: PurseSimulatorOptions = {}) {
    sim = createPurseSimulator({ now: () => new Date(clock), ...options });
    server = await listen(sim.app);
    base = server.url;
    const answer = await call(base, 'POST', '/oauth2/token', {
      headers: { Authorization: CLIENT },
      form: { grant_type: 'client_credentials' },
    });
    token = answer.body.access_token;
  }

  async function stop() {
    sim.close();
    await server.close();
  }

  beforeEach(async () => {
    clock = Date.parse('2025-03-01T10:00:00Z');
    await start();
  });
  afterEach(stop);

  describe('OAuth2 token', () => {
    it('issues a bearer token for good Basic credentials', async () => {
      const answer = await call(base, 'POST', '/oauth2/token', {
        headers: { Authorization: CLIENT },
        form: { grant_type: 'client_credentials', scope: 'payments' },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'payments',
      });
    });

    it('accepts credentials in the form body', async () => {
      const answer = await call(base, 'POST', '/oauth2/token', {
        form: {
          grant_type: 'client_credentials',
          client_id: 'tender-sim-purse',
          client_secret: 'tender-sim-purse-secret',
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.token_type).toBe('Bearer');
    });

    it('refuses bad credentials with 401 invalid_client', async () => {
      const answer = await call(base, 'POST', '/oauth2/token', {
        headers: { Authorization: basic('tender-sim-purse', 'wrong') },
        form: { grant_type: 'client_credentials' },
      });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(answer.body.error).toBe('invalid_client');
    });

    it('refuses another grant type with 400 unsupported_grant_type', async () => {
      const answer = await call(base, 'POST', '/oauth2/token', {
        headers: { Authorization: CLIENT },
        form: { grant_type: 'password' },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('unsupported_grant_type');
    });

    it('refuses the API without a token, with an unknown token and with an expired token', async () => {
      expect((await call(base, 'GET', '/v2/payments/x')).status).toBe(401);
      expect((await call(base, 'GET', '/v2/payments/x', { token: 'nope' })).status).toBe(401);
      expect((await call(base, 'GET', '/v2/payments/x', { token })).status).toBe(404);
      clock += 3600 * 1000;
      const expired = await call(base, 'GET', '/v2/payments/x', { token });
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
      expect(expired.body).toMatchObject({ status: 401, detail: 'access token expired' });
    });

    it('honours a tiny configured expires_in', async () => {
      await stop();
      await start({ tokenTtlSeconds: 2 });
      const issued = await call(base, 'POST', '/oauth2/token', {
        headers: { Authorization: CLIENT },
        form: { grant_type: 'client_credentials' },
      });
      expect(issued.body.expires_in).toBe(2);
      clock += 1999;
      expect((await call(base, 'GET', '/v2/payments/x', { token: issued.body.access_token })).status).toBe(
        404,
      );
      clock += 1;
      expect((await call(base, 'GET', '/v2/payments/x', { token: issued.body.access_token })).status).toBe(
        401,
      );
    });
  });

  describe('payments', () => {
    it('creates an authorized payment in the seed shape', async () => {
      const answer = await call(base, 'POST', '/v2/payments', { token, json: paymentRequest() });
      expect(answer.status).toBe(201);
      const payment = answer.body;
      expect(answer.headers.get('location')).toBe(`/v2/payments/${payment.id}`);
      expect(Object.keys(payment)).toEqual(
        expect.arrayContaining([
          'id',
          'version',
          'created_at',
          'entity_id',
          'amount',
          'currency',
          'capture_mode',
          'amounts',
          'overview',
          'split',
          'authorization',
          'captures',
          'voids',
          'refunds',
          'links',
        ]),
      );
      expect(payment).toMatchObject({
        version: 1,
        created_at: '2025-03-01T10:00:00.000Z',
        amount: 4299,
        currency: 'EUR',
        capture_mode: 'MANUAL',
        amounts: {
          authorize_pending: 0,
          total_authorized: 4299,
          total_captured: 0,
          total_voided: 0,
          total_refunded: 0,
          available_to_capture: 4299,
          available_to_void: 4299,
          available_to_refund: 0,
        },
        overview: { consumed: 'NOT', captured: 'NOT', voided: 'NOT', refunded: 'NOT' },
        split: [
          { partner: 'easy2play', method: 'giftcard', amount: 2000 },
          { partner: 'dalenys', method: 'creditcard', amount: 2299 },
        ],
        authorization: { status: 'AUTHORIZED' },
        captures: [],
        voids: [],
        refunds: [],
        links: {
          self: { href: `/v2/payments/${payment.id}`, method: 'GET' },
          capture: { href: `/v2/payments/${payment.id}/captures`, method: 'POST' },
          void: { href: `/v2/payments/${payment.id}/voids`, method: 'POST' },
        },
      });
      expect(payment.authorization.partner_transactions).toHaveLength(2);
      expect(payment.authorization.partner_transactions[0]).toMatchObject({
        status: 'AUTHORIZED',
        amount: 2000,
        partner: 'easy2play',
        method: 'giftcard',
        partner_status: '0000',
      });
      const fetched = await call(base, 'GET', `/v2/payments/${payment.id}`, { token });
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(payment);
    });

    it('answers a decline with 201 and authorization.status REFUSED', async () => {
      const answer = await call(base, 'POST', '/v2/payments', {
        token,
        json: paymentRequest({}, ['purse-approve', 'purse-decline']),
      });
      expect(answer.status).toBe(201);
      expect(answer.body.authorization.status).toBe('REFUSED');
      expect(answer.body.authorization.partner_transactions.map((t: { status: string }) => t.status)).toEqual(
        ['CANCELLED', 'REFUSED'],
      );
      expect(answer.body.authorization.partner_transactions[1]).toMatchObject({
        partner_status: '05',
        partner_status_description: 'Refused by issuer',
      });
      expect(answer.body.amounts.total_authorized).toBe(0);
      const capture = await call(base, 'POST', `/v2/payments/${answer.body.id}/captures`, {
        token,
        json: { amount: 100, merchant_reference: 'CAP#x' },
      });
      expect(capture.status).toBe(400);
      expect(capture.body.type).toBe('urn:purse:problem:payment-not-authorized');
    });

    it('declines an unknown token', async () => {
      const answer = await call(base, 'POST', '/v2/payments', {
        token,
        json: paymentRequest({}, ['who-knows', 'purse-approve']),
      });
      expect(answer.body.authorization.status).toBe('REFUSED');
    });

    it('captures immediately under capture_mode AUTOMATIC', async () => {
      const answer = await call(base, 'POST', '/v2/payments', {
        token,
        json: paymentRequest({ capture_mode: 'AUTOMATIC' }),
      });
      expect(answer.body.amounts).toMatchObject({ total_captured: 4299, available_to_refund: 4299 });
      expect(answer.body.overview.captured).toBe('FULLY');
      expect(answer.body.captures[0]).toMatchObject({ triggered_by: 'SYSTEM', status: 'SUCCESS' });
    });

    it('refuses a malformed request with a 400 problem listing the fields', async () => {
      const answer = await call(base, 'POST', '/v2/payments', {
        token,
        json: paymentRequest({ amount: 5000, currency: 'euro' }),
      });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({
        type: 'urn:purse:problem:invalid-request',
        title: 'Bad request',
        status: 400,
      });
      expect(answer.body.invalid_params.map((p: { name: string }) => p.name)).toEqual(['currency']);
      const sum = await call(base, 'POST', '/v2/payments', { token, json: paymentRequest({ amount: 5000 }) });
      expect(sum.body.invalid_params).toEqual([
        { name: 'split', reason: 'split amounts add up to 4299, amount is 5000' },
      ]);
      const broken = await fetch(`${base}/v2/payments`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{"amount":',
      });
      expect(broken.status).toBe(400);
      expect(((await broken.json()) as { title: string }).title).toBe('Bad request');
    });

    it('answers 404 for an unknown payment', async () => {
      const answer = await call(base, 'POST', '/v2/payments/nope/captures', {
        token,
        json: { amount: 1, merchant_reference: 'x' },
      });
      expect(answer.status).toBe(404);
      expect(answer.body.type).toBe('urn:purse:problem:not-found');
    });
  });

  describe('captures, voids, refunds and amount rules', () => {
    it('walks a payment through partial capture, void, refund with the seed amounts', async () => {
      const created = (await call(base, 'POST', '/v2/payments', { token, json: paymentRequest() })).body;
      const id = created.id;

      const tooMuch = await call(base, 'POST', `/v2/payments/${id}/captures`, {
        token,
        json: { amount: 4300, merchant_reference: 'CAP#0' },
      });
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body).toMatchObject({
        type: 'urn:purse:problem:amount-not-available',
        status: 400,
        detail: 'capture amount 4300 exceeds available_to_capture 4299',
      });

      const refundBeforeCapture = await call(base, 'POST', `/v2/payments/${id}/refunds`, {
        token,
        json: { amount: 1, merchant_reference: 'REF#0' },
      });
      expect(refundBeforeCapture.status).toBe(400);

      const captured = await call(base, 'POST', `/v2/payments/${id}/captures`, {
        token,
        json: { amount: 3000, merchant_reference: 'CAP#1223445', order: { additional_data: {} } },
      });
      expect(captured.status).toBe(201);
      // the seed's line-53 example, exactly
      expect(captured.body.amounts).toEqual({
        authorize_pending: 0,
        total_authorized: 4299,
        total_voided: 0,
        available_to_void: 1299,
        total_captured: 3000,
        available_to_capture: 1299,
        total_refunded: 0,
        available_to_refund: 3000,
      });
      expect(captured.body.overview).toEqual({
        consumed: 'PARTIALLY',
        captured: 'PARTIALLY',
        voided: 'NOT',
        refunded: 'NOT',
      });
      expect(captured.body.version).toBe(2);
      const capture = captured.body.captures[0];
      expect(capture).toMatchObject({
        id: expect.any(String),
        amount: 3000,
        created_at: expect.any(String),
        updated_at: expect.any(String),
        triggered_by: 'MERCHANT',
        merchant_reference: 'CAP#1223445',
        status: 'SUCCESS',
        order: { additional_data: {} },
      });
      expect(
        capture.partner_transactions.map((t: { partner: string; amount: number }) => [t.partner, t.amount]),
      ).toEqual([
        ['easy2play', 2000],
        ['dalenys', 1000],
      ]);

      const voidTooMuch = await call(base, 'POST', `/v2/payments/${id}/voids`, {
        token,
        json: { amount: 1300, merchant_reference: 'VOID#0' },
      });
      expect(voidTooMuch.status).toBe(400);
      const voided = await call(base, 'POST', `/v2/payments/${id}/voids`, {
        token,
        json: { amount: 1299, merchant_reference: 'VOID#1' },
      });
      expect(voided.status).toBe(201);
      expect(voided.body.amounts).toMatchObject({
        total_voided: 1299,
        available_to_capture: 0,
        available_to_void: 0,
      });
      expect(voided.body.overview).toMatchObject({ consumed: 'FULLY', voided: 'PARTIALLY' });
      expect(voided.body.links.capture).toBeUndefined();

      const refundTooMuch = await call(base, 'POST', `/v2/payments/${id}/refunds`, {
        token,
        json: { amount: 3001, merchant_reference: 'REF#0' },
      });
      expect(refundTooMuch.status).toBe(400);
      expect(refundTooMuch.body.detail).toBe('refund amount 3001 exceeds available_to_refund 3000');
      await call(base, 'POST', `/v2/payments/${id}/refunds`, {
        token,
        json: { amount: 1000, merchant_reference: 'REF#1' },
      });
      const refunded = await call(base, 'POST', `/v2/payments/${id}/refunds`, {
        token,
        json: { amount: 2000, merchant_reference: 'REF#2' },
      });
      expect(refunded.body.amounts).toMatchObject({ total_refunded: 3000, available_to_refund: 0 });
      expect(refunded.body.overview.refunded).toBe('FULLY');
      expect(refunded.body.refunds).toHaveLength(2);
      expect(refunded.body.version).toBe(5);

      const books = await call(base, 'GET', `/_sim/purse/transactions?reference=${created.order.reference}`);
      expect(books.body.transactions).toHaveLength(1);
      expect(books.body.transactions[0]).toMatchObject({
        payment_id: id,
        held: 0,
        authorized: 4299,
        captured: 3000,
        voided: 1299,
        refunded: 3000,
      });
      const byOperation = await call(
        base,
        'GET',
        `/_sim/purse/transactions?reference=${encodeURIComponent('REF#2')}`,
      );
      expect(byOperation.body.transactions.map((t: { payment_id: string }) => t.payment_id)).toEqual([id]);
    });

    it('rejects an operation without amount or merchant_reference with 400', async () => {
      const created = (await call(base, 'POST', '/v2/payments', { token, json: paymentRequest() })).body;
      const answer = await call(base, 'POST', `/v2/payments/${created.id}/captures`, {
        token,
        json: { amount: 0 },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.invalid_params.map((p: { name: string }) => p.name)).toEqual([
        'amount',
        'merchant_reference',
      ]);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the same answer for the same key and body, and answers 409 for a different body', async () => {
      const body = paymentRequest();
      const headers = { 'Idempotency-Key': 'create-1' };
      const first = await call(base, 'POST', '/v2/payments', { token, json: body, headers });
      const second = await call(base, 'POST', '/v2/payments', { token, json: body, headers });
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('idempotent-replayed')).toBe('true');

      const conflict = await call(base, 'POST', '/v2/payments', {
        token,
        json: { ...body, amount: 4298, split: [{ ...body.split[0], amount: 1999 }, body.split[1]] },
        headers,
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body).toMatchObject({
        type: 'urn:purse:problem:idempotency-violation',
        title: 'Conflict - Idempotency violation',
        status: 409,
      });

      const captureHeaders = { 'Idempotency-Key': 'capture-1' };
      const capture = { amount: 1000, merchant_reference: 'CAP#1' };
      const c1 = await call(base, 'POST', `/v2/payments/${first.body.id}/captures`, {
        token,
        json: capture,
        headers: captureHeaders,
      });
      const c2 = await call(base, 'POST', `/v2/payments/${first.body.id}/captures`, {
        token,
        json: capture,
        headers: captureHeaders,
      });
      expect(c2.body).toEqual(c1.body);
      expect(c2.body.amounts.total_captured).toBe(1000);
      const c3 = await call(base, 'POST', `/v2/payments/${first.body.id}/captures`, {
        token,
        json: { ...capture, amount: 999 },
        headers: captureHeaders,
      });
      expect(c3.status).toBe(409);

      const books = await call(base, 'GET', `/_sim/purse/transactions?reference=${body.order.reference}`);
      expect(books.body.transactions).toHaveLength(1);
      expect(books.body.transactions[0]).toMatchObject({ captured: 1000, idempotency_hits: 2 });
      expect((await call(base, 'GET', '/_sim/purse/stats')).body).toMatchObject({
        payments: 1,
        idempotency_hits: 2,
      });
    });

    it('books twice without a key', async () => {
      const body = paymentRequest();
      await call(base, 'POST', '/v2/payments', { token, json: body });
      await call(base, 'POST', '/v2/payments', { token, json: body });
      const books = await call(base, 'GET', `/_sim/purse/transactions?reference=${body.order.reference}`);
      expect(books.body.transactions).toHaveLength(2);
    });
  });

  describe('simulator controls', () => {
    it('resets the books', async () => {
      const body = paymentRequest();
      const created = await call(base, 'POST', '/v2/payments', { token, json: body });
      expect((await call(base, 'POST', '/_sim/reset')).status).toBe(200);
      expect((await call(base, 'GET', `/_sim/purse/payments/${created.body.id}`)).status).toBe(404);
      expect((await call(base, 'GET', '/_sim/purse/stats')).body.payments).toBe(0);
      // tokens are books too
      expect((await call(base, 'GET', `/v2/payments/${created.body.id}`, { token })).status).toBe(401);
    });

    it('keeps its books (payments and tokens) across a restart with a snapshot file', async () => {
      await stop();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'purse-sim-'));
      const snapshotFile = path.join(dir, 'purse.json');
      try {
        await start({ snapshotFile });
        const created = await call(base, 'POST', '/v2/payments', { token, json: paymentRequest() });
        await call(base, 'POST', `/v2/payments/${created.body.id}/captures`, {
          token,
          json: { amount: 500, merchant_reference: 'CAP#1' },
          headers: { 'Idempotency-Key': 'k' },
        });
        const savedToken = token;
        await stop(); // close() flushes the snapshot

        await start({ snapshotFile });
        const again = await call(base, 'GET', `/v2/payments/${created.body.id}`, { token: savedToken });
        expect(again.status).toBe(200);
        expect(again.body.amounts.total_captured).toBe(500);
        const replay = await call(base, 'POST', `/v2/payments/${created.body.id}/captures`, {
          token: savedToken,
          json: { amount: 500, merchant_reference: 'CAP#1' },
          headers: { 'Idempotency-Key': 'k' },
        });
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.body.amounts.total_captured).toBe(500);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('injects a transient 502 Bad Gateway before doing anything when failureRate is 1', async () => {
      await stop();
      await start({ failureRate: 1 });
      const answer = await call(base, 'POST', '/v2/payments', { token: 'whatever', json: paymentRequest() });
      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({ type: 'urn:purse:problem:bad-gateway', title: 'Bad Gateway' });
      expect((await call(base, 'GET', '/_sim/purse/stats')).body.payments).toBe(0);
    });
  });

  describe('webhooks', () => {
    it('posts a signed event for each payment change', async () => {
      const received: { headers: http.IncomingHttpHeaders; raw: string }[] = [];
      let expected = 0;
      let done: () => void = () => undefined;
      const receiver = http.createServer((req, res) => {
        let raw = '';
        req.on('data', (chunk) => (raw += chunk));
        req.on('end', () => {
          received.push({ headers: req.headers, raw });
          res.writeHead(204).end();
          if (received.length >= expected) done();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      try {
        await stop();
        await start({ webhookUrl: hookUrl, webhookSecret: 'whsec' });
        expected = 2;
        const arrived = new Promise<void>((resolve) => (done = resolve));
        const created = await call(base, 'POST', '/v2/payments', { token, json: paymentRequest() });
        await call(base, 'POST', `/v2/payments/${created.body.id}/captures`, {
          token,
          json: { amount: 100, merchant_reference: 'CAP#1' },
        });
        await arrived;
        await sim.webhooksIdle();
        const events = received
          .map((r) => JSON.parse(r.raw))
          .sort((a, b) => a.payment_version - b.payment_version);
        expect(events.map((e) => e.type)).toEqual(['PAYMENT_AUTHORIZATION', 'PAYMENT_CAPTURE']);
        expect(events[1]).toMatchObject({ payment_id: created.body.id, payment_version: 2 });
        expect(events[1].payment.amounts.total_captured).toBe(100);
        for (const r of received) {
          const signature = r.headers[PURSE_SIGNATURE_HEADER.toLowerCase()] as string;
          expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
          expect(verifyPurseWebhook('whsec', r.raw, signature)).toBe(true);
          expect(verifyPurseWebhook('other', r.raw, signature)).toBe(false);
        }
        expect(sim.webhookDeliveries().map((d) => d.status)).toEqual(['delivered', 'delivered']);
      } finally {
        await new Promise((resolve) => receiver.close(resolve));
      }
    });
  });
});
