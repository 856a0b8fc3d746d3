import { startOpsServer } from '@tender/observability';
import { TestStack } from '../support/stack';

const PRODUCTION = {
  NODE_ENV: 'production',
  TOKEN_SIGNING_SECRET: 'production-mode-suite-signing-secret-of-32-chars-or-more',
};

/** What the API and the worker refuse in production (NODE_ENV=production, the default). */
describe('production mode', () => {
  describe('/metrics needs METRICS_TOKEN', () => {
    let open: TestStack;
    let guarded: TestStack;

    beforeAll(async () => {
      open = await TestStack.start({ simulators: false, env: PRODUCTION });
      guarded = await TestStack.start({
        simulators: false,
        env: { ...PRODUCTION, METRICS_TOKEN: 'production-metrics-token' },
      });
    });
    afterAll(async () => {
      await open?.close();
      await guarded?.close();
    });

    it('API: not served at all (404) when METRICS_TOKEN is unset', async () => {
      const answer = await open.request('GET', '/metrics');
      expect(answer.status).toBe(404);
      expect(answer.text).not.toContain('tender_');
    });

    it('API: served to the holder of METRICS_TOKEN only', async () => {
      expect((await guarded.request('GET', '/metrics')).status).toBe(401);
      const scraped = await guarded.request('GET', '/metrics', { token: 'production-metrics-token' });
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain('tender_');
    });

    it('worker: 404 without METRICS_TOKEN in production, 401/200 with it, open outside production; health always public', async () => {
      const get = async (port: number, token?: string, path = '/metrics') =>
        (
          await fetch(`http://127.0.0.1:${port}${path}`, {
            headers: token ? { authorization: `Bearer ${token}` } : {},
          })
        ).status;
      const server = (metricsToken: string | undefined, nodeEnv: string) =>
        startOpsServer({
          port: 0,
          host: '127.0.0.1',
          metricsToken,
          nodeEnv,
          ready: () => Promise.resolve({ status: 'ok' as const, checks: {} }),
        });
      const refused = await server(undefined, 'production');
      const withToken = await server('worker-token', 'production');
      const development = await server(undefined, 'development');
      try {
        expect(await get(refused.port)).toBe(404);
        expect(await get(withToken.port)).toBe(401);
        expect(await get(withToken.port, 'worker-token')).toBe(200);
        expect(await get(development.port)).toBe(200);
        for (const path of ['/health', '/health/ready']) {
          expect(await get(refused.port, undefined, path)).toBe(200);
          expect(await get(withToken.port, undefined, path)).toBe(200);
        }
      } finally {
        await Promise.all([refused.close(), withToken.close(), development.close()]);
      }
    });
  });

  describe('shopper_redirection_url must be https', () => {
    let stack: TestStack;

    beforeAll(async () => {
      stack = await TestStack.start({ simulators: false, env: PRODUCTION });
    });
    afterAll(() => stack?.close());

    const httpUrl = 'http://shop.example.org/done';

    it('refuses an http URL on client sessions and payments: 400 naming the field, nothing written', async () => {
      const before = await Promise.all([stack.prisma.clientSession.count(), stack.prisma.payment.count()]);
      const session = await stack.request('POST', '/v2/client-sessions', {
        token: stack.frontOffice,
        body: { amount: 1000, currency: 'EUR', shopper_redirection_url: httpUrl },
      });
      const payment = await stack.request('POST', '/v2/payments', {
        token: stack.frontOffice,
        body: {
          amount: 1000,
          currency: 'EUR',
          shopper_redirection_url: httpUrl,
          split: [{ partner: 'connect', method: 'card', amount: 1000, payment_method: { token: 't' } }],
        },
      });
      for (const answer of [session, payment]) {
        expect(answer.status).toBe(400);
        expect(answer.body.errors).toEqual([
          { field: 'shopper_redirection_url', code: 'https_required', message: 'must be an https URL' },
        ]);
      }
      expect(await Promise.all([stack.prisma.clientSession.count(), stack.prisma.payment.count()])).toEqual(
        before,
      );
    });

    it('accepts an https URL', async () => {
      const session = await stack.request('POST', '/v2/client-sessions', {
        token: stack.frontOffice,
        body: { amount: 1000, currency: 'EUR', shopper_redirection_url: 'https://shop.example.org/done' },
      });
      expect(session.status).toBe(201);
    });
  });
});
