import fc from 'fast-check';
import { TestStack } from '../support/stack';

/**
 * Attack suite, hostile bodies: arbitrary JSON (and malformed raw bytes) at every POST route of the
 * API. Whatever arrives, the answer is never a 5xx, and a refused request (4xx) wrote nothing.
 */
jest.setTimeout(120_000);

const RUNS = 300;
const SEED = Number(process.env.HOSTILE_BODIES_SEED ?? Date.now() % 2 ** 31);

/** Field names of the real bodies, so arbitrary values reach the validators past the unknown-key check. */
const FIELDS = [
  'amount',
  'currency',
  'capture_mode',
  'split',
  'partner',
  'method',
  'payment_method',
  'parent_payment_id',
  'client_session_id',
  'entity_id',
  'shopper_redirection_url',
  'webhook',
  'url',
  'headers',
  'order',
  'customer',
  'browser',
  'merchant_reference',
  'allow_future_usage',
  'grant_type',
  'client_id',
  'client_secret',
  'scope',
  '__proto__',
  'constructor',
];

const MALFORMED: Array<{ body: string | Buffer; type: string }> = [
  { body: '{', type: 'application/json' },
  { body: '{"amount":', type: 'application/json' },
  { body: '{"a":1}{"b":2}', type: 'application/json' },
  { body: 'null', type: 'application/json' },
  { body: '"just a string"', type: 'application/json' },
  { body: '1e999999', type: 'application/json' },
  { body: '['.repeat(10_000) + ']'.repeat(10_000), type: 'application/json' },
  { body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', type: 'application/json' },
  { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), type: 'application/json' },
  { body: '{"amount":1}', type: 'application/json; charset=utf-16' },
  { body: '{"amount":1}', type: 'text/plain' },
  { body: 'amount=1&amount=2&split[0]=x', type: 'application/x-www-form-urlencoded' },
  { body: '<xml/>', type: 'application/xml' },
  { body: '', type: 'application/json' },
];

describe('hostile bodies at every POST route', () => {
  let stack: TestStack;
  let token: string;
  const routes: string[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({ simulators: true, env: { API_WAIT_FOR_OUTCOME_MS: '0' } });
    token = await stack.token(['front_office', 'back_office']);
    const payment = await stack.request('POST', '/v2/payments', {
      token,
      body: {
        amount: 1000,
        currency: 'EUR',
        split: [
          { partner: 'connect', method: 'card', amount: 1000, payment_method: { token: 'connect-approve' } },
        ],
      },
    });
    if (payment.status !== 201) throw new Error(`payment: ${payment.status} ${payment.text}`);
    const session = await stack.request('POST', '/v2/client-sessions', {
      token,
      body: { amount: 1000, currency: 'EUR' },
    });
    if (session.status !== 201) throw new Error(`session: ${session.status} ${session.text}`);
    const id = payment.body.id as string;
    routes.push(
      '/v2/payments',
      `/v2/payments/${id}/captures`,
      `/v2/payments/${id}/voids`,
      `/v2/payments/${id}/refunds`,
      `/v2/payments/${id}/approve`,
      `/v2/payments/${id}/events/00000000-0000-4000-8000-000000000000/redeliver`,
      '/v2/client-sessions',
      `/v2/client-sessions/${session.body.id}/abort`,
      '/oauth2/token',
      '/v2/webhooks/connect',
      '/v2/webhooks/purse',
      `/v2/webhooks/purse/${stack.entityId}`,
      '/v2/webhooks/paytronix',
    );
  });
  afterAll(() => stack?.close());

  const rowCounts = () =>
    Promise.all([
      stack.prisma.payment.count(),
      stack.prisma.operation.count(),
      stack.prisma.clientSession.count(),
      stack.prisma.partnerTransaction.count(),
      stack.prisma.partnerEvent.count(),
    ]);

  async function send(path: string, body: string | Buffer, type: string, authorized: boolean) {
    const before = await rowCounts();
    const answer = await fetch(stack.apiUrl + path, {
      method: 'POST',
      headers: { 'content-type': type, ...(authorized ? { authorization: `Bearer ${token}` } : {}) },
      body,
    });
    const text = await answer.text();
    const where = `POST ${path} (${type}) ${String(body).slice(0, 200)} → ${answer.status} ${text.slice(0, 300)}`;
    expect({ where, serverError: answer.status >= 500 }).toEqual({ where, serverError: false });
    if (answer.status >= 400) expect({ where, rows: await rowCounts() }).toEqual({ where, rows: before });
  }

  const jsonBody = fc.oneof(
    fc.jsonValue(),
    fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
    fc.record(
      {
        amount: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(Number.MAX_SAFE_INTEGER + 2)),
        currency: fc.oneof(fc.constant('EUR'), fc.string({ maxLength: 5 })),
        split: fc.array(
          fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    ),
  );

  it('arbitrary JSON: no 5xx, and nothing written for a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: routes.length - 1 }),
        jsonBody,
        fc.boolean(),
        async (route, body, authorized) =>
          send(routes[route], JSON.stringify(body) ?? 'null', 'application/json', authorized || route >= 8),
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });

  it('malformed raw bodies: no 5xx, and nothing written', async () => {
    for (const path of routes) for (const { body, type } of MALFORMED) await send(path, body, type, true);
  });
});
