import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { RecordingListener } from '../support/recording-listener';
import { eventually, TestStack } from '../support/stack';

/**
 * Issue #12 item 2: merchant webhooks must not reach Tender's own network (SSRF). Two layers:
 * the API refuses what it can see in the URL (http in production, private literals), and the
 * worker refuses every connection to a non-public address, whatever the URL says.
 */

const payment = (webhook: Record<string, unknown>) => ({
  amount: 1000,
  currency: 'EUR',
  capture_mode: 'MANUAL',
  split: [{ partner: 'connect', method: 'card', amount: 1000, payment_method: { token: 'connect-approve' } }],
  webhook,
});

describe('SSRF: the worker never delivers to a non-public address (WEBHOOK_ALLOW_PRIVATE_NETWORKS=false)', () => {
  let stack: TestStack;
  let worker: INestApplicationContext;
  let loopback: RecordingListener;
  let loopback6: RecordingListener | undefined;

  beforeAll(async () => {
    loopback = await RecordingListener.start('127.0.0.1');
    loopback6 = await RecordingListener.start('::1', loopback.port).catch(() => undefined); // no IPv6 here
    // The API lets the URLs through (as for a host name that resolves to loopback only at delivery
    // time, or an event stored before the API checked): the worker alone must refuse them.
    stack = await TestStack.start({
      worker: false,
      env: { WEBHOOK_RETRY_SCHEDULE_MS: '100', WEBHOOK_RETRY_JITTER: '0', WEBHOOK_TIMEOUT_MS: '1000' },
    });
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot({ ...stack.config, WEBHOOK_ALLOW_PRIVATE_NETWORKS: false }),
      { logger: false },
    );
  });
  afterAll(async () => {
    await worker?.close();
    await stack?.close();
    await loopback?.close();
    await loopback6?.close();
  });

  it('refuses loopback in every spelling, localhost and the metadata address: blocked_address, nothing received', async () => {
    const port = loopback.port;
    const urls = [
      `http://127.0.0.1:${port}/dotted`,
      `http://localhost:${port}/name`,
      `http://[::1]:${port}/ipv6`,
      `http://[::ffff:127.0.0.1]:${port}/mapped`,
      `http://0x7f000001:${port}/hex`,
      `http://2130706433:${port}/decimal`,
      `http://017700000001:${port}/octal`,
      `http://127.1:${port}/short`,
      `http://169.254.169.254/latest/meta-data/`,
    ];
    const payments: Array<{ url: string; id: string }> = [];
    for (const url of urls) {
      const created = await stack.request('POST', '/v2/payments', {
        token: stack.frontOffice,
        body: payment({ url, event_types: ['PAYMENT_AUTHORIZATION'] }),
      });
      expect({ url, status: created.status }).toEqual({ url, status: 201 });
      payments.push({ url, id: created.body.id });
    }

    for (const { url, id } of payments) {
      const event = await eventually(
        async () => {
          const response = await stack.request('GET', `/v2/payments/${id}/events`, {
            token: stack.backOffice,
          });
          const found = response.body.data.find((e: any) => e.type === 'PAYMENT_AUTHORIZATION');
          return found?.status === 'FAILED' ? { found, text: response.text } : undefined;
        },
        20000,
        `the delivery to ${url} to be given up`,
      );
      expect({ url, last_error: event.found.last_error }).toEqual({ url, last_error: 'blocked_address' });
      expect(event.found.delivery_attempts).toHaveLength(2); // the first attempt and the one retry
      for (const attempt of event.found.delivery_attempts) {
        expect(attempt).toMatchObject({ response_status: null, error: 'blocked_address' });
      }
      expect(event.text).not.toMatch(/ECONN|EHOST|ENOTFOUND|refused \(|loopback|link-local/i);
    }
    expect(loopback.requests).toEqual([]);
    expect(loopback6?.requests ?? []).toEqual([]);
  });
});

describe('SSRF: the production API refuses what it can see in the URL', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({
      simulators: false,
      env: {
        NODE_ENV: 'production',
        TOKEN_SIGNING_SECRET: 'ssrf-suite-token-signing-secret-of-32-chars-or-more',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false',
      },
    });
  });
  afterAll(() => stack?.close());

  const createSession = (webhook: Record<string, unknown>) =>
    stack.request('POST', '/v2/client-sessions', {
      token: stack.frontOffice,
      body: { amount: 1000, currency: 'EUR', webhook },
    });
  const createPayment = (webhook: Record<string, unknown>) =>
    stack.request('POST', '/v2/payments', { token: stack.frontOffice, body: payment(webhook) });

  it('requires https webhook URLs (payments and client sessions), naming webhook.url', async () => {
    for (const create of [createSession, createPayment]) {
      const refused = await create({ url: 'http://shop.example.org/hook' });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        { field: 'webhook.url', code: 'https_required', message: 'must be an https URL' },
      ]);
    }
    expect((await createSession({ url: 'https://shop.example.org/hook' })).status).toBe(201);
  });

  it('refuses loopback, private and metadata literals and localhost, naming webhook.url', async () => {
    for (const host of [
      '127.0.0.1',
      'localhost',
      '[::1]',
      '0x7f000001',
      '2130706433',
      '017700000001',
      '127.1',
      '169.254.169.254',
      '10.0.0.8',
      '192.168.1.1',
      '100.64.0.1',
      '[fd00:ec2::254]',
    ]) {
      for (const create of [createSession, createPayment]) {
        const refused = await create({ url: `https://${host}:8443/hook` });
        expect({ host, status: refused.status }).toEqual({ host, status: 400 });
        expect(refused.body.errors).toEqual([
          { field: 'webhook.url', code: 'webhook_address_not_allowed', message: expect.any(String) },
        ]);
      }
    }
  });

  it('refuses hop-by-hop, spoofing, metadata and signature headers, naming the header', async () => {
    const forbidden = [
      'Host',
      'Connection',
      'Keep-Alive',
      'Proxy-Authorization',
      'TE',
      'Trailer',
      'Transfer-Encoding',
      'Upgrade',
      'Content-Length',
      'Content-Type',
      'X-Forwarded-For',
      'X-Forwarded-Host',
      'Forwarded',
      'X-Real-IP',
      'Metadata-Flavor',
      'Metadata',
      'X-aws-ec2-metadata-token',
      'X-aws-ec2-metadata-token-ttl-seconds',
      'webhook-id',
      'Webhook-Timestamp',
      'webhook-signature',
    ];
    for (const name of forbidden) {
      const refused = await createSession({
        url: 'https://shop.example.org/hook',
        headers: [
          { name: 'x-merchant', values: ['ok'] },
          { name, values: ['x'] },
        ],
      });
      expect({ name, status: refused.status }).toEqual({ name, status: 400 });
      expect(refused.body.errors).toEqual([
        {
          field: 'webhook.headers[1].name',
          code: 'forbidden_header',
          message: expect.stringContaining(name),
        },
      ]);
    }
    const injected = await createSession({
      url: 'https://shop.example.org/hook',
      headers: [{ name: 'x-merchant', values: ['a\r\nHost: 169.254.169.254'] }],
    });
    expect(injected.status).toBe(400);
    expect(injected.body.errors[0].field).toBe('webhook.headers[0].values[0]');
    const allowed = await createSession({
      url: 'https://shop.example.org/hook',
      headers: [
        { name: 'Authorization', values: ['Bearer x'] },
        { name: 'x-merchant', values: ['ok'] },
      ],
    });
    expect(allowed.status).toBe(201);
  });
});
