/**
 * Acceptance of the Connect simulator with the official `connect-sdk-nodejs`, used unchanged as a
 * merchant integration would use it. The Node SDK does not throw per status like the Java/Python
 * SDKs: every call resolves `{ status, body, isSuccess }`. The equivalents of the documented
 * exceptions are therefore: DeclinedPaymentException = non-success with `body.paymentResult`
 * (status 402), DeclinedRefundException = `body.refundResult`, ValidationException = 400,
 * AuthorizationException = 403, IdempotenceException = 409 with one error code "1409";
 * `connectSdk.assertSuccess` turns a non-success into an `SdkApiError`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as connectSdk from 'connect-sdk-nodejs';
import { SdkApiError, type Client } from 'connect-sdk-nodejs/lib/model';
import type { PaymentContext } from 'connect-sdk-nodejs/lib/model/types';
import type { CreatePaymentRequest, WebhooksEvent } from 'connect-sdk-nodejs/lib/v1/model/domain';
import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import { createConnectSimulator, type ConnectSimulator } from '../../apps/simulators/src/connect';

const MERCHANT = '1000';
const API_KEY_ID = 'tender-sim-key';
const SECRET = 'tender-sim-secret';
const WEBHOOK_KEY_ID = 'tender-sim-webhook-key';
const WEBHOOK_SECRET = 'tender-sim-webhook-secret';

interface ReceivedWebhook {
  body: Buffer;
  headers: http.IncomingHttpHeaders;
  event: WebhooksEvent;
}

/** A tiny webhook endpoint: answers the endpoint verification and records signed POSTs. */
class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private waiters: Array<{ match: (w: ReceivedWebhook) => boolean; resolve: (w: ReceivedWebhook) => void }> =
    [];
  private server = http.createServer((req, res) => {
    const verification = req.headers['x-gcs-webhooks-endpoint-verification'];
    if (req.method === 'GET' && typeof verification === 'string') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(verification);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const received = {
        body,
        headers: req.headers,
        event: JSON.parse(body.toString('utf8')) as WebhooksEvent,
      };
      this.received.push(received);
      res.writeHead(200).end();
      for (const waiter of [...this.waiters]) {
        if (waiter.match(received)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(received);
        }
      }
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/connect/webhooks`;
  }

  /** Resolves with the first webhook (already received or future) that matches. */
  waitFor(match: (w: ReceivedWebhook) => boolean): Promise<ReceivedWebhook> {
    const found = this.received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function cardPayment(
  reference: string,
  token: string,
  options: { amount?: number; requiresApproval?: boolean } = {},
): CreatePaymentRequest {
  return {
    order: {
      amountOfMoney: { amount: options.amount ?? 1000, currencyCode: 'EUR' },
      references: { merchantReference: reference },
    },
    cardPaymentMethodSpecificInput: {
      paymentProductId: 1,
      token,
      requiresApproval: options.requiresApproval ?? true,
      authorizationMode: 'PRE_AUTHORIZATION',
    },
  };
}

describe('Connect simulator with the official connect-sdk-nodejs', () => {
  let receiver: WebhookReceiver;
  let sim: ConnectSimulator;
  let server: RunningServer;
  let sdk: Client;
  let counter = 0;
  const reference = () => `sdk-${Date.now().toString(36)}-${++counter}`;
  const settle = async (paymentId: string) => {
    const answer = await fetch(`${server.url}/_sim/connect/payments/${paymentId}/settle`, { method: 'POST' });
    expect(answer.status).toBe(200);
  };

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    const webhookUrl = await receiver.start();
    sim = createConnectSimulator({
      webhookUrl,
      webhookKeyId: WEBHOOK_KEY_ID,
      webhookSecret: WEBHOOK_SECRET,
      settleDelayMs: -1, // captures and refunds settle when a test asks (settle())
      logger: () => undefined,
    });
    server = await listen(sim.app);
    sdk = connectSdk.init({
      host: '127.0.0.1',
      port: server.port,
      scheme: 'http',
      apiKeyId: API_KEY_ID,
      secretApiKey: SECRET,
      integrator: 'Tender',
    });
  });

  afterAll(async () => {
    await sim.close();
    await server.close();
    await receiver.close();
  });

  it('runs a merchant flow: create → get → partial and final capture → refund, and a cancel', async () => {
    const ref = reference();
    const created = await sdk.v1.payments.create(MERCHANT, cardPayment(ref, 'connect-approve'));
    expect(created).toMatchObject({ status: 201, isSuccess: true });
    if (!created.isSuccess) throw new Error('create failed');
    const payment = created.body.payment!;
    expect(payment.id).toMatch(/^\d{30}$/);
    expect(payment.status).toBe('PENDING_APPROVAL');
    expect(payment.statusOutput).toMatchObject({
      statusCode: 600,
      statusCategory: 'PENDING_MERCHANT',
      isAuthorized: true,
      isCancellable: true,
      isRefundable: false,
    });
    expect(payment.paymentOutput?.references?.merchantReference).toBe(ref);

    const got = await sdk.v1.payments.get(MERCHANT, payment.id!);
    expect(got.isSuccess).toBe(true);
    expect(got.body).toMatchObject({ id: payment.id, status: 'PENDING_APPROVAL' });

    const partial = await sdk.v1.payments.capture(MERCHANT, payment.id!, { amount: 400, isFinal: false });
    expect(partial).toMatchObject({ status: 200, isSuccess: true });
    expect(partial.body).toMatchObject({
      status: 'CAPTURE_REQUESTED',
      captureOutput: { amountOfMoney: { amount: 400, currencyCode: 'EUR' } },
    });
    const afterPartial = await sdk.v1.payments.get(MERCHANT, payment.id!);
    expect(afterPartial.body).toMatchObject({
      status: 'PENDING_CAPTURE',
      paymentOutput: { amountPaid: 0 },
      statusOutput: { isRefundable: false }, // nothing settled yet
    });

    const final = await sdk.v1.payments.capture(MERCHANT, payment.id!, { amount: 600, isFinal: true });
    expect(final.isSuccess).toBe(true);
    const captures = await sdk.v1.payments.captures(MERCHANT, payment.id!);
    expect(
      captures.isSuccess && captures.body.captures?.map((c) => c.captureOutput?.amountOfMoney?.amount),
    ).toEqual([400, 600]);

    // a refund before the captures settle: RefundErrorResponse 404, code 300240 ([002])
    const early = await sdk.v1.payments.refund(MERCHANT, payment.id!, {
      amountOfMoney: { amount: 300, currencyCode: 'EUR' },
    });
    expect(early).toMatchObject({
      status: 404,
      isSuccess: false,
      body: { errors: [{ code: '300240', message: 'GET_ORDERSTATUS ORDER NOT FOUND' }] },
    });
    await settle(payment.id!);

    const refundContext: PaymentContext = { idempotence: { key: `refund-${ref}` } };
    const refund = await sdk.v1.payments.refund(
      MERCHANT,
      payment.id!,
      {
        amountOfMoney: { amount: 300, currencyCode: 'EUR' },
        refundReferences: { merchantReference: `r-${ref}`.slice(0, 30) },
      },
      refundContext,
    );
    expect(refund).toMatchObject({ status: 201, isSuccess: true });
    expect(refund.body).toMatchObject({
      status: 'REFUND_REQUESTED',
      refundOutput: {
        amountOfMoney: { amount: 300 },
        cardRefundMethodSpecificOutput: { totalAmountPaid: 1000 },
      },
    });
    expect(refundContext.idempotence?.requestTimestamp).toBeUndefined();
    const refundId = (refund.body as { id: string }).id;
    const fetched = await sdk.v1.refunds.get(MERCHANT, refundId);
    expect(fetched.body).toMatchObject({ id: refundId, status: 'REFUND_REQUESTED' });
    const refunds = await sdk.v1.payments.refunds(MERCHANT, payment.id!);
    expect(refunds.isSuccess && refunds.body.refunds?.map((r) => r.id)).toEqual([refundId]);

    const [books] = sim.books.transactions(ref);
    expect(books).toMatchObject({
      status: 'CAPTURED',
      amountAuthorized: 1000,
      amountCaptured: 1000,
      amountSettled: 1000,
      amountRefunded: 300,
      amountCancelled: 0,
    });

    // another payment, cancelled
    const other = await sdk.v1.payments.create(MERCHANT, cardPayment(reference(), 'connect-approve'));
    const otherId = other.isSuccess ? other.body.payment!.id! : '';
    const cancelled = await sdk.v1.payments.cancel(MERCHANT, otherId);
    expect(cancelled).toMatchObject({ status: 200, isSuccess: true });
    expect(cancelled.body).toMatchObject({
      payment: { id: otherId, status: 'CANCELLED', statusOutput: { statusCategory: 'UNSUCCESSFUL' } },
    });
    expect(sim.books.transaction(sim.books.state.payments[otherId])).toMatchObject({
      status: 'CANCELLED',
      amountCancelled: 1000,
      amountCaptured: 0,
    });
  });

  it('approves a payment for a lower amount, and finds it by merchantReference (signed query string)', async () => {
    const ref = reference();
    const created = await sdk.v1.payments.create(MERCHANT, cardPayment(ref, 'connect-approve'));
    const id = created.isSuccess ? created.body.payment!.id! : '';
    const approved = await sdk.v1.payments.approve(MERCHANT, id, { amount: 700 });
    expect(approved).toMatchObject({ status: 200, isSuccess: true });
    expect(approved.body).toMatchObject({
      payment: { status: 'CAPTURE_REQUESTED', paymentOutput: { amountPaid: 0 } },
    });
    await settle(id);
    expect((await sdk.v1.payments.get(MERCHANT, id)).body).toMatchObject({
      status: 'CAPTURED',
      paymentOutput: { amountPaid: 700 },
    });
    const found = await sdk.v1.payments.find(MERCHANT, { merchantReference: ref, limit: 5 });
    expect(found).toMatchObject({ status: 200, isSuccess: true });
    expect(found.body).toMatchObject({ totalCount: 1, limit: 5, offset: 0, payments: [{ id }] });
  });

  it('replays a create with the same idempotence key: same answer, timestamp in the context, one payment in the books', async () => {
    const ref = reference();
    const key = `create-${ref}`;
    const firstContext: PaymentContext = { idempotence: { key } };
    const first = await sdk.v1.payments.create(MERCHANT, cardPayment(ref, 'connect-approve'), firstContext);
    expect(first.status).toBe(201);
    expect(firstContext.idempotence?.requestTimestamp).toBeUndefined();

    const secondContext: PaymentContext = { idempotence: { key } };
    const second = await sdk.v1.payments.create(MERCHANT, cardPayment(ref, 'connect-approve'), secondContext);
    expect(second.status).toBe(201);
    expect(second.isSuccess && second.body.payment?.id).toBe(first.isSuccess && first.body.payment?.id);
    const timestamp = Number(secondContext.idempotence?.requestTimestamp);
    expect(timestamp).toBeGreaterThan(Date.now() - 60_000);
    expect(timestamp).toBeLessThanOrEqual(Date.now());

    const transactions = sim.books.transactions(ref);
    expect(transactions).toHaveLength(1);
    expect(transactions[0].idempotencyHits).toBe(1);
  });

  it('connect-error-once: 500 on the first attempt, success on the retry with the same key', async () => {
    const ref = reference();
    const key = `error-once-${ref}`;
    const request = cardPayment(ref, 'connect-error-once');
    const first = await sdk.v1.payments.create(MERCHANT, request, { idempotence: { key } });
    expect(first).toMatchObject({ status: 500, isSuccess: false });
    expect(first.body).toMatchObject({ errors: [{ code: '9999', httpStatusCode: 500 }] });
    expect(sim.books.transactions(ref)).toHaveLength(0);

    const retryContext: PaymentContext = { idempotence: { key } };
    const retry = await sdk.v1.payments.create(MERCHANT, request, retryContext);
    expect(retry).toMatchObject({ status: 201, isSuccess: true });
    expect(retryContext.idempotence?.requestTimestamp).toBeUndefined(); // the 500 was not kept: a fresh first answer
    expect(sim.books.transactions(ref)).toHaveLength(1);
  });

  it('reports a decline like DeclinedPaymentException: 402 with paymentResult.payment REJECTED', async () => {
    const ref = reference();
    const declined = await sdk.v1.payments.create(MERCHANT, cardPayment(ref, 'connect-decline'));
    expect(declined).toMatchObject({ status: 402, isSuccess: false });
    if (declined.isSuccess) throw new Error('expected a decline');
    expect(declined.body.errorId).toEqual(expect.any(String));
    expect(declined.body.errors?.[0]).toMatchObject({
      code: '430330',
      category: 'PAYMENT_PLATFORM_ERROR',
      httpStatusCode: 402,
    });
    expect(declined.body.paymentResult?.payment).toMatchObject({
      status: 'REJECTED',
      statusOutput: {
        statusCategory: 'UNSUCCESSFUL',
        isAuthorized: false,
        statusCode: 100,
        errors: [{ code: '430330' }],
      },
    });
    expect(() => connectSdk.assertSuccess(declined)).toThrow(SdkApiError);
    expect(sim.books.transactions(ref)).toMatchObject([{ status: 'REJECTED', amountAuthorized: 0 }]);
  });

  it('reports a refund decline like DeclinedRefundException: 402 with refundResult REJECTED', async () => {
    const created = await sdk.v1.payments.create(
      MERCHANT,
      cardPayment(reference(), 'connect-refund-decline', { requiresApproval: false }),
    );
    const id = created.isSuccess ? created.body.payment!.id! : '';
    expect(created.isSuccess && created.body.payment?.status).toBe('CAPTURE_REQUESTED');
    await settle(id);
    const refund = await sdk.v1.payments.refund(MERCHANT, id, {
      amountOfMoney: { amount: 100, currencyCode: 'EUR' },
    });
    expect(refund).toMatchObject({ status: 402, isSuccess: false });
    if (refund.isSuccess) throw new Error('expected a refund decline');
    expect(refund.body.refundResult).toMatchObject({
      status: 'REJECTED',
      statusOutput: { statusCategory: 'UNSUCCESSFUL' },
    });
  });

  it('reports a bad request like ValidationException: 400 naming the property', async () => {
    const bad = await sdk.v1.payments.create(MERCHANT, {
      order: { amountOfMoney: { currencyCode: 'EUR' } },
      cardPaymentMethodSpecificInput: { token: 'connect-approve' },
    });
    expect(bad).toMatchObject({ status: 400, isSuccess: false });
    expect(bad.body).toMatchObject({
      errorId: expect.any(String),
      errors: [{ code: '20000000', propertyName: 'order.amountOfMoney.amount', httpStatusCode: 400 }],
    });
  });

  it('reports a wrong secret like AuthorizationException: 403 MISSING_OR_INVALID_AUTHORIZATION', async () => {
    const intruder = connectSdk.init({
      host: '127.0.0.1',
      port: server.port,
      scheme: 'http',
      apiKeyId: API_KEY_ID,
      secretApiKey: 'not-the-secret',
      integrator: 'Tender',
    });
    const answer = await intruder.v1.payments.get(MERCHANT, '000000100000000000010000100001');
    expect(answer).toMatchObject({ status: 403, isSuccess: false });
    expect(answer.body).toMatchObject({
      errors: [
        {
          code: '9002',
          id: 'MISSING_OR_INVALID_AUTHORIZATION',
          category: 'CONNECT_PLATFORM_ERROR',
          httpStatusCode: 403,
        },
      ],
    });
    const notAllowed = await sdk.v1.payments.get('2000', '000000100000000000010000100001');
    expect(notAllowed).toMatchObject({ status: 403, body: { errors: [{ code: '9007' }] } });
  });

  it("sends webhooks the SDK's webhooks helper validates, and it rejects a tampered body", async () => {
    const helper = connectSdk.webhooks.v1.init({
      getSecretKey: (keyId: string) =>
        keyId === WEBHOOK_KEY_ID
          ? Promise.resolve(WEBHOOK_SECRET)
          : Promise.reject(new Error(`no key ${keyId}`)),
    });
    const created = await sdk.v1.payments.create(MERCHANT, cardPayment(reference(), 'connect-approve'));
    const id = created.isSuccess ? created.body.payment!.id! : '';
    const webhook = await receiver.waitFor(
      (w) => w.event.payment?.id === id && w.event.type === 'payment.pending_approval',
    );
    expect(webhook.headers['x-gcs-keyid']).toBe(WEBHOOK_KEY_ID);

    const event = await helper.unmarshal(webhook.body, webhook.headers);
    expect(event).toMatchObject({
      apiVersion: 'v1',
      merchantId: MERCHANT,
      type: 'payment.pending_approval',
      payment: { id, status: 'PENDING_APPROVAL' },
    });
    expect(event.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    const tampered = Buffer.from(webhook.body.toString('utf8').replace('PENDING_APPROVAL', 'CAPTURED'));
    await expect(helper.unmarshal(tampered, webhook.headers)).rejects.toThrow(/failed to validate signature/);
    await expect(
      helper.unmarshal(webhook.body, { ...webhook.headers, 'x-gcs-keyid': 'someone-else' }),
    ).rejects.toThrow(/no key someone-else/);

    await sdk.v1.payments.capture(MERCHANT, id, {});
    const captureHook = await receiver.waitFor(
      (w) => w.event.payment?.id === id && w.event.type === 'payment.capture_requested',
    );
    expect(captureHook.event.payment?.status).toBe('CAPTURE_REQUESTED');
    // settling the capture sends the payment webhook with its new status
    await settle(id);
    const capturedHook = await receiver.waitFor(
      (w) => w.event.payment?.id === id && w.event.type === 'payment.captured',
    );
    await expect(helper.unmarshal(capturedHook.body, capturedHook.headers)).resolves.toMatchObject({
      payment: { id, status: 'CAPTURED', paymentOutput: { amountPaid: 1000 } },
    });

    const refund = await sdk.v1.payments.refund(MERCHANT, id, {
      amountOfMoney: { amount: 250, currencyCode: 'EUR' },
    });
    const refundId = (refund.body as { id: string }).id;
    const refundHook = await receiver.waitFor((w) => w.event.refund?.id === refundId);
    await expect(helper.unmarshal(refundHook.body, refundHook.headers)).resolves.toMatchObject({
      type: 'refund.refund_requested',
      refund: { id: refundId, status: 'REFUND_REQUESTED' },
    });
    await settle(id);
    const refundedHook = await receiver.waitFor(
      (w) => w.event.refund?.id === refundId && w.event.type === 'refund.refunded',
    );
    expect(refundedHook.event.refund?.status).toBe('REFUNDED');
    await sim.webhooks.idle();
    const log = (await (await fetch(`${server.url}/_sim/connect/webhooks`)).json()) as {
      deliveries: unknown[];
    };
    expect(log.deliveries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ objectId: refundId, type: 'refund.refund_requested', status: 200 }),
      ]),
    );
  });

  it('passes the webhook endpoint verification handshake of the receiver', async () => {
    const answer = await fetch(`${server.url}/_sim/connect/webhooks/verify`, { method: 'POST' });
    expect(await answer.json()).toEqual({ verified: true, status: 200 });
  });
});
