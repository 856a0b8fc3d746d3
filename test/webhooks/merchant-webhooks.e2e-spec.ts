import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_QUEUE } from '@tender/infra';
import { newId } from '@tender/persistence';
import { rotateWebhookSecret } from '../../apps/cli/src/provisioning';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import type { Schemas } from '@tender/client';
import { eventually, TestStack } from '../support/stack';
import { oneTender } from '../support/payloads';

/** One request the merchant receiver got. */
interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The merchant's webhook endpoint: records every request; each path answers with its own rule
 * (status per delivery, or `'hang'` to never answer). Default 200.
 */
class MerchantReceiver {
  readonly deliveries: Delivery[] = [];
  private readonly rules = new Map<string, (delivery: Delivery, nthOfId: number) => number | 'hang'>();
  private readonly hanging = new Set<ServerResponse>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<MerchantReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new MerchantReceiver(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => receiver.handle(req, res));
    return receiver;
  }

  on(path: string, rule: (delivery: Delivery, nthOfId: number) => number | 'hang'): void {
    this.rules.set(path, rule);
  }

  at(path: string): Delivery[] {
    return this.deliveries.filter((d) => d.path === path);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        headers[name] = Array.isArray(value) ? value.join(', ') : (value ?? '');
      }
      const delivery: Delivery = {
        path: req.url ?? '/',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      this.deliveries.push(delivery);
      const nth = this.deliveries.filter((d) => d.headers['webhook-id'] === headers['webhook-id']).length;
      const answer = this.rules.get(delivery.path)?.(delivery, nth) ?? 200;
      if (answer === 'hang') {
        this.hanging.add(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'nope');
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const payload = (delivery: Delivery) => JSON.parse(delivery.body);

describe('merchant webhooks (Tender → merchant)', () => {
  let stack: TestStack;
  let receiver: MerchantReceiver;

  beforeAll(async () => {
    receiver = await MerchantReceiver.start();
    stack = await TestStack.start({
      worker: true,
      env: {
        WEBHOOK_RETRY_SCHEDULE_MS: '150,150,150,150',
        WEBHOOK_RETRY_JITTER: '0',
        WEBHOOK_TIMEOUT_MS: '1000',
      },
    });
  });
  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  /** A new one-card payment (201) whose events go to `webhook`. */
  const pay = async (webhook: Schemas['WebhookConfig']): Promise<Schemas['Payment']> => {
    const { data, response } = await stack.client(stack.frontOffice).POST('/v2/payments', {
      body: { ...oneTender('connect', 'card', 1000, { token: 'connect-approve' }), webhook },
    });
    expect(response.status).toBe(201);
    return data!;
  };
  const capture = (id: string) =>
    stack.client(stack.backOffice).POST('/v2/payments/{id}/captures', { params: { path: { id } }, body: {} });
  const events = async (id: string, token = stack.backOffice) =>
    (await stack.client(token).GET('/v2/payments/{id}/events', { params: { path: { id } } })).data!.data;
  const redeliver = (id: string, eventId: string, token = stack.backOffice) =>
    stack.client(token).POST('/v2/payments/{id}/events/{eventId}/redeliver', {
      params: { path: { id, eventId } },
    });
  /** The payment's events once none is PENDING any more. */
  const settledEvents = (id: string, count?: number) =>
    eventually(async () => {
      const data = await events(id);
      const done = data.length > 0 && data.every((e) => e.status !== 'PENDING');
      return done && (count === undefined || data.length >= count) ? data : undefined;
    }, 20000);
  /** The payment's PAYMENT_AUTHORIZATION event, once every event of the payment is settled. */
  const authorizationEvent = async (id: string) =>
    (await settledEvents(id)).find((e) => e.type === 'PAYMENT_AUTHORIZATION')!;

  it('delivers the events of a real flow, signed (Standard Webhooks), with the merchant headers, in version order', async () => {
    const path = '/flow';
    const session = await stack.client(stack.frontOffice).POST('/v2/client-sessions', {
      body: {
        amount: 1000,
        currency: 'EUR',
        capture_mode: 'MANUAL',
        webhook: { url: receiver.url + path, headers: [{ name: 'x-order-id', values: ['42'] }] },
      },
    });
    expect(session.response.status).toBe(201);
    const created = await stack.client(stack.frontOffice).POST('/v2/payments', {
      body: {
        ...oneTender('connect', 'card', 1000, { token: 'connect-approve' }),
        client_session_id: session.data!.id,
      },
    });
    expect(created.response.status).toBe(201);
    expect(created.data!.authorization.status).toBe('AUTHORIZED');
    const paymentId = created.data!.id;
    const captured = await capture(paymentId);
    expect(captured.response.status).toBe(201);

    const recorded = await eventually(async () => {
      const data = await events(paymentId);
      return data.some((e) => e.type === 'PAYMENT_CAPTURE' && e.action === 'succeeded') &&
        data.every((e) => e.status === 'DELIVERED')
        ? data
        : undefined;
    }, 20000);
    const kinds = recorded.map((e) => `${e.type}:${e.action}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'PAYMENT_PARTNER_TRANSACTION:authorized',
        'PAYMENT_AUTHORIZATION:authorized',
        'PAYMENT_CAPTURE:created',
        'PAYMENT_CAPTURE:succeeded',
      ]),
    );
    // Creation order: the authorization before the capture it allowed.
    expect(kinds.indexOf('PAYMENT_AUTHORIZATION:authorized')).toBeLessThan(
      kinds.indexOf('PAYMENT_CAPTURE:created'),
    );

    await eventually(() => (receiver.at(path).length >= recorded.length ? true : undefined));
    const deliveries = receiver.at(path);
    for (const delivery of deliveries) {
      // Every delivery verifies with the entity's secret (the reference library checks the timestamp too).
      expect(new Webhook(stack.webhookSecret).verify(delivery.body, delivery.headers)).toEqual(
        payload(delivery),
      );
      expect(delivery.headers['x-order-id']).toBe('42');
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(delivery.headers['webhook-id']).toBe(payload(delivery).id);
      expect(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(payload(delivery)).toMatchObject({ entity_id: stack.entityId, type: expect.any(String) });
    }
    // Every payment event arrived (at least once); the session's own events too.
    const ids = new Set(deliveries.map((d) => d.headers['webhook-id']));
    for (const event of recorded) expect(ids.has(event.id)).toBe(true);
    expect(deliveries.some((d) => payload(d).type === 'CLIENT_SESSION_STATUS')).toBe(true);

    // Ordering info: the object's version in the payload, matching the embedded payment.
    const byKind = (kind: string) => deliveries.map(payload).find((p) => `${p.type}:${p.action}` === kind);
    const authorized = byKind('PAYMENT_AUTHORIZATION:authorized');
    const captureSucceeded = byKind('PAYMENT_CAPTURE:succeeded');
    expect(authorized.data.payment.id).toBe(paymentId);
    expect(authorized.version).toBe(authorized.data.payment.version);
    expect(captureSucceeded.version).toBe(captureSucceeded.data.payment.version);
    expect(captureSucceeded.version).toBeGreaterThan(authorized.version);
    expect(captureSucceeded.data.operation_id).toEqual(expect.any(String));

    const first = recorded.find((e) => e.type === 'PAYMENT_AUTHORIZATION');
    expect(first).toMatchObject({
      status: 'DELIVERED',
      url: receiver.url + path,
      attempts: 1,
      next_attempt_at: null,
      last_error: null,
      delivered_at: expect.any(String),
      payload: expect.objectContaining({
        id: first!.id,
        type: 'PAYMENT_AUTHORIZATION',
        action: 'authorized',
      }),
      delivery_attempts: [
        {
          attempted_at: expect.any(String),
          response_status: 200,
          error: null,
          duration_ms: expect.any(Number),
        },
      ],
    });
    // Front office may read them too; another entity's payment is a 404.
    expect((await events(paymentId, stack.frontOffice)).length).toBe(recorded.length);
    const stranger = await stack.token(['back_office'], (await createOtherEntity(stack)).entity_id);
    const foreign = await stack
      .client(stranger)
      .GET('/v2/payments/{id}/events', { params: { path: { id: paymentId } } });
    expect(foreign.response.status).toBe(404);
    expect(foreign.response.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('retries a failing receiver with backoff: 500 three times then 200 is one delivered event with four attempts', async () => {
    const path = '/flaky';
    receiver.on(path, (_delivery, nth) => (nth <= 3 ? 500 : 200));
    const created = await pay({ url: receiver.url + path, event_types: ['PAYMENT_AUTHORIZATION'] });
    const event = await authorizationEvent(created.id);
    expect(event).toMatchObject({
      type: 'PAYMENT_AUTHORIZATION',
      status: 'DELIVERED',
      attempts: 4,
      last_error: null,
      next_attempt_at: null,
    });
    expect(event.delivery_attempts.map((a: any) => a.response_status)).toEqual([500, 500, 500, 200]);
    expect(event.delivery_attempts.slice(0, 3).map((a: any) => a.error)).toEqual([
      'http_5xx',
      'http_5xx',
      'http_5xx',
    ]);
    const times = event.delivery_attempts.map((a: any) => new Date(a.attempted_at).getTime());
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(140);
    // The same message each time (same webhook-id and body), each signed afresh.
    const got = receiver.at(path);
    expect(got).toHaveLength(4);
    expect(new Set(got.map((d) => d.headers['webhook-id']))).toEqual(new Set([event.id]));
    expect(new Set(got.map((d) => d.body)).size).toBe(1);
    for (const d of got)
      expect(() => new Webhook(stack.webhookSecret).verify(d.body, d.headers)).not.toThrow();
    // The endpoint is healthy again.
    const endpoint = await stack.prisma.webhookEndpoint.findUniqueOrThrow({
      where: { entityId_url: { entityId: stack.entityId, url: receiver.url + path } },
    });
    expect(endpoint).toMatchObject({ failingSince: null, disabledAt: null });
  });

  it('gives up after the last retry (connection refused): FAILED with every attempt recorded', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
    await new Promise((resolve) => closed.close(resolve));

    const created = await pay({ url: deadUrl, event_types: ['PAYMENT_AUTHORIZATION'] });
    const event = await authorizationEvent(created.id);
    expect(event).toMatchObject({ status: 'FAILED', attempts: 5, next_attempt_at: null, delivered_at: null });
    expect(event.last_error).toBe('connect_refused'); // coarse: never the raw socket error
    expect(event.delivery_attempts.every((a: any) => a.error === 'connect_refused')).toBe(true);
    expect(event.delivery_attempts).toHaveLength(5); // the first attempt + the 4 retries of the schedule
    expect(event.delivery_attempts.every((a: any) => a.response_status === null)).toBe(true);
    const endpoint = await stack.prisma.webhookEndpoint.findUniqueOrThrow({
      where: { entityId_url: { entityId: stack.entityId, url: deadUrl } },
    });
    expect(endpoint.failingSince).not.toBeNull();
    expect(endpoint.disabledAt).toBeNull(); // failing for far less than WEBHOOK_DISABLE_AFTER_MS
  });

  it('counts an answer slower than WEBHOOK_TIMEOUT_MS as a failed attempt', async () => {
    const path = '/slow';
    receiver.on(path, (_delivery, nth) => (nth === 1 ? 'hang' : 204));
    const created = await pay({ url: receiver.url + path, event_types: ['PAYMENT_AUTHORIZATION'] });
    const event = await authorizationEvent(created.id);
    expect(event).toMatchObject({ status: 'DELIVERED', attempts: 2 });
    expect(event.delivery_attempts[0]).toMatchObject({
      response_status: null,
      error: 'timeout',
    });
    expect(event.delivery_attempts[0].duration_ms).toBeGreaterThanOrEqual(900);
    expect(event.delivery_attempts[1]).toMatchObject({ response_status: 204, error: null });
  });

  it('sends only the event types the merchant asked for; the others are SKIPPED', async () => {
    const path = '/captures-only';
    const created = await pay({ url: receiver.url + path, event_types: ['PAYMENT_CAPTURE'] });
    await capture(created.id);
    const data = await eventually(async () => {
      const all = await events(created.id);
      const captures = all.filter((e) => e.type === 'PAYMENT_CAPTURE');
      return captures.length === 2 && captures.every((e) => e.status === 'DELIVERED') ? all : undefined;
    });
    for (const event of data.filter((e) => e.type !== 'PAYMENT_CAPTURE')) {
      expect(event).toMatchObject({ status: 'SKIPPED', url: null, attempts: 0, delivery_attempts: [] });
    }
    expect(data.some((e) => e.type === 'PAYMENT_AUTHORIZATION')).toBe(true);
    expect(receiver.at(path).map((d) => payload(d).type)).toEqual(['PAYMENT_CAPTURE', 'PAYMENT_CAPTURE']);
  });

  it('redelivers an event on request (back office): a new attempt of the same message', async () => {
    const path = '/redeliver';
    const created = await pay({ url: receiver.url + path, event_types: ['PAYMENT_AUTHORIZATION'] });
    const event = await authorizationEvent(created.id);
    expect(event.status).toBe('DELIVERED');
    expect((await redeliver(created.id, event.id, stack.frontOffice)).response.status).toBe(403);
    const unknown = await redeliver(created.id, newId());
    expect(unknown.response.status).toBe(404);

    const redelivered = await redeliver(created.id, event.id);
    expect(redelivered.response.status).toBe(202);
    expect(redelivered.data).toMatchObject({
      id: event.id,
      status: 'PENDING',
      attempts: 0,
      delivered_at: null,
    });
    const again = await authorizationEvent(created.id);
    expect(again).toMatchObject({ status: 'DELIVERED', attempts: 1 });
    expect(again.delivery_attempts).toHaveLength(2);
    const got = receiver.at(path);
    expect(got.map((d) => d.headers['webhook-id'])).toEqual([event.id, event.id]);
    expect(got[1].body).toBe(got[0].body);

    // An event that was never to be sent (type filtered out) cannot be redelivered.
    const filtered = await pay({ url: receiver.url + path, event_types: ['PAYMENT_REFUND'] });
    const skipped = await authorizationEvent(filtered.id);
    expect(skipped.status).toBe('SKIPPED');
    const refused = await redeliver(filtered.id, skipped.id);
    expect(refused.response.status).toBe(422);
    expect(refused.error).toMatchObject({ code: 'event_not_deliverable' });
  });

  it('disables an endpoint failing for longer than WEBHOOK_DISABLE_AFTER_MS; a redelivery re-enables it', async () => {
    const path = '/down-for-days';
    let up = false;
    receiver.on(path, () => (up ? 200 : 503));
    const url = receiver.url + path;
    // The endpoint has been failing for six days (default limit: five).
    await stack.prisma.webhookEndpoint.create({
      data: {
        id: newId(),
        entityId: stack.entityId,
        url,
        failingSince: new Date(Date.now() - 6 * 24 * 3600_000),
      },
    });
    const first = await pay({ url, event_types: ['PAYMENT_AUTHORIZATION'] });
    const failed = await authorizationEvent(first.id);
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 1, last_error: 'endpoint disabled' });
    expect(failed.delivery_attempts.map((a: any) => a.response_status)).toEqual([503]);
    const endpoint = await stack.prisma.webhookEndpoint.findUniqueOrThrow({
      where: { entityId_url: { entityId: stack.entityId, url } },
    });
    expect(endpoint.disabledAt).not.toBeNull();

    // Not hammered: the next event for that endpoint is not even attempted.
    const second = await pay({ url, event_types: ['PAYMENT_AUTHORIZATION'] });
    const notSent = await authorizationEvent(second.id);
    expect(notSent).toMatchObject({
      status: 'FAILED',
      attempts: 0,
      last_error: 'endpoint disabled',
      delivery_attempts: [],
    });
    expect(receiver.at(path)).toHaveLength(1);

    // The merchant fixed it and asks for a redelivery: the endpoint is enabled again.
    up = true;
    const redelivered = await redeliver(second.id, notSent.id);
    expect(redelivered.response.status).toBe(202);
    const delivered = await authorizationEvent(second.id);
    expect(delivered).toMatchObject({ status: 'DELIVERED', attempts: 1 });
    expect(
      await stack.prisma.webhookEndpoint.findUniqueOrThrow({
        where: { entityId_url: { entityId: stack.entityId, url } },
      }),
    ).toMatchObject({ disabledAt: null, failingSince: null });
  });

  // Last: the rotation leaves the entity with two secrets for the rest of the suite.
  it('signs with both secrets during a rotation overlap, each verifying on its own', async () => {
    const path = '/rotation';
    const rotated = await rotateWebhookSecret(stack.prisma, stack.cipher, stack.entityId);
    const previous = rotated.previous_secrets!.map((s) => s.webhook_secret);
    expect(previous).toContain(stack.webhookSecret);
    const created = await pay({ url: receiver.url + path, event_types: ['PAYMENT_AUTHORIZATION'] });
    await settledEvents(created.id);
    const [delivery] = receiver.at(path);
    const signatures = delivery.headers['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures.every((s) => s.startsWith('v1,'))).toBe(true);
    for (const secret of [rotated.webhook_secret, stack.webhookSecret]) {
      expect(new Webhook(secret).verify(delivery.body, delivery.headers)).toEqual(payload(delivery));
      // Each signature alone is the one of one secret.
      const matching = signatures.filter((signature) => {
        try {
          new Webhook(secret).verify(delivery.body, { ...delivery.headers, 'webhook-signature': signature });
          return true;
        } catch {
          return false;
        }
      });
      expect(matching).toHaveLength(1);
    }
  });
});

describe('merchant webhooks across a worker restart', () => {
  let stack: TestStack;
  let receiver: MerchantReceiver;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    receiver = await MerchantReceiver.start();
    stack = await TestStack.start({ worker: false, env: { API_WAIT_FOR_OUTCOME_MS: '0' } });
  });
  afterAll(async () => {
    await worker?.close();
    await stack.close();
    await receiver.close();
  });

  it('delivers events recorded while no worker ran (from the queue and from the outbox) once one starts', async () => {
    const url = receiver.url + '/restart';
    // Recorded and enqueued by the API while no worker runs.
    const client = stack.client(stack.frontOffice);
    const session = await client.POST('/v2/client-sessions', {
      body: { amount: 1000, currency: 'EUR', webhook: { url } },
    });
    expect(session.response.status).toBe(201);
    const sessionId = session.data!.id;
    const aborted = await client.POST('/v2/client-sessions/{id}/abort', {
      params: { path: { id: sessionId } },
    });
    expect(aborted.response.status).toBe(200);
    // Recorded by a process that died before publishing its job: only the outbox row holds it.
    const orphanId = newId();
    await stack.prisma.$transaction([
      stack.prisma.merchantEvent.create({
        data: {
          id: orphanId,
          entityId: stack.entityId,
          clientSessionId: sessionId,
          type: 'CLIENT_SESSION_STATUS',
          objectVersion: 99,
          payload: { id: orphanId, type: 'CLIENT_SESSION_STATUS', action: 'test', version: 99, data: {} },
          url,
          headers: [],
          status: 'PENDING',
        },
      }),
      stack.prisma.outbox.create({
        data: {
          kind: WEBHOOK_QUEUE,
          jobId: `deliver-${orphanId}`,
          payload: { name: 'deliver', data: { eventId: orphanId }, delayMs: null },
          createdAt: new Date(Date.now() - 10_000),
        },
      }),
    ]);

    const pending = await stack.prisma.merchantEvent.findMany({
      where: { OR: [{ clientSessionId: sessionId }, { id: orphanId }] },
    });
    expect(pending.length).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.deliveries).toHaveLength(0);
    expect(
      (await stack.prisma.merchantEvent.findMany({ where: { id: { in: pending.map((e) => e.id) } } })).every(
        (e) => e.status === 'PENDING' && e.attempts === 0,
      ),
    ).toBe(true);

    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(stack.config), {
      logger: false,
    });
    const delivered = await eventually(async () => {
      const rows = await stack.prisma.merchantEvent.findMany({
        where: { id: { in: pending.map((e) => e.id) } },
      });
      return rows.every((e) => e.status === 'DELIVERED') ? rows : undefined;
    }, 20000);
    const received = new Set(receiver.deliveries.map((d) => d.headers['webhook-id']));
    for (const event of delivered) expect(received.has(event.id)).toBe(true);
    expect(receiver.deliveries.map((d) => payload(d).action)).toEqual(
      expect.arrayContaining(['created', 'aborted_by_merchant', 'test']),
    );
    for (const d of receiver.deliveries) {
      expect(() => new Webhook(stack.webhookSecret).verify(d.body, d.headers)).not.toThrow();
    }
  });
});

async function createOtherEntity(stack: TestStack) {
  const { createEntity } = await import('../../apps/cli/src/provisioning');
  return createEntity(stack.prisma, stack.cipher, `other-${newId()}`);
}
