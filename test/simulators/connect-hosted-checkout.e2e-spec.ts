/**
 * The Connect simulator's hosted checkout, driven with the official connect-sdk-nodejs
 * (`hostedcheckouts.create` / `get`) and the shopper's page over plain HTTP.
 */
import * as connectSdk from 'connect-sdk-nodejs';
import type { Client } from 'connect-sdk-nodejs/lib/model';
import type {
  CreateHostedCheckoutRequest,
  FindPaymentsResponse,
} from 'connect-sdk-nodejs/lib/v1/model/domain';
import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import { createConnectSimulator, type ConnectSimulator } from '../../apps/simulators/src/connect';

const MERCHANT = '1000';

const request = (reference: string, returnCancelState = true): CreateHostedCheckoutRequest => ({
  order: {
    amountOfMoney: { amount: 4299, currencyCode: 'EUR' },
    references: { merchantReference: reference },
  },
  hostedCheckoutSpecificInput: { returnUrl: 'https://shop.example/back?order=7', returnCancelState },
  cardPaymentMethodSpecificInput: { requiresApproval: true, authorizationMode: 'PRE_AUTHORIZATION' },
});

describe('Connect simulator: hosted checkout', () => {
  let sim: ConnectSimulator;
  let server: RunningServer;
  let sdk: Client;

  beforeAll(async () => {
    sim = createConnectSimulator({ settleDelayMs: -1, logger: () => undefined });
    server = await listen(sim.app);
    sdk = connectSdk.init({
      host: '127.0.0.1',
      port: server.port,
      scheme: 'http',
      apiKeyId: 'tender-sim-key',
      secretApiKey: 'tender-sim-secret',
      integrator: 'Tender',
    });
  });
  afterAll(async () => {
    await server.close();
    await sim.close();
  });

  const page = (partialRedirectUrl: string) => `http://${partialRedirectUrl}`;
  const submit = (url: string, body = '') =>
    fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });

  it('creates a checkout, shows its page, and pays it: RETURNMAC comes back on the return URL', async () => {
    const created = await sdk.v1.hostedcheckouts.create(MERCHANT, request('hc-pay'));
    expect(created.status).toBe(201);
    if (!created.isSuccess) throw new Error('create failed');
    const { hostedCheckoutId, RETURNMAC, partialRedirectUrl, merchantReference } = created.body;
    expect(hostedCheckoutId).toMatch(/^1000-[0-9a-f]{32}$/);
    expect(RETURNMAC).toMatch(/^[0-9a-f]{36}$/);
    expect(merchantReference).toBe('hc-pay');
    expect(partialRedirectUrl).toBe(`127.0.0.1:${server.port}/hostedcheckout/${hostedCheckoutId}`);
    expect((await sdk.v1.hostedcheckouts.get(MERCHANT, hostedCheckoutId!)).body).toEqual({
      status: 'IN_PROGRESS',
    });

    const html = await (await fetch(page(partialRedirectUrl!))).text();
    expect(html).toContain('data-testid="sim-pay"');
    expect(html).toContain('data-testid="sim-cancel"');
    expect(html).toContain('42.99 EUR');

    const paid = await submit(`${page(partialRedirectUrl!)}/pay`, 'card=connect-approve');
    expect(paid.status).toBe(303);
    const back = new URL(paid.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('https://shop.example/back');
    expect(Object.fromEntries(back.searchParams)).toEqual({ order: '7', RETURNMAC, hostedCheckoutId });

    const status = await sdk.v1.hostedcheckouts.get(MERCHANT, hostedCheckoutId!);
    expect(status.body).toMatchObject({
      status: 'PAYMENT_CREATED',
      createdPaymentOutput: {
        paymentStatusCategory: 'SUCCESSFUL',
        payment: {
          status: 'PENDING_APPROVAL',
          paymentOutput: {
            amountOfMoney: { amount: 4299, currencyCode: 'EUR' },
            references: { merchantReference: 'hc-pay' },
          },
        },
      },
    });
    // The payment is a payment like any other: found by its reference, captured by its id.
    const found = await sdk.v1.payments.find(MERCHANT, { merchantReference: 'hc-pay' });
    expect((found.body as FindPaymentsResponse).payments?.map((p) => p.id)).toEqual([
      (status.body as { createdPaymentOutput: { payment: { id: string } } }).createdPaymentOutput.payment.id,
    ]);
    // Closed: a second submit is refused.
    expect((await submit(`${page(partialRedirectUrl!)}/cancel`)).status).toBe(409);
  });

  it('records a cancel as CANCELLED_BY_CONSUMER only with returnCancelState, and creates no payment', async () => {
    for (const [returnCancelState, expected] of [
      [true, 'CANCELLED_BY_CONSUMER'],
      [false, 'IN_PROGRESS'],
    ] as const) {
      const created = await sdk.v1.hostedcheckouts.create(
        MERCHANT,
        request(`hc-cancel-${String(returnCancelState)}`, returnCancelState),
      );
      if (!created.isSuccess) throw new Error('create failed');
      const cancelled = await submit(`${page(created.body.partialRedirectUrl!)}/cancel`);
      expect(cancelled.status).toBe(303);
      expect(new URL(cancelled.headers.get('location')!).searchParams.get('RETURNMAC')).toBe(
        created.body.RETURNMAC,
      );
      expect((await sdk.v1.hostedcheckouts.get(MERCHANT, created.body.hostedCheckoutId!)).body).toEqual({
        status: expected,
      });
      const found = await sdk.v1.payments.find(MERCHANT, {
        merchantReference: `hc-cancel-${String(returnCancelState)}`,
      });
      expect((found.body as FindPaymentsResponse).payments).toEqual([]);
    }
  });

  it('refuses a checkout without an absolute return URL, and answers 404 for an unknown one', async () => {
    const noUrl = await sdk.v1.hostedcheckouts.create(MERCHANT, {
      ...request('hc-bad'),
      hostedCheckoutSpecificInput: { returnUrl: 'shop.example/back' },
    });
    expect(noUrl.status).toBe(400);
    expect(JSON.stringify(noUrl.body)).toContain('hostedCheckoutSpecificInput.returnUrl');
    const badAmount = await sdk.v1.hostedcheckouts.create(MERCHANT, {
      ...request('hc-bad'),
      order: { amountOfMoney: { amount: -1, currencyCode: 'EUR' } },
    });
    expect(badAmount.status).toBe(400);
    expect((await sdk.v1.hostedcheckouts.get(MERCHANT, '1000-unknown')).status).toBe(404);
  });
});
