import { RecordingListener } from '../support/recording-listener';
import { eventually, TestStack } from '../support/stack';
import { oneTender } from '../support/payloads';

/**
 * Issue #12 item 4: webhook header values (often the merchant's credentials) are write-only. The
 * API answers, the webhook payloads and the events list show the header names only (values
 * masked); the deliveries themselves carry the real values.
 */
describe('webhook header values are write-only', () => {
  const SECRET = 'sk_live_do-not-echo-7f3a9c';
  const OTHER = 'merchant-value-42b8';
  let stack: TestStack;
  let receiver: RecordingListener;

  beforeAll(async () => {
    receiver = await RecordingListener.start();
    stack = await TestStack.start({ worker: true });
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  const leaks = (text: string) => text.includes(SECRET) || text.includes(OTHER);

  it('never shows them in sessions, payments, payloads or events; deliveries still send them', async () => {
    const webhook = {
      url: `http://127.0.0.1:${receiver.port}/hook`,
      headers: [
        { name: 'authorization', values: [`Bearer ${SECRET}`] },
        { name: 'x-merchant', values: [OTHER, 'second'] },
      ],
    };
    const session = await stack.request('POST', '/v2/client-sessions', {
      token: stack.frontOffice,
      body: { amount: 1000, currency: 'EUR', capture_mode: 'MANUAL', webhook },
    });
    expect(session.status).toBe(201);
    const fromSession = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: {
        ...oneTender('connect', 'card', 1000, { token: 'connect-approve' }),
        client_session_id: session.body.id,
      },
    });
    const direct = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      headers: { 'idempotency-key': `write-only-${session.body.id}` },
      body: {
        amount: 500,
        currency: 'EUR',
        split: [
          { partner: 'connect', method: 'card', amount: 500, payment_method: { token: 'connect-approve' } },
        ],
        webhook,
      },
    });
    expect([fromSession.status, direct.status]).toEqual([201, 201]);

    const answers = [
      session,
      fromSession,
      direct,
      await stack.request('GET', `/v2/client-sessions/${session.body.id}`, { token: stack.backOffice }),
    ];
    for (const id of [fromSession.body.id, direct.body.id]) {
      const fetched = await stack.request('GET', `/v2/payments/${id}`, { token: stack.backOffice });
      expect(fetched.body.webhook).toEqual({
        url: webhook.url,
        headers: [
          { name: 'authorization', values: ['********'] },
          { name: 'x-merchant', values: ['********'] },
        ],
      });
      answers.push(fetched);
    }
    // An idempotent replay answers what was stored: masked too.
    answers.push(
      await stack.request('POST', '/v2/payments', {
        token: stack.frontOffice,
        headers: { 'idempotency-key': `write-only-${session.body.id}` },
        body: {
          amount: 500,
          currency: 'EUR',
          split: [
            { partner: 'connect', method: 'card', amount: 500, payment_method: { token: 'connect-approve' } },
          ],
          webhook,
        },
      }),
    );
    for (const answer of answers) expect(leaks(answer.text)).toBe(false);

    // Every event of both payments delivered; the events list shows no value either.
    for (const id of [fromSession.body.id, direct.body.id]) {
      const events = await eventually(
        async () => {
          const response = await stack.request('GET', `/v2/payments/${id}/events`, {
            token: stack.backOffice,
          });
          const data = response.body.data as any[];
          return data.length > 0 && data.every((e) => e.status === 'DELIVERED') ? response : undefined;
        },
        20000,
        'every event delivered',
      );
      expect(leaks(events.text)).toBe(false);
      expect(events.text).toContain('"authorization"');
    }
    const deliveries = receiver.requests;
    expect(deliveries.length).toBeGreaterThanOrEqual(4);
    for (const delivery of deliveries) {
      expect(leaks(delivery.body)).toBe(false);
      expect(delivery.headers.authorization).toBe(`Bearer ${SECRET}`);
      expect(delivery.headers['x-merchant']).toBe(`${OTHER}, second`);
    }
    const paymentPayload = deliveries.map((d) => JSON.parse(d.body)).find((p) => p.data.payment);
    expect(paymentPayload.data.payment.webhook.headers.map((h: any) => h.name)).toEqual([
      'authorization',
      'x-merchant',
    ]);

    // At rest too (issue #12 item 3): the session, the payments and the events hold them encrypted.
    const rows = await stack.prisma.$queryRaw<Array<{ text: string }>>`
      SELECT row_to_json(s)::text AS text FROM client_session s WHERE s.id = ${session.body.id}::uuid
      UNION ALL
      SELECT row_to_json(p)::text FROM payment p WHERE p.id IN (${fromSession.body.id}::uuid, ${direct.body.id}::uuid)
      UNION ALL
      SELECT row_to_json(e)::text FROM merchant_event e WHERE e.entity_id = ${stack.entityId}::uuid`;
    expect(rows.length).toBeGreaterThanOrEqual(7);
    for (const row of rows) expect(leaks(row.text)).toBe(false);
    expect(
      rows.filter((row) => row.text.includes('"authorization"')).every((row) => row.text.includes('enc:v1:')),
    ).toBe(true);
  });
});
