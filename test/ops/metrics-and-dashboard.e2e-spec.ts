import type { AddressInfo } from 'node:net';
import { createApiApp } from '../../apps/api/src/app';
import { TestStack } from '../support/stack';
import { giftCardAndCard } from '../support/payloads';

/** Sample value of a metric line `name{labels} value` in the text exposition format, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('metrics and queue dashboard', () => {
  let stack: TestStack;
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  beforeAll(async () => {
    stack = await TestStack.start({
      worker: true,
      env: { METRICS_TOKEN: 'metrics-token', ADMIN_USERNAME: 'ops', ADMIN_PASSWORD: 'dashboard-password' },
    });
  });
  afterAll(() => stack.close());

  it('exposes Prometheus metrics after a flow, behind METRICS_TOKEN', async () => {
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: giftCardAndCard(),
    });
    expect(created.body.authorization.status).toBe('AUTHORIZED');
    const captured = await stack.request('POST', `/v2/payments/${created.body.id}/captures`, {
      token: stack.backOffice,
      body: {},
    });
    expect(captured.status).toBe(201);

    expect((await stack.request('GET', '/metrics')).status).toBe(401);
    expect((await stack.request('GET', '/metrics', { token: 'wrong' })).status).toBe(401);
    const scraped = await stack.request('GET', '/metrics', { token: 'metrics-token' });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = scraped.text;

    expect(
      sample(text, 'tender_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v2/payments/:id/captures',
        status: '201',
      }),
    ).toBe(1);
    expect(text).not.toContain(created.body.id); // route patterns, never raw URLs
    expect(sample(text, 'tender_payments', { status: 'AUTHORIZED' })).toBeGreaterThanOrEqual(1);
    // Every status has a series (zero when none), so alerts on it never see "no data".
    expect(sample(text, 'tender_payments', { status: 'REFUSED' })).toBeGreaterThanOrEqual(0);
    // A gauge, so no `_total` (kept for counters); renamed from tender_payments_total.
    expect(text).not.toMatch(/^tender_payments_total/m);
    expect(
      sample(text, 'tender_partner_call_duration_seconds_count', {
        partner: 'connect',
        operation: 'authorize',
        outcome: 'ok',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'tender_partner_call_duration_seconds_count', {
        partner: 'paytronix',
        operation: 'authorize',
      }),
    ).toBeGreaterThanOrEqual(1);
    // Capturing a gift card redeem is bookkeeping: no partner call, no job.
    expect(
      sample(text, 'tender_partner_call_duration_seconds_count', {
        partner: 'paytronix',
        operation: 'capture',
      }),
    ).toBeUndefined();
    expect(
      sample(text, 'tender_job_duration_seconds_count', { queue: 'partner-connect' }),
    ).toBeGreaterThanOrEqual(2);
    for (const queue of ['partner-connect', 'partner-purse', 'partner-paytronix', 'merchant-webhooks']) {
      expect(sample(text, 'tender_queue_jobs', { queue, state: 'waiting' })).toBeDefined();
    }
    expect(
      sample(text, 'tender_queue_jobs', { queue: 'partner-connect', state: 'completed' }),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'tender_webhook_events', { status: 'PENDING' })).toBeDefined();
    expect(sample(text, 'tender_webhook_events', { status: 'FAILED' })).toBeDefined();
    expect(sample(text, 'tender_unknown_outcomes')).toBeGreaterThanOrEqual(0); // the database is shared by suites
    expect(sample(text, 'tender_outbox_pending')).toBeDefined();
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeDefined();
  });

  it('serves the queue dashboard with HTTP Basic only', async () => {
    const anonymous = await stack.request('GET', '/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="tender-admin"/);
    const wrong = await stack.request('GET', '/admin/queues', {
      headers: { authorization: basic('ops', 'not-the-password') },
    });
    expect(wrong.status).toBe(401);
    expect((await stack.request('GET', '/admin/queues/api/queues')).status).toBe(401);

    const page = await stack.request('GET', '/admin/queues', {
      headers: { authorization: basic('ops', 'dashboard-password') },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const api = await stack.request('GET', '/admin/queues/api/queues', {
      headers: { authorization: basic('ops', 'dashboard-password') },
    });
    expect(api.status).toBe(200);
    const names = api.body.queues.map((q: { name: string }) => q.name);
    expect(names).toEqual(
      expect.arrayContaining(['partner-connect', 'partner-purse', 'partner-paytronix', 'merchant-webhooks']),
    );
    expect(api.body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toBe(true);
  });

  it('does not serve the dashboard without ADMIN_PASSWORD', async () => {
    const app = await createApiApp({ ...stack.config, ADMIN_PASSWORD: undefined });
    await app.listen(0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/admin/queues`;
      const response = await fetch(url, { headers: { authorization: basic('admin', '') } });
      expect(response.status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
