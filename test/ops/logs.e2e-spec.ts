import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Writable } from 'node:stream';
import { createClient } from '../../apps/cli/src/provisioning';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { PinoNestLogger, setLogDestination } from '@tender/observability';
import { eventually, TestStack } from '../support/stack';
import { giftCardAndCard } from '../support/payloads';

/**
 * Structured logs over a whole payment flow, captured at debug: every line is JSON, requests and
 * jobs carry their ids, and no secret or payment instrument ever appears.
 */
describe('structured logs', () => {
  let stack: TestStack;
  let worker: INestApplicationContext;
  const chunks: string[] = [];
  const captured = () => chunks.join('');
  const lines = () =>
    captured()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, any>);

  beforeAll(async () => {
    setLogDestination(
      new Writable({
        write(chunk, _encoding, done) {
          chunks.push(chunk.toString());
          done();
        },
      }),
    );
    stack = await TestStack.start({ worker: false, env: { LOG_LEVEL: 'debug' } });
    // The worker as main.ts builds it, with Nest's logger routed through pino.
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(stack.config), {
      logger: new PinoNestLogger(),
    });
  });
  afterAll(async () => {
    await worker?.close();
    await stack?.close();
    setLogDestination(undefined);
  });

  it('logs a full flow with request and payment ids, and never a secret or an instrument', async () => {
    const client = await createClient(stack.prisma, stack.entityId, ['front_office', 'back_office']);
    const requestIds: string[] = [];
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await stack.request(method, path, { body, token });
      requestIds.push(response.headers.get('x-request-id')!);
      return response;
    };

    const token = await call('POST', '/oauth2/token', {
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
    expect(token.status).toBe(200);
    const accessToken: string = token.body.access_token;
    const session = await call(
      'POST',
      '/v2/client-sessions',
      { amount: 3000, currency: 'EUR', capture_mode: 'MANUAL' },
      accessToken,
    );
    expect(session.status).toBe(201);
    const payment = await call(
      'POST',
      '/v2/payments',
      { ...giftCardAndCard(), capture_mode: 'MANUAL', client_session_id: session.body.id },
      accessToken,
    );
    expect(payment.status).toBe(201);
    expect(payment.body.authorization.status).toBe('AUTHORIZED');
    const paymentId: string = payment.body.id;
    const captured1 = await call('POST', `/v2/payments/${paymentId}/captures`, {}, accessToken);
    expect(captured1.body.captures[0].status).toBe('SUCCESS');
    const refunded = await call('POST', `/v2/payments/${paymentId}/refunds`, { amount: 500 }, accessToken);
    expect(refunded.body.refunds[0].status).toBe('SUCCESS');
    expect((await call('GET', '/v2/payments/not-a-uuid', undefined, 'forged.token.value')).status).toBe(401);

    // A partner timeout: its error (an axios error, request config and all) is logged, safely.
    const slow = await call(
      'POST',
      '/v2/payments',
      {
        amount: 700,
        currency: 'EUR',
        split: [
          { partner: 'connect', method: 'card', amount: 700, payment_method: { token: 'connect-timeout' } },
        ],
      },
      accessToken,
    );
    await eventually(() =>
      lines().find((l) => l.outcome === 'unknown' && l.payment_id === slow.body.id && l.err)
        ? true
        : undefined,
    );

    const text = captured();
    const all = lines(); // every line parses as JSON
    for (const id of requestIds) expect(text).toContain(id);
    expect(text).toContain(paymentId);

    // Access log: request id, route pattern, status, duration, entity and payment.
    const captureLog = all.find((l) => l.route === '/v2/payments/:id/captures');
    expect(captureLog).toMatchObject({
      level: 'info',
      request_id: captured1.headers.get('x-request-id'),
      method: 'POST',
      status: 201,
      entity_id: stack.entityId,
      payment_id: paymentId,
    });
    expect(typeof captureLog!.duration_ms).toBe('number');

    // Worker: each partner call in its job's context.
    const giftCall = all.find((l) => l.context === 'partner-call' && l.partner === 'paytronix');
    expect(giftCall).toMatchObject({
      payment_id: paymentId,
      queue: 'partner-paytronix',
      operation: 'authorize',
      outcome: 'ok',
      partner_transaction_id: payment.body.authorization.partner_transactions.find(
        (t: any) => t.partner === 'paytronix',
      ).id,
    });
    expect(giftCall!.job_id).toBeTruthy();

    // The timed-out call's error: type and message, never the HTTP client's config or headers.
    const timeout = all.find((l) => l.outcome === 'unknown' && l.payment_id === slow.body.id)!;
    expect(timeout.err).toMatchObject({ type: 'UnknownOutcomeError' });
    expect(timeout.err.message).toMatch(/timeout/);
    expect(JSON.stringify(timeout)).not.toMatch(/"config"|"headers"|v1HMAC/);

    for (const secret of [
      '6000000000000500',
      'connect-approve',
      'connect-timeout',
      client.client_secret,
      accessToken,
      stack.frontOffice,
      stack.backOffice,
      stack.webhookSecret,
      'tender-sim-secret',
      'tender-b2b',
      'tender-sim-purse-secret',
      'v1HMAC',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
