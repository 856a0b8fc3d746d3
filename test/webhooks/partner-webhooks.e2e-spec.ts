import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { partnerQueueName, redisConnectionOptions } from '@tender/infra';
import { DataCipher, openCredentials } from '@tender/persistence';
import { createEntity, setPartnerAccount } from '../../apps/cli/src/provisioning';
import { signWebhookBody } from '../../apps/simulators/src/connect';
import { signPurseWebhook } from '../../apps/simulators/src/purse/webhooks';
import { eventually, TestStack } from '../support/stack';
import { fromConnectReference, toConnectReference } from '@tender/partners/connect';

/** A webhook as the Connect simulator sent it. */
interface Captured {
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  type?: string;
  eventId?: string;
}

/**
 * Stands between the Connect simulator and the API (whose port is only known once the stack runs):
 * records every webhook and forwards it byte for byte to `/v2/webhooks/connect`, except those
 * matching `hold`, kept until `release()`: a late delivery, as a real partner may do.
 */
class WebhookForwarder {
  target?: string;
  hold: (webhook: Captured) => boolean = () => false;
  readonly seen: Captured[] = [];
  readonly held: Captured[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookForwarder> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const forwarder = new WebhookForwarder(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void forwarder.handle(req, res));
    return forwarder;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of [
      'content-type',
      'x-gcs-signature',
      'x-gcs-keyid',
      'x-gcs-webhooks-endpoint-verification',
    ]) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const webhook: Captured = { method: req.method ?? 'POST', headers, body: Buffer.concat(chunks) };
    if (webhook.method === 'POST') {
      const event = JSON.parse(webhook.body.toString('utf8'));
      webhook.type = event.type;
      webhook.eventId = event.id;
      this.seen.push(webhook);
      if (this.hold(webhook)) {
        this.held.push(webhook);
        res.writeHead(200).end();
        return;
      }
    }
    const answer = await this.forward(webhook);
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    res.end(await answer.text());
  }

  forward(webhook: Captured): Promise<Response> {
    return fetch(this.target!, {
      method: webhook.method,
      headers: webhook.headers,
      body: webhook.method === 'POST' ? webhook.body : undefined,
    });
  }

  /** Delivers the held webhooks now; resolves with the API's answers. */
  async release(): Promise<number[]> {
    const held = this.held.splice(0);
    return Promise.all(held.map(async (webhook) => (await this.forward(webhook)).status));
  }

  close(): Promise<unknown> {
    return new Promise((resolve) => this.server.close(resolve));
  }
}

/** Our reference (decoded from Connect's merchantReference) of a Connect payment webhook. */
const merchantReference = (webhook: Captured): string | undefined => {
  const sent = JSON.parse(webhook.body.toString('utf8')).payment?.paymentOutput?.references
    ?.merchantReference;
  return sent === undefined ? undefined : fromConnectReference(sent);
};

const SIM_KEY_ID = 'tender-sim-webhook-key';
const SIM_SECRET = 'tender-sim-webhook-secret';

describe('partner webhooks (partners → Tender)', () => {
  let stack: TestStack;
  let forwarder: WebhookForwarder;

  beforeAll(async () => {
    forwarder = await WebhookForwarder.start();
    stack = await TestStack.start({
      worker: true,
      connect: { webhookUrl: `${forwarder.url}/v2/webhooks/connect` },
      // Only a webhook (or an explicit refresh) settles an UNKNOWN outcome within a test's time.
      env: { RECONCILE_SCHEDULE_MS: '600000', API_WAIT_FOR_OUTCOME_MS: '0' },
    });
    forwarder.target = `${stack.apiUrl}/v2/webhooks/connect`;
  });
  afterAll(async () => {
    await stack.close();
    await forwarder.close();
  });
  afterEach(() => {
    forwarder.hold = () => false;
  });

  const post = (partner: string, body: string | Buffer, headers: Record<string, string>, query = '') =>
    fetch(`${stack.apiUrl}/v2/webhooks/${partner}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const connectHeaders = (body: string | Buffer, secret = SIM_SECRET, keyId = SIM_KEY_ID) => ({
    'x-gcs-signature': signWebhookBody(body, secret),
    'x-gcs-keyid': keyId,
  });
  const rowsOf = (eventId: string, partner = 'connect') =>
    stack.prisma.partnerEvent.findMany({ where: { partner, eventId } });
  const processed = (eventId: string, partner = 'connect') =>
    eventually(async () => {
      const [row] = await rowsOf(eventId, partner);
      return row?.processedAt ? row : undefined;
    });
  const pay = (token: string, amount = 1000) =>
    stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: {
        amount,
        currency: 'EUR',
        capture_mode: 'MANUAL',
        split: [{ partner: 'connect', method: 'card', amount, payment_method: { token } }],
      },
    });
  const tenderOf = async (paymentId: string) =>
    stack.prisma.partnerTransaction.findFirstOrThrow({ where: { paymentId }, include: { payment: true } });
  /** The payment's status as stored (a GET without max-age would itself ask the partner). */
  const statusOf = async (paymentId: string, status: string) =>
    eventually(async () => {
      const payment = await stack.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
      return payment.status === status ? payment : undefined;
    });

  it('answers the Connect endpoint verification with the value, as text/plain', async () => {
    expect(await stack.sim('connect', '/_sim/connect/webhooks/verify', 'POST')).toMatchObject({
      verified: true,
    });
    const direct = await fetch(`${stack.apiUrl}/v2/webhooks/connect`, {
      headers: { 'X-GCS-Webhooks-Endpoint-Verification': 'challenge-123' },
    });
    expect(direct.status).toBe(200);
    expect(direct.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await direct.text()).toBe('challenge-123');
    expect((await fetch(`${stack.apiUrl}/v2/webhooks/connect`)).status).toBe(400);
  });

  it('settles a payment left UNKNOWN by a timeout when the Connect webhook arrives (a hint: Tender re-reads Connect)', async () => {
    forwarder.hold = () => true;
    const created = await pay('connect-timeout');
    expect(created.status).toBe(201);
    const paymentId = created.body.id;
    // The authorization call timed out: the outcome is UNKNOWN, and the next lookup is 10 minutes away.
    const unknown = await eventually(async () => {
      const tender = await tenderOf(paymentId);
      return tender.status === 'UNKNOWN' ? tender : undefined;
    });
    expect(unknown.payment.status).toBe('PENDING');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await tenderOf(paymentId)).status).toBe('UNKNOWN'); // nothing else is about to settle it
    const [webhook] = forwarder.held.filter((w) => w.type === 'payment.pending_approval');
    expect(webhook).toBeDefined();

    expect(await forwarder.release()).toEqual(expect.arrayContaining([200]));
    const row = await processed(webhook.eventId!);
    expect(row).toMatchObject({ type: 'payment.pending_approval', error: null });
    expect((row.payload as any).payment.paymentOutput.references.merchantReference).toBe(
      toConnectReference(unknown.reference),
    );
    const settled = await eventually(async () => {
      const tender = await tenderOf(paymentId);
      return tender.status === 'AUTHORIZED' ? tender : undefined;
    });
    expect(settled.payment.status).toBe('AUTHORIZED');
    expect(settled.partnerReference).toBe((row.payload as any).payment.id);
  });

  it('stores an event once: the same webhook delivered again is acknowledged (200) and ignored', async () => {
    const created = await pay('connect-approve');
    expect(created.status).toBe(201);
    await statusOf(created.body.id, 'AUTHORIZED');
    const tender = await tenderOf(created.body.id);
    const webhook = await eventually(() =>
      forwarder.seen.find((w) => merchantReference(w) === tender.reference),
    );
    await processed(webhook.eventId!);

    const again = await post('connect', webhook.body, webhook.headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    const rows = await rowsOf(webhook.eventId!);
    expect(rows).toHaveLength(1);
  });

  it('skips an account whose credentials no key decrypts, instead of refusing every webhook', async () => {
    const foreign = new DataCipher([{ id: 'foreign', key: randomBytes(32) }]);
    const other = await createEntity(stack.prisma, foreign, `foreign-key-${randomUUID()}`);
    const connect = await stack.prisma.partnerAccount.findUniqueOrThrow({
      where: { entityId_partner: { entityId: stack.entityId, partner: 'connect' } },
    });
    await setPartnerAccount(stack.prisma, foreign, other.entity_id, 'connect', {
      methods: connect.methods,
      credentials: openCredentials(stack.cipher, connect.credentials), // the same webhookKeyId
    });
    try {
      const created = await pay('connect-approve');
      await statusOf(created.body.id, 'AUTHORIZED');
      const tender = await tenderOf(created.body.id);
      const webhook = await eventually(() =>
        forwarder.seen.find((w) => merchantReference(w) === tender.reference),
      );
      const again = await post('connect', webhook.body, webhook.headers);
      expect(again.status).toBe(200);
    } finally {
      await stack.prisma.partnerAccount.deleteMany({ where: { entityId: other.entity_id } });
    }
  });

  it('refuses forged, wrongly signed, unknown-key and malformed webhooks (401/400 problem+json), storing nothing', async () => {
    const event = (id: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        id,
        created: '2026-01-01T00:00:00.000+0000',
        merchantId: '1000',
        type: 'payment.captured',
        payment: {
          id: '000000100000000099990000100001',
          status: 'CAPTURED',
          paymentOutput: { references: {} },
        },
      });
    const cases: Array<{
      name: string;
      id: string;
      body: string;
      headers: Record<string, string>;
      status: number;
    }> = [];
    {
      const id = randomUUID();
      const genuine = event(id);
      const forged = genuine.replace('CAPTURED', 'CANCELLED');
      cases.push({ name: 'forged body', id, body: forged, headers: connectHeaders(genuine), status: 401 });
    }
    {
      const id = randomUUID();
      const body = event(id);
      cases.push({
        name: 'wrong key',
        id,
        body,
        headers: connectHeaders(body, 'not-the-secret'),
        status: 401,
      });
      cases.push({
        name: 'unknown key id',
        id,
        body,
        headers: connectHeaders(body, SIM_SECRET, 'some-other-key'),
        status: 401,
      });
      cases.push({ name: 'no signature', id, body, headers: { 'x-gcs-keyid': SIM_KEY_ID }, status: 401 });
      cases.push({
        name: 'no key id',
        id,
        body,
        headers: { 'x-gcs-signature': signWebhookBody(body, SIM_SECRET) },
        status: 401,
      });
    }
    {
      const id = randomUUID();
      const body = JSON.stringify({ apiVersion: 'v1', note: id }); // genuine, but no id / type
      cases.push({ name: 'not an event', id, body, headers: connectHeaders(body), status: 400 });
      const notJson = `{"id": "${id}", `;
      cases.push({ name: 'not JSON', id, body: notJson, headers: connectHeaders(notJson), status: 400 });
    }
    for (const c of cases) {
      const response = await post('connect', c.body, c.headers);
      expect({ name: c.name, status: response.status }).toEqual({ name: c.name, status: c.status });
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const problem = await response.json();
      expect(problem).toMatchObject({ status: c.status, detail: expect.any(String) });
      expect(await rowsOf(c.id)).toHaveLength(0);
    }

    const unknownPartner = await post('acme', event(randomUUID()), {});
    expect(unknownPartner.status).toBe(404);
    const paytronix = await post('paytronix', '{"id":"x"}', {});
    expect(paytronix.status).toBe(404);
    expect(((await paytronix.json()) as { detail: string }).detail).toMatch(/sends no webhooks/);
  });

  it('marks an event about no transaction of ours as processed with an error', async () => {
    const id = randomUUID();
    const body = JSON.stringify({
      apiVersion: 'v1',
      id,
      created: '2026-01-01T00:00:00.000+0000',
      merchantId: '1000',
      type: 'payment.captured',
      payment: {
        id: '000000100000000088880000100001',
        status: 'CAPTURED',
        paymentOutput: { references: { merchantReference: 'not-one-of-ours' } },
      },
    });
    const response = await post('connect', body, connectHeaders(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, duplicate: false });
    expect(await processed(id)).toMatchObject({ type: 'payment.captured', error: 'no matching transaction' });
  });

  it('does not move a transaction backwards on a late, older event (pending_approval after the capture)', async () => {
    forwarder.hold = (webhook) => webhook.type === 'payment.pending_approval';
    const created = await pay('connect-approve');
    expect(created.status).toBe(201);
    await statusOf(created.body.id, 'AUTHORIZED');
    const paymentId = created.body.id;
    const captured = await stack.request('POST', `/v2/payments/${paymentId}/captures`, {
      token: stack.backOffice,
      body: {},
    });
    expect(captured.status).toBe(201);
    await eventually(async () => {
      const operation = await stack.prisma.operation.findFirst({ where: { paymentId, type: 'CAPTURE' } });
      return operation?.status === 'SUCCESS' ? operation : undefined;
    });
    const tender = await tenderOf(paymentId);
    const late = forwarder.held.find(
      (w) => JSON.parse(w.body.toString()).payment.id === tender.partnerReference,
    );
    expect(late).toBeDefined();
    // Connect's newer event (capture requested) went through meanwhile.
    const newer = forwarder.seen.find(
      (w) =>
        w.type === 'payment.capture_requested' &&
        JSON.parse(w.body.toString()).payment.id === tender.partnerReference,
    );
    expect(newer).toBeDefined();
    await processed(newer!.eventId!);
    const before = await stack.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });

    forwarder.held.splice(0, forwarder.held.length, late!);
    expect(await forwarder.release()).toEqual([200]);
    const row = await processed(late!.eventId!);
    expect(row.error).toBeNull();
    // The hint ran: Tender re-read Connect, and nothing went backwards.
    const queue = new Queue(partnerQueueName('connect'), {
      connection: redisConnectionOptions(stack.config.REDIS_URL),
      prefix: stack.config.QUEUE_PREFIX,
    });
    try {
      await eventually(async () => {
        const job = await queue.getJob(`reconcile-authorization-${tender.id}-event-${row.id}`);
        return job && (await job.isCompleted()) ? job : undefined;
      });
    } finally {
      await queue.close();
    }
    const after = await tenderOf(paymentId);
    expect(after.status).toBe('AUTHORIZED');
    expect(after.payment.status).toBe('AUTHORIZED');
    expect(after.payment.version).toBe(before.version);
    const view = await stack.request('GET', `/v2/payments/${paymentId}`, {
      token: stack.backOffice,
      headers: { 'cache-control': 'max-age=60' },
    });
    expect(view.body.amounts.total_captured).toBe(1000);
  });

  it('settles a capture leg left pending (CAPTURE_REQUESTED) when the webhook of its settlement arrives', async () => {
    // no hint reaches Tender until the test says so: neither capture_requested nor captured
    forwarder.hold = (webhook) =>
      webhook.type === 'payment.capture_requested' || webhook.type === 'payment.captured';
    const created = await pay('connect-approve');
    expect(created.status).toBe(201);
    await statusOf(created.body.id, 'AUTHORIZED');
    const paymentId = created.body.id;
    const captured = await stack.request('POST', `/v2/payments/${paymentId}/captures`, {
      token: stack.backOffice,
      body: {},
    });
    expect(captured.status).toBe(201);
    const legOf = () =>
      stack.prisma.operationTransaction.findFirstOrThrow({ where: { partnerTransaction: { paymentId } } });
    // Connect took the capture into its queue: the leg waits, pending (CAPTURE_REQUESTED = statusCode 800)
    const pending = await eventually(async () => {
      const leg = await legOf();
      return leg.status === 'PENDING' && leg.partnerStatus === '800' ? leg : undefined;
    });
    const tender = await tenderOf(paymentId);
    // The simulator settles it 200 ms later and sends payment.captured, held here for now.
    const webhook = await eventually(() =>
      forwarder.held.find(
        (w) =>
          w.type === 'payment.captured' &&
          JSON.parse(w.body.toString()).payment.id === tender.partnerReference,
      ),
    );
    const atConnect = await stack.sim('connect', `/_sim/connect/payments/${tender.partnerReference}`);
    expect(atConnect.captures).toEqual([expect.objectContaining({ status: 'CAPTURED' })]);
    // the next lookup is 10 minutes away: only the webhook can settle the leg
    expect(await legOf()).toMatchObject({ status: 'PENDING', updatedAt: pending.updatedAt });

    forwarder.held.splice(0, forwarder.held.length, webhook);
    expect(await forwarder.release()).toEqual([200]);
    expect((await processed(webhook.eventId!)).error).toBeNull();
    const settled = await eventually(async () => {
      const leg = await legOf();
      return leg.status === 'SUCCESS' ? leg : undefined;
    });
    expect(settled.partnerStatus).toBe('900'); // CAPTURED
    const operation = await stack.prisma.operation.findFirstOrThrow({
      where: { paymentId, type: 'CAPTURE' },
    });
    expect(operation.status).toBe('SUCCESS');
  });

  it('verifies Purse webhooks with the account webhook secret (the URL names the entity), refusing stale ones', async () => {
    const account = await stack.prisma.partnerAccount.findUniqueOrThrow({
      where: { entityId_partner: { entityId: stack.entityId, partner: 'purse' } },
    });
    const secret = `purse-whsec-${randomUUID()}`;
    await setPartnerAccount(stack.prisma, stack.cipher, stack.entityId, 'purse', {
      methods: account.methods,
      credentials: { ...(account.credentials as Record<string, unknown>), webhookSecret: secret },
    });
    const event = (id: string) =>
      JSON.stringify({
        id,
        type: 'PAYMENT_CAPTURE',
        created_at: new Date().toISOString(),
        payment_id: randomUUID(),
        payment_version: 3,
        payment: { order_reference: 'not-one-of-ours' },
      });
    const now = Math.floor(Date.now() / 1000);

    const id = randomUUID();
    const body = event(id);
    const named = await post(`purse/${stack.entityId}`, body, {
      'purse-signature': signPurseWebhook(secret, body, now),
    });
    expect(named.status).toBe(200);
    expect(await processed(id, 'purse')).toMatchObject({
      type: 'PAYMENT_CAPTURE',
      error: 'no matching transaction',
    });

    // The unnamed URL tries the oldest Purse accounts only: make this one the oldest (other suites
    // sharing the database may have made more than ten).
    await stack.prisma.partnerAccount.update({
      where: { entityId_partner: { entityId: stack.entityId, partner: 'purse' } },
      data: { createdAt: new Date(0) },
    });
    const otherId = randomUUID();
    const unhinted = event(otherId);
    const response = await post('purse', unhinted, {
      'purse-signature': signPurseWebhook(secret, unhinted, now),
    });
    expect(response.status).toBe(200);

    const staleId = randomUUID();
    const stale = event(staleId);
    const old = await post('purse', stale, {
      'purse-signature': signPurseWebhook(secret, stale, now - 3600),
    });
    expect(old.status).toBe(401);
    const wrong = await post('purse', stale, { 'purse-signature': signPurseWebhook('nope', stale, now) });
    expect(wrong.status).toBe(401);
    const malformed = await post('purse', stale, { 'purse-signature': 'v1=abc' });
    expect(malformed.status).toBe(400);
    expect(await rowsOf(staleId, 'purse')).toHaveLength(0);

    // Another entity's URL never tries this entity's secret; a path that is no entity id is unknown.
    const elsewhereId = randomUUID();
    const elsewhere = event(elsewhereId);
    const signed = { 'purse-signature': signPurseWebhook(secret, elsewhere, now) };
    expect((await post(`purse/${randomUUID()}`, elsewhere, signed)).status).toBe(401);
    expect((await post('purse/not-an-entity', elsewhere, signed)).status).toBe(404);
    expect(await rowsOf(elsewhereId, 'purse')).toHaveLength(0);
  });

  it('tries at most the 10 oldest Purse accounts for a webhook whose URL names no entity', async () => {
    const secrets: Array<{ entityId: string; secret: string }> = [];
    for (let i = 0; i < 11; i++) {
      const entity = await createEntity(stack.prisma, stack.cipher, `purse-cap-${randomUUID()}`);
      const secret = `purse-whsec-${randomUUID()}`;
      await setPartnerAccount(stack.prisma, stack.cipher, entity.entity_id, 'purse', {
        methods: ['card'],
        credentials: {
          endpoint: 'http://127.0.0.1:1',
          clientId: 'c',
          clientSecret: 's',
          entityId: randomUUID(),
          webhookSecret: secret,
        },
      });
      secrets.push({ entityId: entity.entity_id, secret });
    }
    const newest = secrets[secrets.length - 1];
    // Newer than every other account for sure (accounts created in the same millisecond tie).
    await stack.prisma.partnerAccount.updateMany({
      where: { entityId: newest.entityId },
      data: { createdAt: new Date(Date.now() + 60_000) },
    });
    const eventId = randomUUID();
    const body = JSON.stringify({
      id: eventId,
      type: 'PAYMENT_CAPTURE',
      created_at: new Date().toISOString(),
      payment_id: randomUUID(),
      payment_version: 1,
      payment: { order_reference: 'not-one-of-ours' },
    });
    const headers = {
      'purse-signature': signPurseWebhook(newest.secret, body, Math.floor(Date.now() / 1000)),
    };

    // Beyond the cap (the stack's own Purse accounts are older): not tried, so not verified.
    expect((await post('purse', body, headers)).status).toBe(401);
    expect(await rowsOf(eventId, 'purse')).toHaveLength(0);
    // Named, it is the only one tried.
    expect((await post(`purse/${newest.entityId}`, body, headers)).status).toBe(200);
    expect(await rowsOf(eventId, 'purse')).toHaveLength(1);
  });
});
