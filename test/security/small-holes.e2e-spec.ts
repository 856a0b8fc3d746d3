import { Database } from '@tender/persistence';
import { TestStack } from '../support/stack';

/** Issue #12 item 7: the smaller holes, each checked against the real API. */
describe('smaller holes (issue #12 item 7)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ simulators: false });
  });
  afterAll(() => stack.close());

  const rows = () => Promise.all([stack.prisma.payment.count(), stack.prisma.partnerTransaction.count()]);

  describe('merchant-initiated charges (parent_payment_id) need back_office', () => {
    const mit = (parent = '00000000-0000-4000-8000-000000000000') => ({
      amount: 500,
      currency: 'EUR',
      split: [{ amount: 500, parent_payment_id: parent }],
    });

    it('refuses them to a front-office token: 403 insufficient_scope naming the field, nothing written', async () => {
      const before = await rows();
      const answer = await stack.request('POST', '/v2/payments', { token: stack.frontOffice, body: mit() });
      expect(answer.status).toBe(403);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status: 403, code: 'insufficient_scope' });
      expect(answer.body.detail).toContain('split[0].parent_payment_id');
      expect(answer.body.detail).toContain('back_office');
      expect(await rows()).toEqual(before);
    });

    it('lets a back-office token through the scope check (the unknown parent is then a 4xx of its own)', async () => {
      const answer = await stack.request('POST', '/v2/payments', { token: stack.backOffice, body: mit() });
      expect(answer.status).not.toBe(403);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(JSON.stringify(answer.body)).toContain('split[0].parent_payment_id');
    });
  });

  describe('partner webhook bodies are limited to 64 KB', () => {
    const padded = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes - 10) });

    it.each(['connect', 'purse', 'CONNECT', 'purse/'])(
      'answers 413 problem+json to a body over 64 KB at /v2/webhooks/%s',
      async (partner) => {
        const answer = await stack.request('POST', `/v2/webhooks/${partner}`, {
          rawBody: padded(65 * 1024),
          headers: { 'content-type': 'application/json' },
        });
        expect(answer.status).toBe(413);
        expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(answer.body).toMatchObject({
          code: 'payload_too_large',
          detail: expect.stringContaining('64 KB'),
        });
      },
    );

    it('reads a body under 64 KB (then refuses its missing signature: 4xx, not 413)', async () => {
      const answer = await stack.request('POST', '/v2/webhooks/connect', {
        rawBody: padded(60 * 1024),
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.status).not.toBe(413);
    });

    it('keeps the 1 MB limit of merchant-facing bodies', async () => {
      const body = padded(200 * 1024);
      const under = await stack.request('POST', '/v2/client-sessions', {
        token: stack.frontOffice,
        rawBody: body,
        headers: { 'content-type': 'application/json' },
      });
      expect(under.status).toBe(400); // read, then refused by validation (unknown field pad)
      const over = await stack.request('POST', '/v2/client-sessions', {
        token: stack.frontOffice,
        rawBody: padded(1100 * 1024),
        headers: { 'content-type': 'application/json' },
      });
      expect(over.status).toBe(413);
      expect(over.body.detail).toContain('1 MB');
    });
  });

  describe('/health/ready says ok or down, never the driver error', () => {
    afterEach(() => jest.restoreAllMocks());

    it('is ok with both dependencies up', async () => {
      const answer = await stack.request('GET', '/health/ready');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
    });

    it('answers 503 with postgres: down and no host, port or message when Postgres fails', async () => {
      jest
        .spyOn(stack.api.get(Database), 'query')
        .mockRejectedValue(new Error('connect ECONNREFUSED 10.9.8.7:5432 for user "tender_admin"'));
      const answer = await stack.request('GET', '/health/ready');
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ status: 503, checks: { postgres: 'down', redis: 'ok' } });
      expect(answer.text).not.toMatch(/ECONNREFUSED|10\.9\.8\.7|5432|tender_admin/);
    });
  });

  describe('an expired idempotency key never replays', () => {
    const post = (key: string, body: unknown) =>
      stack.request('POST', '/v2/payments', {
        token: stack.frontOffice,
        body,
        headers: { 'idempotency-key': key },
      });

    it('runs the request afresh once expires_at has passed, though housekeeping has not purged the key', async () => {
      const key = `expired-${Date.now()}`;
      const first = await post(key, { amount: 'one' });
      expect(first.status).toBe(400);
      const replay = await post(key, { amount: 'one' });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await post(key, { amount: 'two' })).toMatchObject({ status: 409 });

      await stack.prisma.idempotencyKey.updateMany({
        where: { key },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      const afresh = await post(key, { amount: 'one' });
      expect(afresh.status).toBe(400);
      expect(afresh.headers.get('idempotent-replayed')).toBeNull();
      expect(afresh.body.request_id).not.toBe(first.body.request_id);
      const row = await stack.prisma.idempotencyKey.findFirstOrThrow({ where: { key } });
      expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now());
      expect(row.state).toBe('COMPLETED');

      // Expired with another request: no idempotency_violation either, the new request runs.
      await stack.prisma.idempotencyKey.updateMany({
        where: { key },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      const other = await post(key, { amount: 'two' });
      expect(other.status).toBe(400);
      expect(other.headers.get('idempotent-replayed')).toBeNull();
      expect(other.body.code).toBe('validation_error');
    });
  });
});
