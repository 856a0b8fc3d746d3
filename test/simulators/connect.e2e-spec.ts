/**
 * Connect simulator over raw HTTP: signature rejection, amount rules, idempotence (key rules, replays,
 * conflicts), the fraud challenge flow, the timeout instrument, settlement (on request, after the
 * default 2 s, rejected captures, refunds refused until settled) and restart from a snapshot.
 */
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import {
  createConnectSimulator,
  rfc1123Date,
  signedRequest,
  type ConnectSimulator,
  type ConnectSimulatorOptions,
  type HoldInfo,
} from '../../apps/simulators/src/connect';

const MERCHANT = '1000';
const KEY_ID = 'tender-sim-key';
const SECRET = 'tender-sim-secret';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

interface CallOptions {
  body?: unknown;
  idempotenceKey?: string;
  apiKeyId?: string;
  secret?: string;
  date?: Date | string;
  signedPath?: string;
  /** Applied after signing (to tamper with what was signed). */
  override?: (headers: Record<string, string>) => void;
  sendBody?: string;
  timeoutMs?: number;
}

async function call(
  base: string,
  method: string,
  urlPath: string,
  options: CallOptions = {},
): Promise<Answer> {
  const { headers, body } = signedRequest({
    method,
    path: urlPath,
    body: options.body,
    apiKeyId: options.apiKeyId ?? KEY_ID,
    secretApiKey: options.secret ?? SECRET,
    idempotenceKey: options.idempotenceKey,
    date: options.date,
    signedPath: options.signedPath,
  });
  options.override?.(headers);
  const response = await fetch(`${base}${urlPath}`, {
    method,
    headers,
    body: options.sendBody ?? body,
    signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // plain text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Polls `check` until it returns a value, or fails after `timeoutMs` (for state, never for time). */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

async function inspect(base: string, urlPath: string, method = 'GET', body?: unknown): Promise<Answer> {
  const response = await fetch(`${base}${urlPath}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

function payment(
  reference: string,
  token: string,
  extra: { amount?: number; currency?: string; requiresApproval?: boolean } = {},
) {
  return {
    order: {
      amountOfMoney: { amount: extra.amount ?? 1000, currencyCode: extra.currency ?? 'EUR' },
      references: { merchantReference: reference },
    },
    cardPaymentMethodSpecificInput: {
      paymentProductId: 1,
      token,
      requiresApproval: extra.requiresApproval ?? true,
    },
  };
}

describe('Connect simulator (raw HTTP)', () => {
  let sim: ConnectSimulator;
  let server: RunningServer;
  let base: string;
  let counter = 0;
  const ref = () => `raw-${++counter}`;

  async function start(options: ConnectSimulatorOptions = {}) {
    sim = createConnectSimulator({ logger: () => undefined, ...options });
    server = await listen(sim.app);
    base = server.url;
  }

  async function stop() {
    await sim.close();
    await server.close();
  }

  async function createPayment(token = 'connect-approve', extra: Parameters<typeof payment>[2] = {}) {
    const answer = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
      body: payment(ref(), token, extra),
    });
    return answer;
  }

  describe('settling only on request (settleDelayMs -1)', () => {
    beforeAll(() => start({ settleDelayMs: -1 }));
    afterAll(stop);

    describe('v1HMAC', () => {
      const getPath = `/v1/${MERCHANT}/payments/000000100000000000990000100001`;

      it('lets a correctly signed request through (404 for an unknown payment, code 400300)', async () => {
        const answer = await call(base, 'GET', getPath);
        expect(answer.status).toBe(404);
        expect(answer.body.errors).toEqual([
          expect.objectContaining({ code: '400300', httpStatusCode: 404 }),
        ]);
      });

      const rejections: Array<[string, CallOptions, string]> = [
        [
          'a missing Authorization header',
          { override: (h) => delete h.Authorization },
          'missing Authorization',
        ],
        ['a missing Date header', { override: (h) => delete h.Date }, 'missing Date'],
        [
          'a Date 20 minutes old',
          { date: new Date(Date.now() - 20 * 60 * 1000) },
          'Date header more than 900s',
        ],
        ['an unknown key id', { apiKeyId: 'who-is-this' }, 'unknown API key id'],
        ['a wrong secret', { secret: 'wrong' }, 'signature mismatch'],
        [
          'a tampered path',
          { signedPath: `/v1/${MERCHANT}/payments/000000100000000000980000100001` },
          'signature mismatch',
        ],
        [
          'a tampered x-gcs header',
          { override: (h) => (h['X-GCS-ServerMetaInfo'] = 'e30=') },
          'signature mismatch',
        ],
        [
          'a wrong authorization type',
          { override: (h) => (h.Authorization = h.Authorization.replace('v1HMAC', 'v2HMAC')) },
          'unsupported',
        ],
      ];
      it.each(rejections)('rejects %s with 403 code 9002', async (_name, options, reason) => {
        const answer = await call(base, 'GET', getPath, options);
        expect(answer.status).toBe(403);
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
        expect(answer.body).toEqual({
          errorId: expect.any(String),
          errors: [
            expect.objectContaining({
              code: '9002',
              id: 'MISSING_OR_INVALID_AUTHORIZATION',
              category: 'CONNECT_PLATFORM_ERROR',
              httpStatusCode: 403,
              message: expect.stringContaining(reason),
            }),
          ],
        });
      });

      it('signs Content-Type and the idempotence key, but (as in Connect) not the body', async () => {
        const body = payment(ref(), 'connect-approve');
        const signedAsText = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body,
          override: (h) => (h['Content-Type'] = 'application/json; charset=utf-8'),
        });
        expect(signedAsText.status).toBe(403);
        const otherKey = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body,
          idempotenceKey: 'k-signed',
          override: (h) => (h['X-GCS-Idempotence-Key'] = 'k-swapped'),
        });
        expect(otherKey.status).toBe(403);
        // v1HMAC covers method, Content-Type, Date, x-gcs headers and path; a changed body still passes
        const changedBody = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body,
          sendBody: JSON.stringify({
            ...body,
            order: { ...body.order, amountOfMoney: { amount: 1, currencyCode: 'EUR' } },
          }),
        });
        expect(changedBody.status).toBe(201);
        expect(changedBody.body.payment.paymentOutput.amountOfMoney.amount).toBe(1);
      });

      it('answers 403 code 9007 for a merchant the key may not use', async () => {
        const answer = await call(base, 'GET', '/v1/4242/payments/000000100000000000990000100001');
        expect(answer.status).toBe(403);
        expect(answer.body.errors).toEqual([
          expect.objectContaining({ code: '9007', id: 'ACCESS_TO_MERCHANT_NOT_ALLOWED' }),
        ]);
      });

      it('counts authentication failures in the books', () => {
        expect(sim.books.state.counters.authFailures).toBeGreaterThanOrEqual(rejections.length);
      });
    });

    describe('amount rules', () => {
      it('captures partially several times, refuses over-capture and capture after the final one', async () => {
        const created = await createPayment();
        const id = created.body.payment.id;
        const capture = (body: unknown) =>
          call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/capture`, { body });
        expect((await capture({ amount: 300 })).status).toBe(200);
        expect((await capture({ amount: 200, isFinal: false })).status).toBe(200);

        const over = await capture({ amount: 501 });
        expect(over.status).toBe(400);
        expect(over.body.errors).toEqual([
          expect.objectContaining({ propertyName: 'amount', httpStatusCode: 400 }),
        ]);

        const final = await capture({ amount: 100, isFinal: true });
        expect(final.status).toBe(200);
        expect(final.body.status).toBe('CAPTURE_REQUESTED');

        const after = await capture({ amount: 1 });
        expect(after.status).toBe(405);
        expect(after.body.errors[0].code).toBe('1100000');

        const books = (await inspect(base, `/_sim/connect/payments/${id}`)).body.transaction;
        expect(books).toMatchObject({
          amountAuthorized: 1000,
          amountCaptured: 600,
          amountCancelled: 400,
          status: 'CAPTURE_REQUESTED',
        });
        expect(books.captures.map((c: { amount: number }) => c.amount)).toEqual([300, 200, 100]);
      });

      it('refuses refunds beyond what was captured, in another currency, or before any capture', async () => {
        const uncaptured = await createPayment();
        const early = await call(
          base,
          'POST',
          `/v1/${MERCHANT}/payments/${uncaptured.body.payment.id}/refund`,
          {
            body: { amountOfMoney: { amount: 100, currencyCode: 'EUR' } },
          },
        );
        expect(early.status).toBe(404);
        expect(early.body.errors[0].code).toBe('300240');

        const created = await createPayment('connect-approve', { requiresApproval: false, amount: 1000 });
        const id = created.body.payment.id;
        expect(created.body.payment.status).toBe('CAPTURE_REQUESTED');
        const refund = (amount: number, currencyCode = 'EUR') =>
          call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/refund`, {
            body: { amountOfMoney: { amount, currencyCode } },
          });

        // captured but not settled: refused like a payment with nothing to refund ([002] 404, 300240)
        const unsettled = await refund(600);
        expect(unsettled.status).toBe(404);
        expect(unsettled.body.errors).toEqual([
          expect.objectContaining({ code: '300240', message: 'GET_ORDERSTATUS ORDER NOT FOUND' }),
        ]);
        expect(sim.books.transaction(sim.books.state.payments[id]).refunds).toHaveLength(0);
        await inspect(base, `/_sim/connect/payments/${id}/settle`, 'POST');

        const first = await refund(600);
        expect(first.status).toBe(201);
        expect(first.headers.get('location')).toBe(`/v1/${MERCHANT}/refunds/${first.body.id}`);
        const located = await call(base, 'GET', first.headers.get('location')!);
        expect(located.body).toMatchObject({ id: first.body.id, status: 'REFUND_REQUESTED' });

        const tooMuch = await refund(401);
        expect(tooMuch.status).toBe(400);
        expect(tooMuch.body.errors).toEqual([
          expect.objectContaining({ propertyName: 'amountOfMoney.amount' }),
        ]);

        const wrongCurrency = await refund(100, 'USD');
        expect(wrongCurrency.status).toBe(400);
        expect(wrongCurrency.body.errors).toEqual([
          expect.objectContaining({ propertyName: 'amountOfMoney.currencyCode' }),
        ]);

        expect((await refund(400)).status).toBe(201);
        expect((await refund(1)).status).toBe(400);
        const books = sim.books.transaction(sim.books.state.payments[id]);
        expect(books).toMatchObject({ amountCaptured: 1000, amountRefunded: 1000 });
        expect(books.refunds).toHaveLength(2);
      });

      it('reports every invalid property of a create request', async () => {
        const answer = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body: {
            order: { amountOfMoney: { amount: -5, currencyCode: 'euro' } },
            cardPaymentMethodSpecificInput: {},
          },
        });
        expect(answer.status).toBe(400);
        expect(answer.body.errors.map((e: { propertyName: string }) => e.propertyName)).toEqual([
          'order.amountOfMoney.amount',
          'order.amountOfMoney.currencyCode',
          'cardPaymentMethodSpecificInput.token',
        ]);
      });

      it('refuses a merchantReference over 30 characters, for payments and refunds', async () => {
        const long = 'x'.repeat(31);
        const create = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body: payment(long, 'connect-approve'),
        });
        expect(create.status).toBe(400);
        expect(create.body.errors).toEqual([
          expect.objectContaining({
            code: '21000020',
            httpStatusCode: 400,
            propertyName: 'order.references.merchantReference',
            message: expect.stringContaining('at most 30 characters'),
          }),
        ]);
        expect(sim.books.transactions(long)).toHaveLength(0);

        const fits = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body: payment('y'.repeat(30), 'connect-approve', { requiresApproval: false }),
        });
        expect(fits.status).toBe(201);
        const id = fits.body.payment.id;
        await inspect(base, `/_sim/connect/payments/${id}/settle`, 'POST');
        const refund = (merchantReference: string) =>
          call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/refund`, {
            body: {
              amountOfMoney: { amount: 100, currencyCode: 'EUR' },
              refundReferences: { merchantReference },
            },
          });
        const tooLong = await refund(long);
        expect(tooLong.status).toBe(400);
        expect(tooLong.body.errors).toEqual([
          expect.objectContaining({ code: '21000020', propertyName: 'refundReferences.merchantReference' }),
        ]);
        expect((await refund('z'.repeat(30))).status).toBe(201);
      });

      it('answers malformed JSON with a Connect-style 400', async () => {
        const answer = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body: {},
          sendBody: '{"order":',
        });
        expect(answer.status).toBe(400);
        expect(answer.body.errors[0]).toMatchObject({ httpStatusCode: 400 });
      });
    });

    describe('idempotence', () => {
      it('answers 1409 while a first request is held in progress, then runs once released', async () => {
        const key = `held-${ref()}`;
        const hold = await inspect(base, '/_sim/connect/idempotence/hold', 'POST', { key });
        expect(hold.status).toBe(200);

        const conflict = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body: payment(ref(), 'connect-approve'),
          idempotenceKey: key,
        });
        expect(conflict.status).toBe(409);
        expect(conflict.body.errors).toHaveLength(1);
        expect(conflict.body.errors[0]).toMatchObject({ code: '1409', httpStatusCode: 409 });
        expect(conflict.headers.get('x-gcs-idempotence-request-timestamp')).toBe(
          String(hold.body.firstTimestampMs),
        );

        expect((await inspect(base, '/_sim/connect/idempotence/release', 'POST', { key })).body).toEqual({
          released: true,
        });
        const run = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body: payment(ref(), 'connect-approve'),
          idempotenceKey: key,
        });
        expect(run.status).toBe(201);
        expect(run.headers.get('x-gcs-idempotence-request-timestamp')).toBeNull();
      });

      it('replays the first answer with the current state of the payment, and counts the hit', async () => {
        const key = `replay-${ref()}`;
        const body = payment(ref(), 'connect-approve');
        const first = await call(base, 'POST', `/v1/${MERCHANT}/payments`, { body, idempotenceKey: key });
        const id = first.body.payment.id;
        await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/cancel`);

        const replay = await call(base, 'POST', `/v1/${MERCHANT}/payments`, { body, idempotenceKey: key });
        expect(replay.status).toBe(201);
        expect(replay.headers.get('location')).toBe(first.headers.get('location'));
        expect(replay.body.payment).toMatchObject({ id, status: 'CANCELLED' });
        expect(Number(replay.headers.get('x-gcs-idempotence-request-timestamp'))).toBeGreaterThan(0);
        expect(sim.books.transaction(sim.books.state.payments[id]).idempotencyHits).toBe(1);
      });

      it('replays a decline (402), and the first answer for the same key whatever the request', async () => {
        const key = `decline-${ref()}`;
        const body = payment(ref(), 'connect-decline');
        const first = await call(base, 'POST', `/v1/${MERCHANT}/payments`, { body, idempotenceKey: key });
        expect(first.status).toBe(402);
        const again = await call(base, 'POST', `/v1/${MERCHANT}/payments`, { body, idempotenceKey: key });
        expect(again.status).toBe(402);
        expect(again.body.paymentResult.payment.id).toBe(first.body.paymentResult.payment.id);

        // "All requests with the same key will be considered attempts for the same request, even if
        // the payload is different": another body (another card, another reference) gets the decline
        const otherBody = payment(ref(), 'connect-approve');
        const other = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body: otherBody,
          idempotenceKey: key,
        });
        expect(other.status).toBe(402);
        expect(other.body.paymentResult.payment.id).toBe(first.body.paymentResult.payment.id);
        expect(Number(other.headers.get('x-gcs-idempotence-request-timestamp'))).toBeGreaterThan(0);
        expect(sim.books.transactions(body.order.references.merchantReference)).toHaveLength(1);
        expect(sim.books.transactions(otherBody.order.references.merchantReference)).toHaveLength(0);
      });

      it('replays a refund under its key whatever the amount asked the second time', async () => {
        const id = (await createPayment('connect-approve', { requiresApproval: false })).body.payment.id;
        await inspect(base, `/_sim/connect/payments/${id}/settle`, 'POST');
        const key = `refund-${ref()}`;
        const refund = (amount: number) =>
          call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/refund`, {
            body: { amountOfMoney: { amount, currencyCode: 'EUR' } },
            idempotenceKey: key,
          });
        const first = await refund(100);
        expect(first.status).toBe(201);
        const second = await refund(200);
        expect(second.status).toBe(201);
        expect(second.body).toMatchObject({
          id: first.body.id,
          refundOutput: { amountOfMoney: { amount: 100 } },
        });
        expect(second.headers.get('x-gcs-idempotence-request-timestamp')).not.toBeNull();
        expect(sim.books.transaction(sim.books.state.payments[id]).refunds).toHaveLength(1);
      });

      it('refuses an idempotence key over 40 characters or not ASCII with a 400, before doing anything', async () => {
        const reference = ref();
        for (const key of ['k'.repeat(41), `tender-${'0'.repeat(32)}-authorize`, 'clé-idempotence']) {
          const answer = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
            body: payment(reference, 'connect-approve'),
            idempotenceKey: key,
          });
          expect(answer.status).toBe(400);
          expect(answer.body).toEqual({
            errorId: expect.any(String),
            errors: [
              expect.objectContaining({
                code: '21000020',
                id: 'REQUEST_PARAMETER_INVALID_VALUE',
                httpStatusCode: 400,
                propertyName: 'X-GCS-Idempotence-Key',
                message: expect.stringContaining('at most 40 ASCII characters'),
              }),
            ],
          });
          expect(sim.books.state.idempotence[`${MERCHANT} ${key}`]).toBeUndefined();
        }
        expect(sim.books.transactions(reference)).toHaveLength(0);
        const fits = await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body: payment(reference, 'connect-approve'),
          idempotenceKey: 'k'.repeat(40),
        });
        expect(fits.status).toBe(201);
      });

      it('keeps the key in the books, scoped to the merchant (expiry after 24 h: see idempotence unit test)', async () => {
        const key = `scoped-${ref()}`;
        await call(base, 'POST', `/v1/${MERCHANT}/payments`, {
          body: payment(ref(), 'connect-approve'),
          idempotenceKey: key,
        });
        const entry = sim.books.state.idempotence[`${MERCHANT} ${key}`];
        expect(entry).toMatchObject({ state: 'done', merchantId: MERCHANT, key });
      });
    });

    describe('fraud challenge', () => {
      it('holds a challenged payment in PENDING_FRAUD_APPROVAL until processchallenged', async () => {
        const created = await createPayment('connect-challenge');
        expect(created.status).toBe(201);
        const challenged = created.body.payment;
        expect(challenged.status).toBe('PENDING_FRAUD_APPROVAL');
        expect(challenged.statusOutput).toMatchObject({
          statusCategory: 'PENDING_MERCHANT',
          isAuthorized: false,
          isCancellable: true,
        });
        expect(challenged.paymentOutput.cardPaymentMethodSpecificOutput.fraudResults.fraudServiceResult).toBe(
          'challenged',
        );
        expect(
          (await call(base, 'POST', `/v1/${MERCHANT}/payments/${challenged.id}/capture`, { body: {} }))
            .status,
        ).toBe(405);

        const released = await call(
          base,
          'POST',
          `/v1/${MERCHANT}/payments/${challenged.id}/processchallenged`,
        );
        expect(released.status).toBe(200);
        expect(released.body).toMatchObject({
          id: challenged.id,
          status: 'PENDING_APPROVAL',
          statusOutput: { statusCode: 600, isAuthorized: true },
        });

        const again = await call(base, 'POST', `/v1/${MERCHANT}/payments/${challenged.id}/processchallenged`);
        expect(again.status).toBe(405);
        expect(again.body.errors[0]).toMatchObject({ code: '1100000', message: 'PAYMENT IS NOT CHALLENGED' });

        const unknown = await call(
          base,
          'POST',
          `/v1/${MERCHANT}/payments/000000100000000099990000100001/processchallenged`,
        );
        expect(unknown.status).toBe(404);
        expect(unknown.body.errors[0].code).toBe('400300');
      });

      it('cancels a challenged payment; without approval it is captured on release', async () => {
        const challenged = (await createPayment('connect-challenge')).body.payment;
        const cancelled = await call(base, 'POST', `/v1/${MERCHANT}/payments/${challenged.id}/cancel`);
        expect(cancelled.body.payment).toMatchObject({
          status: 'CANCELLED',
          statusOutput: { isCancellable: false },
        });

        const auto = (await createPayment('connect-challenge', { requiresApproval: false })).body.payment;
        const released = await call(base, 'POST', `/v1/${MERCHANT}/payments/${auto.id}/processchallenged`);
        expect(released.body.status).toBe('CAPTURE_REQUESTED');
        expect(sim.books.transaction(sim.books.state.payments[auto.id])).toMatchObject({
          amountCaptured: 1000,
        });
      });
    });

    describe('settlement and cancellation of captures', () => {
      it('settles captures and refunds through /_sim, up to a fully refunded payment', async () => {
        const id = (await createPayment('connect-approve', { requiresApproval: false })).body.payment.id;
        const settle = () => inspect(base, `/_sim/connect/payments/${id}/settle`, 'POST');
        expect((await settle()).body.transaction.status).toBe('CAPTURED');
        const captured = await call(base, 'GET', `/v1/${MERCHANT}/payments/${id}`);
        expect(captured.body).toMatchObject({
          status: 'CAPTURED',
          statusOutput: { statusCategory: 'COMPLETED', isCancellable: false, isRefundable: true },
        });

        await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/refund`, {
          body: { amountOfMoney: { amount: 1000, currencyCode: 'EUR' } },
        });
        const settled = (await settle()).body.transaction;
        expect(settled).toMatchObject({
          status: 'REFUNDED',
          refunds: [{ status: 'REFUNDED', amount: 1000 }],
        });
        const refunded = await call(base, 'GET', `/v1/${MERCHANT}/payments/${id}`);
        expect(refunded.body.statusOutput).toMatchObject({ statusCategory: 'REFUNDED', isRefundable: false });
      });

      it('undoes a requested capture with cancelapproval', async () => {
        const id = (await createPayment()).body.payment.id;
        await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/approve`, { body: { amount: 1000 } });
        const undone = await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/cancelapproval`);
        expect(undone.status).toBe(200);
        expect(undone.body.payment.status).toBe('PENDING_APPROVAL');
        expect(sim.books.transaction(sim.books.state.payments[id])).toMatchObject({
          amountCaptured: 0,
          captures: [{ status: 'CANCELLED' }],
        });
      });

      it('releases the rest of a partially captured authorization on cancel', async () => {
        const id = (await createPayment()).body.payment.id;
        await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/capture`, { body: { amount: 250 } });
        const cancelled = await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/cancel`);
        expect(cancelled.body.payment.status).toBe('CAPTURE_REQUESTED');
        expect(sim.books.transaction(sim.books.state.payments[id])).toMatchObject({
          amountCaptured: 250,
          amountCancelled: 750,
        });
      });
    });

    describe('rejected captures', () => {
      it('connect-capture-reject: every capture ends REJECTED_CAPTURE when it settles; a rejected part can be captured again', async () => {
        const id = (await createPayment('connect-capture-reject')).body.payment.id;
        const first = await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/capture`, {
          body: { amount: 400 },
        });
        await inspect(base, `/_sim/connect/payments/${id}/settle`, 'POST');
        const books = sim.books.transaction(sim.books.state.payments[id]);
        expect(books).toMatchObject({ status: 'PENDING_CAPTURE', amountCaptured: 0, amountSettled: 0 });
        expect(books.captures).toEqual([
          expect.objectContaining({ id: first.body.id, status: 'REJECTED_CAPTURE', rejectOnSettle: true }),
        ]);
        const again = await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/capture`, {
          body: { amount: 1000 },
        });
        expect(again.status).toBe(200);
        await inspect(base, `/_sim/connect/payments/${id}/settle`, 'POST');
        expect(sim.books.state.payments[id].status).toBe('REJECTED_CAPTURE');
      });
    });

    describe('inspection', () => {
      it('lists all transactions or those of one reference, and resets', async () => {
        const reference = `inspect-${ref()}`;
        await call(base, 'POST', `/v1/${MERCHANT}/payments`, { body: payment(reference, 'connect-approve') });
        const one = await inspect(base, `/_sim/connect/transactions?reference=${reference}`);
        expect(one.body.transactions).toEqual([
          expect.objectContaining({ merchantReference: reference, status: 'PENDING_APPROVAL' }),
        ]);
        const all = await inspect(base, '/_sim/connect/transactions');
        expect(all.body.transactions.length).toBeGreaterThan(1);
        expect(all.body.counters.idempotencyHits).toBeGreaterThan(0);

        expect((await inspect(base, '/_sim/reset', 'POST')).body).toEqual({ reset: true });
        const after = await inspect(base, '/_sim/connect/transactions');
        expect(after.body.transactions).toEqual([]);
        expect(after.body.counters).toEqual({
          idempotencyHits: 0,
          idempotencyConflicts: 0,
          authFailures: 0,
          injectedFailures: 0,
        });
      });
    });
  });

  describe('refunds that need approval', () => {
    beforeAll(() => start({ refundRequiresApproval: true, settleDelayMs: -1 }));
    afterAll(stop);

    it('approves, undoes and cancels refunds (204, no body)', async () => {
      const id = (await createPayment('connect-approve', { requiresApproval: false })).body.payment.id;
      await inspect(base, `/_sim/connect/payments/${id}/settle`, 'POST');
      const created = await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/refund`, {
        body: { amountOfMoney: { amount: 500, currencyCode: 'EUR' } },
      });
      expect(created.body).toMatchObject({
        status: 'PENDING_APPROVAL',
        statusOutput: { statusCode: 800, isCancellable: true },
      });
      const refundId = created.body.id;
      const approved = await call(base, 'POST', `/v1/${MERCHANT}/refunds/${refundId}/approve`, {
        body: { amount: 400 },
      });
      expect(approved.status).toBe(204);
      expect(approved.body).toBeUndefined();
      expect((await call(base, 'GET', `/v1/${MERCHANT}/refunds/${refundId}`)).body).toMatchObject({
        status: 'REFUND_REQUESTED',
        refundOutput: { amountOfMoney: { amount: 400 } },
      });
      expect((await call(base, 'POST', `/v1/${MERCHANT}/refunds/${refundId}/cancelapproval`)).status).toBe(
        204,
      );
      expect((await call(base, 'POST', `/v1/${MERCHANT}/refunds/${refundId}/cancel`)).status).toBe(204);
      expect((await call(base, 'GET', `/v1/${MERCHANT}/refunds/${refundId}`)).body.status).toBe('CANCELLED');
      expect(
        (await call(base, 'POST', `/v1/${MERCHANT}/refunds/${refundId}/approve`, { body: {} })).status,
      ).toBe(405);
      expect(sim.books.transaction(sim.books.state.payments[id]).amountRefunded).toBe(0);
    });
  });

  describe('timeout instrument', () => {
    beforeAll(() => start({ timeoutDelayMs: 1000 }));
    afterAll(stop);

    it('books the payment, holds the answer past the client timeout, answers 1409 meanwhile, then replays', async () => {
      const reference = `timeout-${ref()}`;
      const key = `timeout-key-${reference}`;
      const body = payment(reference, 'connect-timeout');
      const held = once(sim.events, 'hold') as Promise<[HoldInfo]>;
      const released = once(sim.events, 'release') as Promise<[HoldInfo]>;

      const first = call(base, 'POST', `/v1/${MERCHANT}/payments`, {
        body,
        idempotenceKey: key,
        timeoutMs: 150,
      });
      const [info] = await held;
      expect(info.idempotenceKey).toBe(key);
      expect(sim.books.transactions(reference)).toEqual([
        expect.objectContaining({ paymentId: info.paymentId, status: 'PENDING_APPROVAL' }),
      ]);

      await expect(first).rejects.toThrow(); // the client gave up before the answer

      const duringHold = await call(base, 'POST', `/v1/${MERCHANT}/payments`, { body, idempotenceKey: key });
      expect(duringHold.status).toBe(409);
      expect(duringHold.body.errors).toEqual([expect.objectContaining({ code: '1409' })]);

      await released;
      const replay = await call(base, 'POST', `/v1/${MERCHANT}/payments`, { body, idempotenceKey: key });
      expect(replay.status).toBe(201);
      expect(replay.body.payment.id).toBe(info.paymentId);
      expect(replay.headers.get('x-gcs-idempotence-request-timestamp')).not.toBeNull();
      expect(sim.books.transactions(reference)).toHaveLength(1);
    });
  });

  describe('with default options: captures and refunds settle after 2 s', () => {
    beforeAll(() => start());
    afterAll(stop);

    it('keeps a capture CAPTURE_REQUESTED, and refuses refunds, until it settles by itself', async () => {
      const id = (await createPayment()).body.payment.id;
      const requestedAt = Date.now();
      const capture = await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/capture`, {
        body: { amount: 1000 },
      });
      expect(capture.body.status).toBe('CAPTURE_REQUESTED');
      const refund = () =>
        call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/refund`, {
          body: { amountOfMoney: { amount: 100, currencyCode: 'EUR' } },
        });
      const early = await refund();
      expect(early.status).toBe(404);
      expect(early.body.errors[0].code).toBe('300240');

      const captured = await eventually(async () => {
        const got = await call(base, 'GET', `/v1/${MERCHANT}/captures/${capture.body.id}`);
        return got.body.status === 'CAPTURED' ? got.body : undefined;
      }, 6000);
      expect(Date.now() - requestedAt).toBeGreaterThanOrEqual(1900);
      expect(captured.captureOutput).toMatchObject({ amountPaid: 1000 });
      expect((await call(base, 'GET', `/v1/${MERCHANT}/payments/${id}`)).body).toMatchObject({
        status: 'CAPTURED',
        statusOutput: { statusCategory: 'COMPLETED', isRefundable: true },
      });

      const late = await refund();
      expect(late.status).toBe(201);
      expect(late.body.status).toBe('REFUND_REQUESTED');
      // POST /_sim/connect/payments/{id}/settle does not wait for the delay
      expect(
        (await inspect(base, `/_sim/connect/payments/${id}/settle`, 'POST')).body.transaction,
      ).toMatchObject({
        refunds: [{ status: 'REFUNDED', amount: 100 }],
      });
    });
  });

  describe('captureRejectRate 1', () => {
    beforeAll(() => start({ settleDelayMs: -1, captureRejectRate: 1 }));
    afterAll(stop);

    it('ends every capture REJECTED_CAPTURE with captureRejectRate 1; nothing becomes refundable', async () => {
      const id = (await createPayment()).body.payment.id;
      const capture = await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/capture`, {
        body: { amount: 1000 },
      });
      expect(capture.body.status).toBe('CAPTURE_REQUESTED');
      await inspect(base, `/_sim/connect/payments/${id}/settle`, 'POST');
      expect((await call(base, 'GET', `/v1/${MERCHANT}/captures/${capture.body.id}`)).body).toMatchObject({
        status: 'REJECTED_CAPTURE',
        statusOutput: { statusCode: 1100 },
        captureOutput: { amountPaid: 0 },
      });
      expect((await call(base, 'GET', `/v1/${MERCHANT}/payments/${id}`)).body).toMatchObject({
        status: 'REJECTED_CAPTURE',
        paymentOutput: { amountPaid: 0 },
        statusOutput: { statusCategory: 'UNSUCCESSFUL', isRefundable: false, isCancellable: false },
      });
      const refund = await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/refund`, {
        body: { amountOfMoney: { amount: 100, currencyCode: 'EUR' } },
      });
      expect(refund.status).toBe(404);
    });
  });

  describe('automatic settlement', () => {
    beforeAll(() => start({ settleDelayMs: 10 }));
    afterAll(stop);

    it('settles requested captures and refunds by itself after settleDelayMs', async () => {
      const created = await createPayment('connect-approve', { requiresApproval: false });
      const id = created.body.payment.id;
      expect(created.body.payment.status).toBe('CAPTURE_REQUESTED');
      // resolves at once if the payment is there already, else on the books' change notification
      const settled = (status: string) =>
        new Promise<void>((resolve) => {
          if (sim.books.state.payments[id].status === status) return resolve();
          sim.books.onChange((change) => {
            if (change.type === 'payment' && change.id === id && change.status === status) resolve();
          });
        });
      await settled('CAPTURED');
      const captures = await call(base, 'GET', `/v1/${MERCHANT}/payments/${id}/captures`);
      expect(captures.body.captures).toEqual([expect.objectContaining({ status: 'CAPTURED' })]);

      const captureId = captures.body.captures[0].id;
      const capture = await call(base, 'GET', `/v1/${MERCHANT}/captures/${captureId}`);
      expect(capture.body).toMatchObject({ id: captureId, captureOutput: { amountPaid: 1000 } });
      const refund = await call(base, 'POST', `/v1/${MERCHANT}/captures/${captureId}/refund`, {
        body: { amountOfMoney: { amount: 1000, currencyCode: 'EUR' } },
      });
      expect(refund.status).toBe(201);
      await settled('REFUNDED');
      expect((await call(base, 'GET', `/v1/${MERCHANT}/refunds/${refund.body.id}`)).body.status).toBe(
        'REFUNDED',
      );
    });
  });

  describe('failure injection', () => {
    beforeAll(() => start({ failureRate: 1 }));
    afterAll(stop);

    it('answers 500 before doing anything, but never on /_sim', async () => {
      const answer = await createPayment();
      expect(answer.status).toBe(500);
      expect(answer.body.errors[0]).toMatchObject({ code: '9999', category: 'IO_ERROR' });
      const books = await inspect(base, '/_sim/connect/transactions');
      expect(books.body).toMatchObject({ transactions: [], counters: { injectedFailures: 1 } });
    });
  });

  describe('restart from a snapshot', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-sim-'));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('comes back with the same payments and idempotence keys; what was queued still settles', async () => {
      const snapshotFile = path.join(dir, 'connect.json');
      await start({ snapshotFile, settleDelayMs: -1 });
      const key = `snapshot-${ref()}`;
      const body = payment(ref(), 'connect-approve');
      const created = await call(base, 'POST', `/v1/${MERCHANT}/payments`, { body, idempotenceKey: key });
      const id = created.body.payment.id;
      await call(base, 'POST', `/v1/${MERCHANT}/payments/${id}/capture`, { body: { amount: 400 } });
      await stop();
      expect(fs.existsSync(snapshotFile)).toBe(true);

      await start({ snapshotFile, settleDelayMs: 50 });
      try {
        const got = await call(base, 'GET', `/v1/${MERCHANT}/payments/${id}`);
        expect(got.status).toBe(200);
        expect(got.body).toMatchObject({ id, status: 'PENDING_CAPTURE' });
        // the capture requested before the restart settles after it
        const settled = await eventually(async () => {
          const captures = await call(base, 'GET', `/v1/${MERCHANT}/payments/${id}/captures`);
          return captures.body.captures[0].status === 'CAPTURED' ? captures.body.captures[0] : undefined;
        }, 5000);
        expect(settled.captureOutput).toMatchObject({ amountPaid: 400 });
        const replay = await call(base, 'POST', `/v1/${MERCHANT}/payments`, { body, idempotenceKey: key });
        expect(replay.body.payment.id).toBe(id);
        expect(replay.headers.get('x-gcs-idempotence-request-timestamp')).not.toBeNull();
        const next = await createPayment();
        expect(next.body.payment.id).not.toBe(id); // the id sequence continues
      } finally {
        await stop();
      }
    });
  });

  describe('date header', () => {
    beforeAll(() => start({ dateSkewSeconds: 5, now: () => new Date('2030-01-01T00:00:00Z') }));
    afterAll(stop);

    it('measures the skew against the simulator clock', async () => {
      const onTime = await call(base, 'GET', `/v1/${MERCHANT}/services/testconnection`, {
        date: rfc1123Date(new Date('2030-01-01T00:00:04Z')),
      });
      expect(onTime).toMatchObject({ status: 200, body: { result: 'OK' } });
      const late = await call(base, 'GET', `/v1/${MERCHANT}/services/testconnection`, {
        date: rfc1123Date(new Date('2030-01-01T00:00:06Z')),
      });
      expect(late.status).toBe(403);
    });
  });
});
