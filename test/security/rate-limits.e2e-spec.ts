import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createApiApp } from '../../apps/api/src/app';
import { createClient, type CreatedClient } from '../../apps/cli/src/provisioning';
import { generateClientId } from '@tender/auth';
import { buildOpenApiDocument } from '../../apps/api/src/openapi/document';
import { responseProblems } from '../support/openapi';
import { giftCardAndCard } from '../support/payloads';
import { eventually, TestStack } from '../support/stack';

jest.setTimeout(60_000);

/**
 * Attacks on the rate limits, with small limits of this suite's own (the other suites run without).
 * TRUST_PROXY lets each test pose as client IPs of its own through X-Forwarded-For. The window is
 * 60 s, longer than the suite: every count below is deterministic; only the last test, on an app
 * with a 1 s window, waits (polling, bounded) for a window to end.
 */
const LIMITS = {
  TRUST_PROXY: 'true',
  RATE_LIMIT_WINDOW_SECONDS: '60',
  RATE_LIMIT_TOKEN_REQUESTS_PER_IP: '8',
  RATE_LIMIT_TOKEN_FAILURES_PER_CLIENT: '3',
  RATE_LIMIT_TOKEN_FAILURES_PER_IP: '5',
  RATE_LIMIT_PAYMENT_WRITES_PER_CLIENT: '3',
  RATE_LIMIT_PARTNER_WEBHOOKS_PER_IP: '4',
  API_WAIT_FOR_OUTCOME_MS: '0',
};

let ipCounter = 0;
/** A client IP no other test uses. */
const newIp = () => `10.${++ipCounter}.${randomBytes(1)[0]}.${1 + (randomBytes(1)[0] % 250)}`;

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

interface Answer {
  path: string;
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function call(url: string, path: string, init: RequestInit & { ip: string }): Promise<Answer> {
  const response = await fetch(url + path, {
    method: 'POST',
    ...init,
    headers: { 'x-forwarded-for': init.ip, ...(init.headers as Record<string, string>) },
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { path, status: response.status, headers: response.headers, text, body };
}

function tokenRequest(url: string, ip: string, clientId: string, secret: string): Promise<Answer> {
  return call(url, '/oauth2/token', {
    ip,
    headers: { authorization: basic(clientId, secret) },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
}

const document = buildOpenApiDocument();

function expectRateLimited(answer: Answer, windowSeconds = 60): void {
  expect(answer.status).toBe(429);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({ status: 429, code: 'rate_limited', title: 'Too many requests' });
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  // Documented as such: a 429 problem+json with Retry-After for this route in /openapi.json.
  const template = Object.keys(document.paths).find(
    (t) => document.paths[t].post && new RegExp(`^${t.replace(/\{\w+\}/g, '[^/]+')}$`).test(answer.path),
  );
  expect(template).toBeDefined();
  expect(responseProblems(document, { ...answer, method: 'post', path: template! })).toEqual([]);
  expect((document.paths[template!].post as any).responses['429'].headers['Retry-After']).toBeDefined();
}

async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}

describe('rate limits (issue #12 item 5)', () => {
  let stack: TestStack;
  /** A second API process: the same config, so the same Redis and key prefix. */
  let second: INestApplication;
  let secondUrl: string;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false, env: LIMITS });
    second = await createApiApp(stack.config);
    secondUrl = await listen(second);
  });

  afterAll(async () => {
    await second?.close();
    await stack?.close();
  });

  const newClient = (scopes = ['back_office']): Promise<CreatedClient> =>
    createClient(stack.prisma, stack.entityId, scopes);

  describe('POST /oauth2/token', () => {
    it('answers 429 with Retry-After once a client id has had its refused attempts, from any IP, even with the right secret', async () => {
      const victim = await newClient();
      for (let i = 0; i < 3; i++) {
        const refused = await tokenRequest(stack.apiUrl, newIp(), victim.client_id, `sec_wrong${i}`);
        expect(refused.status).toBe(401);
        expect(refused.body.error).toBe('invalid_client');
      }
      expectRateLimited(await tokenRequest(stack.apiUrl, newIp(), victim.client_id, 'sec_wrong'));
      // Blocked before the secret is checked: the right one does not get through either.
      expectRateLimited(await tokenRequest(stack.apiUrl, newIp(), victim.client_id, victim.client_secret));
    });

    it('counts client ids sent in the form body too', async () => {
      const victim = await newClient();
      const attempt = (secret: string) =>
        call(stack.apiUrl, '/oauth2/token', {
          ip: newIp(),
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: victim.client_id,
            client_secret: secret,
          }),
        });
      for (let i = 0; i < 3; i++) expect((await attempt('sec_wrong')).status).toBe(400);
      expectRateLimited(await attempt('sec_wrong'));
    });

    it('a throttled client id does not throttle another client', async () => {
      const [victim, other] = await Promise.all([newClient(), newClient()]);
      for (let i = 0; i < 4; i++) await tokenRequest(stack.apiUrl, newIp(), victim.client_id, 'sec_wrong');
      expectRateLimited(await tokenRequest(stack.apiUrl, newIp(), victim.client_id, victim.client_secret));
      const ok = await tokenRequest(stack.apiUrl, newIp(), other.client_id, other.client_secret);
      expect(ok.status).toBe(200);
      expect(ok.body.access_token).toEqual(expect.any(String));
    });

    it('answers 429 to an IP spraying refused attempts over many client ids; other IPs go on', async () => {
      const attacker = newIp();
      for (let i = 0; i < 5; i++) {
        expect((await tokenRequest(stack.apiUrl, attacker, generateClientId(), 'sec_guess')).status).toBe(
          401,
        );
      }
      expectRateLimited(await tokenRequest(stack.apiUrl, attacker, generateClientId(), 'sec_guess'));
      const client = await newClient();
      expectRateLimited(await tokenRequest(stack.apiUrl, attacker, client.client_id, client.client_secret));
      expect((await tokenRequest(stack.apiUrl, newIp(), client.client_id, client.client_secret)).status).toBe(
        200,
      );
    });

    it('limits all token requests per IP, successful ones included', async () => {
      const client = await newClient();
      const ip = newIp();
      for (let i = 0; i < 8; i++) {
        expect((await tokenRequest(stack.apiUrl, ip, client.client_id, client.client_secret)).status).toBe(
          200,
        );
      }
      expectRateLimited(await tokenRequest(stack.apiUrl, ip, client.client_id, client.client_secret));
    });

    it('shares the counts between API processes (same Redis, same prefix)', async () => {
      const victim = await newClient();
      const urls = [stack.apiUrl, secondUrl, stack.apiUrl];
      for (const url of urls) {
        expect((await tokenRequest(url, newIp(), victim.client_id, 'sec_wrong')).status).toBe(401);
      }
      expectRateLimited(await tokenRequest(secondUrl, newIp(), victim.client_id, victim.client_secret));
      expectRateLimited(await tokenRequest(stack.apiUrl, newIp(), victim.client_id, victim.client_secret));

      const ip = newIp();
      const client = await newClient();
      for (let i = 0; i < 8; i++) {
        const url = i % 2 ? secondUrl : stack.apiUrl;
        expect((await tokenRequest(url, ip, client.client_id, client.client_secret)).status).toBe(200);
      }
      expectRateLimited(await tokenRequest(secondUrl, ip, client.client_id, client.client_secret));
    });
  });

  describe('money-moving POSTs, per API client', () => {
    const payments = () => stack.prisma.payment.count({ where: { entityId: stack.entityId } });
    const sessions = () => stack.prisma.clientSession.count({ where: { entityId: stack.entityId } });

    it('answers 429 past the limit and writes nothing; another client goes on', async () => {
      const [throttled, other] = await Promise.all([
        stack.token(['front_office']),
        stack.token(['front_office']),
      ]);
      const create = (token: string, url = stack.apiUrl) =>
        call(url, '/v2/payments', {
          ip: newIp(),
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(giftCardAndCard()),
        });
      // The count is per client whatever the route (and the API process): a session, then payments.
      const session = await call(stack.apiUrl, '/v2/client-sessions', {
        ip: newIp(),
        headers: { authorization: `Bearer ${throttled}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 1000, currency: 'EUR' }),
      });
      expect(session.status).toBe(201);
      expect((await create(throttled)).status).toBe(201);
      expect((await create(throttled, secondUrl)).status).toBe(201);

      const [paymentsBefore, sessionsBefore] = await Promise.all([payments(), sessions()]);
      const refused = await create(throttled);
      expectRateLimited(refused);
      const refusedSession = await call(secondUrl, '/v2/client-sessions', {
        ip: newIp(),
        headers: { authorization: `Bearer ${throttled}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 1000, currency: 'EUR' }),
      });
      expectRateLimited(refusedSession);
      expect(await payments()).toBe(paymentsBefore);
      expect(await sessions()).toBe(sessionsBefore);

      expect((await create(other)).status).toBe(201);
      expect(await payments()).toBe(paymentsBefore + 1);
    });

    it('never limits GETs, health or docs', async () => {
      const token = await stack.token(['front_office']);
      const created = await call(stack.apiUrl, '/v2/payments', {
        ip: newIp(),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(giftCardAndCard()),
      });
      expect(created.status).toBe(201);
      for (let i = 0; i < 10; i++) {
        const read = await stack.request('GET', `/v2/payments/${created.body.id}`, { token });
        expect(read.status).toBe(200);
        expect((await stack.request('GET', '/health')).status).toBe(200);
        expect((await stack.request('GET', '/openapi.json')).status).toBe(200);
      }
    });
  });

  describe('partner webhooks (POST /v2/webhooks/*), per IP', () => {
    it('answers 429 past the limit to that IP only', async () => {
      const partner = newIp();
      const post = (ip: string) =>
        call(stack.apiUrl, '/v2/webhooks/connect', {
          ip,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: 'evt', type: 'payment.captured' }),
        });
      for (let i = 0; i < 4; i++) expect((await post(partner)).status).toBe(401); // unsigned
      expectRateLimited(await post(partner));
      expect((await post(newIp())).status).toBe(401);
      expect(
        (
          await stack.request('GET', '/v2/webhooks/connect', {
            headers: { 'x-gcs-webhooks-endpoint-verification': 'ping', 'x-forwarded-for': partner },
          })
        ).status,
      ).toBe(200);
    });
  });

  it('lets a blocked client id in again once its window is over', async () => {
    const app = await createApiApp({
      ...stack.config,
      RATE_LIMIT_WINDOW_SECONDS: 1,
      QUEUE_PREFIX: `${stack.config.QUEUE_PREFIX}-short`,
    });
    try {
      const url = await listen(app);
      const client = await newClient();
      for (let i = 0; i < 3; i++) await tokenRequest(url, newIp(), client.client_id, 'sec_wrong');
      expectRateLimited(await tokenRequest(url, newIp(), client.client_id, client.client_secret), 1);
      await eventually(
        async () => {
          const answer = await tokenRequest(url, newIp(), client.client_id, client.client_secret);
          return answer.status === 200 ? answer : undefined;
        },
        5000,
        'the block to end with its 1 s window',
      );
    } finally {
      await app.close();
    }
  });
});
