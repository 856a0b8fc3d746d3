/**
 * The Connect adapter's card tenders without a token: Connect's hosted checkout (simulator), from
 * REQUIRES_ACTION to the created payment, which then captures like any other.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import { createConnectSimulator, type ConnectSimulator } from '../../apps/simulators/src/connect';
import { PartnerRejectedError, type AuthorizeRequest, type PartnerAccountConfig } from '@tender/partners';
import { ConnectAdapter } from '@tender/partners/connect';

describe('Connect adapter: hosted checkout for card tenders without a token', () => {
  let sim: ConnectSimulator;
  let server: RunningServer;
  let account: PartnerAccountConfig;
  const adapter = new ConnectAdapter();

  beforeAll(async () => {
    sim = createConnectSimulator({ settleDelayMs: 0, logger: () => undefined });
    server = await listen(sim.app);
    account = {
      partner: 'connect',
      credentials: {
        endpoint: server.url,
        merchantId: '1000',
        apiKeyId: 'tender-sim-key',
        secretApiKey: 'tender-sim-secret',
        webhookKeyId: 'tender-sim-webhook-key',
        webhookSecret: 'tender-sim-webhook-secret',
      },
      config: { hostedCheckoutUrlPrefix: 'http://' },
    };
  });
  afterAll(async () => {
    await server.close();
    await sim.close();
  });

  const authorization = (extra: Partial<AuthorizeRequest> = {}): AuthorizeRequest => ({
    account,
    idempotencyKey: `tender-${randomUUID()}-authorize`,
    timeoutMs: 3000,
    reference: randomBytes(16).toString('hex'),
    paymentId: randomUUID(),
    tenderId: randomUUID(),
    method: 'card',
    amount: 4299,
    currency: 'EUR',
    instrument: {},
    captureMode: 'MANUAL',
    allowFutureUsage: false,
    returnUrl: 'https://tender.example/v2/payments/p-1/return',
    ...extra,
  });
  const press = (url: string, button: 'pay' | 'cancel') =>
    fetch(`${url}/${button}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: button === 'pay' ? 'card=connect-approve' : '',
    });

  it('sends the shopper to the hosted checkout, then holds the payment created there', async () => {
    const request = authorization();
    const started = await adapter.authorize(request);
    expect(started).toMatchObject({
      outcome: 'REQUIRES_ACTION',
      partnerReference: expect.stringMatching(/^hostedcheckout:1000-/),
      redirectUrl: expect.stringMatching(new RegExp(`^${server.url}/hostedcheckout/1000-`)),
    });
    const lookup = { ...request, partnerReference: started.partnerReference };
    expect((await adapter.fetchAuthorization(lookup)).outcome).toBe('REQUIRES_ACTION');
    // Before the shopper pays, a lookup by reference alone finds nothing (and creates nothing).
    expect((await adapter.fetchAuthorization(request)).outcome).toBe('NOT_FOUND');

    const back = await press(started.redirectUrl!, 'pay');
    expect(back.headers.get('location')).toMatch(
      /^https:\/\/tender\.example\/v2\/payments\/p-1\/return\?RETURNMAC=/,
    );
    const held = await adapter.fetchAuthorization(lookup);
    expect(held).toMatchObject({ outcome: 'AUTHORIZED', amount: 4299, currency: 'EUR' });
    expect(held.partnerReference).toMatch(/^\d{30}$/); // the payment's id from now on
    // Found by our reference too (the payment carries it).
    expect((await adapter.fetchAuthorization(request)).partnerReference).toBe(held.partnerReference);

    const captured = await adapter.capture({
      account,
      idempotencyKey: `tender-${randomUUID()}-capture`,
      timeoutMs: 3000,
      reference: randomBytes(16).toString('hex'),
      amount: 4299,
      currency: 'EUR',
      isFinal: true,
      tender: {
        tenderId: request.tenderId,
        reference: request.reference,
        method: 'card',
        partnerReference: held.partnerReference!,
        authorizedAmount: 4299,
        currency: 'EUR',
        capturedBefore: 0,
        refundedBefore: 0,
      },
    });
    expect(['SUCCESS', 'PENDING']).toContain(captured.outcome);
  });

  it('refuses the tender when the shopper cancels on the hosted checkout', async () => {
    const request = authorization();
    const started = await adapter.authorize(request);
    await press(started.redirectUrl!, 'cancel');
    expect(
      await adapter.fetchAuthorization({ ...request, partnerReference: started.partnerReference }),
    ).toMatchObject({
      outcome: 'REFUSED',
      partnerStatus: 'CANCELLED_BY_CONSUMER',
    });
  });

  it('needs a return URL, and never uses the hosted checkout for a merchant-initiated payment', async () => {
    await expect(adapter.authorize(authorization({ returnUrl: undefined }))).rejects.toBeInstanceOf(
      PartnerRejectedError,
    );
    const reused = await adapter.authorize(authorization({ parentPartnerToken: 'connect-approve' }));
    expect(reused.outcome).not.toBe('REQUIRES_ACTION');
  });
});
