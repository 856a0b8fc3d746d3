/**
 * Production smoke test (.ci/run): one split payment (Paytronix gift card + Connect card) against a
 * running API and worker, then a capture of the whole and a partial refund, over plain HTTP.
 *
 *   TENDER_URL=http://127.0.0.1:3000 CLIENT_ID=… CLIENT_SECRET=… ts-node scripts/smoke-production.ts
 *
 * The API runs in production mode (no METRICS_TOKEN); the client needs front_office and back_office.
 * Prints one JSON line; exits 1 on the first failure.
 */
import { randomUUID } from 'node:crypto';

const GIFT_AMOUNT = 2000;
const CARD_AMOUNT = 2299;
const TOTAL = GIFT_AMOUNT + CARD_AMOUNT;
const REFUND_AMOUNT = 1500;
/** Bound of each wait for the worker (the simulators answer in ms; Connect settles captures in ~2 s). */
const WAIT_MS = 60_000;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const baseUrl = required('TENDER_URL').replace(/\/+$/, '');

/** The parts of a payment this test reads. */
interface Payment {
  authorization: { status: string; partner_transactions: Array<{ partner: string; status: string }> };
  amounts: Record<string, number>;
}

interface Answer {
  status: number;
  body: any;
}

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['idempotency-key'] = randomUUID();
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function check(condition: boolean, what: string, answer?: Answer): void {
  if (!condition) {
    const detail = answer ? ` (HTTP ${answer.status}: ${JSON.stringify(answer.body)})` : '';
    throw new Error(`${what}${detail}`);
  }
}

/** GET the payment until `done` holds, at most WAIT_MS. */
async function waitForPayment(
  id: string,
  token: string,
  what: string,
  done: (payment: Payment) => boolean,
): Promise<Payment> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const answer = await call('GET', `/v2/payments/${id}`, { token });
    check(answer.status === 200, `GET /v2/payments/${id}`, answer);
    if (done(answer.body)) return answer.body;
    if (Date.now() > deadline) check(false, `${what} within ${WAIT_MS} ms`, answer);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main(): Promise<void> {
  const ready = await call('GET', '/health/ready');
  check(ready.status === 200 && ready.body?.status === 'ok', '/health/ready is ok', ready);
  // Production mode: /metrics is not served without METRICS_TOKEN.
  const metrics = await fetch(`${baseUrl}/metrics`);
  check(metrics.status === 404, `GET /metrics is 404 in production (HTTP ${metrics.status})`);

  const basic = Buffer.from(`${required('CLIENT_ID')}:${required('CLIENT_SECRET')}`).toString('base64');
  const tokenResponse = await fetch(`${baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const tokenBody = (await tokenResponse.json()) as { access_token?: string };
  check(tokenResponse.status === 200 && !!tokenBody.access_token, 'POST /oauth2/token gives a token');
  const token = tokenBody.access_token!;

  const created = await call('POST', '/v2/payments', {
    token,
    body: {
      amount: TOTAL,
      currency: 'EUR',
      capture_mode: 'MANUAL',
      split: [
        {
          partner: 'paytronix',
          method: 'giftcard',
          amount: GIFT_AMOUNT,
          payment_method: { card_number: '6000000000000500' },
        },
        {
          partner: 'connect',
          method: 'card',
          amount: CARD_AMOUNT,
          payment_method: { token: 'connect-approve' },
        },
      ],
    },
  });
  check(created.status === 201, 'POST /v2/payments is 201', created);
  const id = created.body.id as string;
  const authorized = await waitForPayment(id, token, 'the payment is AUTHORIZED', (p) =>
    ['AUTHORIZED', 'REFUSED', 'CANCELLED'].includes(p.authorization?.status),
  );
  check(authorized.authorization.status === 'AUTHORIZED', 'the payment is AUTHORIZED', {
    status: 200,
    body: authorized,
  });
  const statuses = authorized.authorization.partner_transactions.map((t) => `${t.partner}:${t.status}`);
  check(
    statuses.join() === 'paytronix:AUTHORIZED,connect:AUTHORIZED',
    `both tenders AUTHORIZED (${statuses.join()})`,
  );

  const captured = await call('POST', `/v2/payments/${id}/captures`, { token, body: {} });
  check(captured.status === 201, 'POST captures is 201', captured);
  await waitForPayment(id, token, `total_captured = ${TOTAL}`, (p) => p.amounts?.total_captured === TOTAL);

  const refunded = await call('POST', `/v2/payments/${id}/refunds`, {
    token,
    body: { amount: REFUND_AMOUNT },
  });
  check(refunded.status === 201, 'POST refunds is 201', refunded);
  const final = await waitForPayment(
    id,
    token,
    `total_refunded = ${REFUND_AMOUNT}`,
    (p) => p.amounts?.total_refunded === REFUND_AMOUNT,
  );
  check(final.amounts.total_captured === TOTAL, `total_captured stays ${TOTAL}`, {
    status: 200,
    body: final,
  });

  console.log(JSON.stringify({ ok: true, payment_id: id, amounts: final.amounts }));
}

main().catch((error: Error) => {
  console.error(`smoke-production: ${error.message}`);
  process.exit(1);
});
