import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import {
  createPaytronixSimulator,
  type PaytronixSimulator,
  type PaytronixSimulatorOptions,
} from '../../apps/simulators/src/paytronix';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

const INTEGRATION = `Basic ${Buffer.from('tender-sim:tender-sim-secret').toString('base64')}`;
const B2B = { authentication: 'b2b', username: 'tender', password: 'tender-b2b' };
const MERCHANT = 10101010;

function header(posTransactionId: string) {
  return {
    merchantId: MERCHANT,
    storeCode: 'WEB',
    operatorId: '0',
    senderId: 'POS',
    programId: 'SV',
    terminalId: '0',
    posTransactionId,
    datetime: '2025-05-01T12:00:00.000',
  };
}

describe('Paytronix simulator (e2e)', () => {
  let sim: PaytronixSimulator;
  let server: RunningServer;
  let base: string;
  let clock: number;

  async function start(options: PaytronixSimulatorOptions = {}) {
    sim = createPaytronixSimulator({ now: () => new Date(clock), ...options });
    server = await listen(sim.app);
    base = server.url;
  }

  async function stop() {
    sim.close();
    await server.close();
  }

  async function send(
    method: string,
    urlPath: string,
    body?: unknown,
    headers: Record<string, string> = { Authorization: INTEGRATION },
  ): Promise<Answer> {
    const response = await fetch(`${base}${urlPath}`, {
      method,
      redirect: 'manual',
      headers: body !== undefined ? { ...headers, 'Content-Type': 'application/json' } : headers,
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  const tx = (name: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
    send('POST', `/rest/25.33/transaction/${name}.json`, { ...B2B, ...body }, headers);
  const pay = (name: string, body: Record<string, unknown>) =>
    send('POST', `/rest/25.33/payment/${name}.json`, { ...B2B, merchantId: MERCHANT, ...body });
  const card = async (number: string) => (await send('GET', `/_sim/paytronix/cards/${number}`)).body;

  const redeem = (cardNumber: string, quantity: string, pos: string) =>
    tx('addRedeem', {
      headerInfo: header(pos),
      cardInfo: { printedCardNumber: cardNumber },
      addWalletContents: [],
      redeemWalletContents: [{ walletCode: 1, quantity }],
      autoActivateCard: false,
    });

  beforeEach(async () => {
    clock = Date.parse('2025-05-01T12:00:00Z');
    await start();
  });
  afterEach(stop);

  describe('authentication', () => {
    const inquiry = { headerInfo: header('auth-1'), cardInfo: { printedCardNumber: '6000000000000100' } };

    it('refuses missing or wrong integration credentials with HTTP 401 and a failure body', async () => {
      const none = await send(
        'POST',
        '/rest/25.33/transaction/balanceInquiry.json',
        { ...B2B, ...inquiry },
        {},
      );
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(none.body).toMatchObject({
        result: 'failure',
        errorCode: 'authentication.invalid_integration_credentials',
        posTransactionId: 'auth-1',
      });
      const wrong = await tx('balanceInquiry', inquiry, {
        Authorization: `Basic ${Buffer.from('tender-sim:nope').toString('base64')}`,
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.errorCode).toBe('authentication.invalid_integration_credentials');
    });

    it('refuses another authentication method and wrong b2b credentials', async () => {
      const oauth = await tx('balanceInquiry', { ...inquiry, authentication: 'oauth' });
      expect(oauth.status).toBe(401);
      expect(oauth.body.errorCode).toBe('authentication.unsupported_authentication');
      const badPassword = await tx('balanceInquiry', { ...inquiry, password: 'nope' });
      expect(badPassword.body).toMatchObject({
        result: 'failure',
        errorCode: 'authentication.invalid_b2b_credentials',
      });
      expect(badPassword.status).toBe(401);
      const payment = await pay('createCheckoutSession', { password: 'nope' });
      expect(payment.status).toBe(401);
      expect(payment.body).toEqual({
        result: 'failure',
        errorCode: 'authentication.invalid_b2b_credentials',
        errorMessage: 'Invalid username or password',
      });
    });

    it('answers an unparseable body with HTTP 200 result failure', async () => {
      const response = await fetch(`${base}/rest/25.33/transaction/addRedeem.json`, {
        method: 'POST',
        headers: { Authorization: INTEGRATION, 'Content-Type': 'application/json' },
        body: '{"headerInfo":',
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { errorCode: string }).errorCode).toBe('request.invalid_json');
    });
  });

  describe('Transaction Service (stored value)', () => {
    it('answers a balance inquiry with a Decimal string', async () => {
      const answer = await tx('balanceInquiry', {
        headerInfo: header('bal-1'),
        cardInfo: { printedCardNumber: '6000000000000500' },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        result: 'authorizedSuccess',
        responseCode: 200,
        responseMessage: 'Authorized',
        posTransactionId: 'bal-1',
        printedCardNumber: '6000000000000500',
        svCurrentBalance: '500.00',
      });
      expect(Number.isSafeInteger(answer.body.pxTransactionId)).toBe(true);
      expect(answer.text).toMatch(/"pxTransactionId":\d+/);
    });

    it('debits on redeem, and debits again when the same redeem is sent twice', async () => {
      const first = await redeem('6000000000000100', '12.34', 'order-1-pt-1');
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        result: 'authorizedSuccess',
        responseCode: 200,
        posTransactionId: 'order-1-pt-1',
        svPreviousBalance: '100.00',
        svCurrentBalance: '87.66',
        svTransactionAmount: '-12.34',
        redeemWalletContents: [{ walletCode: 1, quantity: '12.34' }],
        changedWalletContents: [
          { name: 'Stored Value Used', operationType: 2, walletCode: 1, quantity: '12.34' },
        ],
        pxAuthCode: expect.stringMatching(/^\d{6}$/),
      });
      const second = await redeem('6000000000000100', '12.34', 'order-1-pt-1');
      expect(second.body.result).toBe('authorizedSuccess');
      expect(second.body.svCurrentBalance).toBe('75.32');
      expect(second.body.pxTransactionId).not.toBe(first.body.pxTransactionId);
      expect((await card('6000000000000100')).balance).toBe('75.32');

      const books = await send('GET', '/_sim/paytronix/transactions?reference=order-1-pt-1');
      expect(books.body.transactions).toHaveLength(2);
      expect(books.body.transactions[0]).toMatchObject({ redeemedQuantity: '12.34', status: 'posted' });
    });

    it('denies a redeem above the balance', async () => {
      const answer = await redeem('6000000000000100', '100.01', 'too-much');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        result: 'denied',
        responseCode: 300,
        errorCode: 'transaction.insufficient_balance',
        errorMessage: 'Insufficient stored value balance',
        posTransactionId: 'too-much',
        svCurrentBalance: '100.00',
      });
      expect((await redeem('6000000000000000', '0.01', 'empty')).body.result).toBe('denied');
      expect((await card('6000000000000100')).balance).toBe('100.00');
      const books = await send('GET', '/_sim/paytronix/transactions?reference=too-much');
      expect(books.body.transactions).toHaveLength(0);
      expect(books.body.declines).toEqual([
        expect.objectContaining({
          endpoint: 'transaction/addRedeem.json',
          errorCode: 'transaction.insufficient_balance',
        }),
      ]);
    });

    it('refuses the inactive card and unknown cards with userDataError', async () => {
      const inactive = await redeem('6000000000009999', '1.00', 'inactive');
      expect(inactive.status).toBe(200);
      expect(inactive.body).toMatchObject({
        result: 'userDataError',
        errorCode: 'transaction.card_not_in_required_state',
        errorMessage: 'Card is not active',
      });
      const unknown = await redeem('6000000000001234', '1.00', 'unknown');
      expect(unknown.body).toMatchObject({
        result: 'userDataError',
        errorCode: 'transaction.invalid_card_number',
      });
    });

    it('partially redeems on the partial-redeem card (authorizedVariantSuccess)', async () => {
      const answer = await redeem('6000000000000250', '40.00', 'variant');
      expect(answer.body).toMatchObject({
        result: 'authorizedVariantSuccess',
        responseCode: 201,
        svCurrentBalance: '0.00',
        svTransactionAmount: '-25.00',
      });
    });

    it('restores the balance on void (same body again) and on reverse', async () => {
      await redeem('6000000000000500', '40.00', 'void-me');
      const voided = await tx('voidAddRedeem', {
        headerInfo: header('void-me'),
        cardInfo: { printedCardNumber: '6000000000000500' },
        addWalletContents: [],
        redeemWalletContents: [{ walletCode: 1, quantity: '40.00' }],
      });
      expect(voided.body).toMatchObject({
        result: 'authorizedSuccess',
        svCurrentBalance: '500.00',
        changedWalletContents: [{ operationType: 4, quantity: '40.00' }],
      });

      const r1 = await redeem('6000000000000500', '60.00', 'reverse-by-id');
      const reversed = await tx('reverse', {
        headerInfo: header('rev-1'),
        pxTransactionId: r1.body.pxTransactionId,
      });
      expect(reversed.body).toMatchObject({ result: 'authorizedSuccess', svCurrentBalance: '500.00' });

      await redeem('6000000000000500', '70.00', 'reverse-by-pos');
      const byPos = await tx('reverse', {
        headerInfo: header('rev-2'),
        previousPosTransactionId: 'reverse-by-pos',
      });
      expect(byPos.body.svCurrentBalance).toBe('500.00');

      const again = await tx('reverse', {
        headerInfo: header('rev-3'),
        pxTransactionId: r1.body.pxTransactionId,
      });
      expect(again.body).toMatchObject({
        result: 'userDataError',
        errorCode: 'transaction.already_reversed',
      });
      expect((await card('6000000000000500')).balance).toBe('500.00');
    });

    it('refuses to reverse a transaction older than seven days', async () => {
      const old = await redeem('6000000000000500', '10.00', 'old');
      clock += 8 * 24 * 3600 * 1000;
      const answer = await tx('reverse', {
        headerInfo: header('rev-old'),
        pxTransactionId: old.body.pxTransactionId,
      });
      expect(answer.body).toMatchObject({
        result: 'userDataError',
        errorCode: 'transaction.reverse_period_expired',
      });
    });

    it('credits on add value (a refund to the card)', async () => {
      const answer = await tx('addRedeem', {
        headerInfo: header('refund-1'),
        cardInfo: { printedCardNumber: '6000000000000000' },
        addWalletContents: [{ walletCode: 1, quantity: '15.50' }],
        redeemWalletContents: [],
      });
      expect(answer.body).toMatchObject({
        result: 'authorizedSuccess',
        svPreviousBalance: '0.00',
        svCurrentBalance: '15.50',
        svTransactionAmount: '15.50',
        addWalletContents: [{ walletCode: 1, quantity: '15.50' }],
        changedWalletContents: [{ name: 'Stored Value Earned', operationType: 1, quantity: '15.50' }],
      });
      expect((await card('6000000000000000')).balance).toBe('15.50');
    });

    it('finds a redeem in the history by our posTransactionId', async () => {
      await redeem('6000000000000100', '5.00', 'lost-track');
      const found = await tx('transactionHistory', {
        headerInfo: header('history-1'),
        posTransactionId: 'lost-track',
      });
      expect(found.body).toMatchObject({ result: 'authorizedSuccess', posTransactionId: 'history-1' });
      expect(found.body.transactions).toEqual([
        expect.objectContaining({
          posTransactionId: 'lost-track',
          transactionType: 'addRedeem',
          status: 'posted',
          redeemedQuantity: '5.00',
          svCurrentBalance: '95.00',
          pxTransactionId: expect.any(Number),
        }),
      ]);
      const none = await tx('transactionHistory', {
        headerInfo: header('history-2'),
        posTransactionId: 'never-sent',
      });
      expect(none.body.transactions).toEqual([]);
    });

    it('refuses a request without headerInfo fields as userDataError', async () => {
      const answer = await tx('addRedeem', {
        headerInfo: { merchantId: MERCHANT, posTransactionId: 'x' },
        cardInfo: { printedCardNumber: '6000000000000100' },
        redeemWalletContents: [{ walletCode: 1, quantity: '1.00' }],
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        result: 'userDataError',
        errorCode: 'transaction.invalid_input',
        posTransactionId: 'x',
      });
    });

    it('injects a transient failure (HTTP 200, result failure) before doing anything', async () => {
      await stop();
      await start({ failureRate: 1 });
      const answer = await redeem('6000000000000100', '1.00', 'flaky');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        result: 'failure',
        responseCode: 600,
        errorCode: 'transaction.server_error',
      });
      const payment = await pay('recharge', {});
      expect(payment.body).toMatchObject({ result: 'failure', errorCode: 'recharge.server_error' });
      expect((await card('6000000000000100')).balance).toBe('100.00');
    });
  });

  describe('Payment Service: hosted checkout', () => {
    const session = (overrides: Record<string, unknown> = {}) =>
      pay('createCheckoutSession', {
        ccProcessorId: 7,
        successUrl: 'https://shop.example/ok?session={CHECKOUT_SESSION_ID}',
        cancelUrl: 'https://shop.example/cancelled',
        lineItems: { amount: '25.00', description: 'egift card(s)', quantity: 1 },
        ...overrides,
      });
    const intent = (id: string) =>
      send(
        'GET',
        `/rest/25.33/payment/paymentIntent.json?${new URLSearchParams({
          ...B2B,
          merchantId: String(MERCHANT),
          ccProcessorId: '7',
          paymentIntentId: id,
        }).toString()}`,
      );

    it('create → complete via /_sim → REQUIRES_CAPTURE → capture → SUCCEEDED', async () => {
      const created = await session();
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({
        result: 'success',
        checkoutSession: {
          id: expect.stringMatching(/^cs_/),
          paymentIntent: expect.stringMatching(/^pi_/),
          redirectUrl: expect.stringContaining(`${base}/checkout/`),
        },
      });
      const { id, paymentIntent } = created.body.checkoutSession;
      expect((await intent(paymentIntent)).body).toEqual({
        result: 'success',
        paymentIntent: { id: paymentIntent, amount: '25.00', status: 'REQUIRES_PAYMENT_METHOD' },
      });

      const earlyCapture = await pay('capturePaymentIntent', {
        ccProcessorId: 7,
        paymentIntentId: paymentIntent,
      });
      expect(earlyCapture.body).toMatchObject({
        result: 'failure',
        errorCode: 'capture_payment_intent.invalid_status',
      });

      const completed = await send('POST', `/_sim/paytronix/checkout/${id}/complete`);
      expect(completed.status).toBe(200);
      expect(completed.body.redirectTo).toBe(`https://shop.example/ok?session=${id}`);
      const authorized = await intent(paymentIntent);
      expect(authorized.body.paymentIntent).toMatchObject({
        status: 'REQUIRES_CAPTURE',
        amount: '25.00',
        chargeInfo: { transactionState: 'Succeeded', amount: '25.00', lastFour: '4242' },
      });

      const captured = await pay('capturePaymentIntent', {
        ccProcessorId: 7,
        paymentIntentId: paymentIntent,
      });
      expect(captured.body).toMatchObject({ result: 'success', paymentIntent: { status: 'SUCCEEDED' } });
      expect((await intent(paymentIntent)).body.paymentIntent.status).toBe('SUCCEEDED');
      const again = await send('POST', `/_sim/paytronix/checkout/${id}/complete`);
      expect(again.status).toBe(409);
    });

    it('completes through the HTML page form and redirects to successUrl', async () => {
      const created = await session({
        lineItems: [
          { amount: '10.00', description: 'Gift card', quantity: 2 },
          { amount: '5.50', description: 'Fee', quantity: 1 },
        ],
      });
      const { id, paymentIntent, redirectUrl } = created.body.checkoutSession;
      const pageAnswer = await send('GET', new URL(redirectUrl).pathname);
      expect(pageAnswer.status).toBe(200);
      expect(pageAnswer.headers.get('content-type')).toContain('text/html');
      expect(pageAnswer.text).toContain('<strong id="total">25.50</strong>');
      const action = /<form method="post" action="([^"]+\/complete)"/.exec(pageAnswer.text)?.[1];
      expect(action).toBe(`/checkout/${id}/complete`);

      const submitted = await fetch(`${base}${action}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      expect(submitted.status).toBe(303);
      expect(submitted.headers.get('location')).toBe(`https://shop.example/ok?session=${id}`);
      expect((await intent(paymentIntent)).body.paymentIntent).toMatchObject({
        status: 'REQUIRES_CAPTURE',
        amount: '25.50',
      });
    });

    it('cancels through the page (→ CANCELED, cancelUrl) and through cancelPaymentIntent', async () => {
      const first = (await session()).body.checkoutSession;
      const cancelled = await fetch(`${base}/checkout/${first.id}/cancel`, {
        method: 'POST',
        redirect: 'manual',
      });
      expect(cancelled.status).toBe(303);
      expect(cancelled.headers.get('location')).toBe('https://shop.example/cancelled');
      expect((await intent(first.paymentIntent)).body.paymentIntent.status).toBe('CANCELED');

      const second = (await session()).body.checkoutSession;
      await send('POST', `/_sim/paytronix/checkout/${second.id}/complete`);
      const viaApi = await pay('cancelPaymentIntent', {
        ccProcessorId: 7,
        paymentIntentId: second.paymentIntent,
      });
      expect(viaApi.body).toMatchObject({ result: 'success', paymentIntent: { status: 'CANCELED' } });
      const captureCanceled = await pay('capturePaymentIntent', {
        ccProcessorId: 7,
        paymentIntentId: second.paymentIntent,
      });
      expect(captureCanceled.body.result).toBe('failure');
    });

    it('answers invalidInputs with errorsByField for bad line items', async () => {
      const answer = await session({
        lineItems: [{ amount: '0', description: '', quantity: 1.5 }],
        successUrl: 'nope',
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        result: 'invalidInputs',
        errorCode: 'create_checkout_session.validation_error',
        errorMessage: 'Validation error for input fields',
        errorsByField: {
          successUrl: ['invalid_url'],
          'lineItems/0/amount': ['too_low'],
          'lineItems/0/description': ['null_field'],
          'lineItems/0/quantity': ['invalid_non_integral'],
        },
      });
    });

    it('answers failure for an unknown payment intent', async () => {
      const answer = await intent('pi_unknown');
      expect(answer.body).toMatchObject({ result: 'failure', errorCode: 'payment_intent.not_found' });
    });
  });

  describe('Payment Service: recharge', () => {
    const creditCard = (cardNumber = '4111111111111111') => ({
      paymentMethodType: 'CC',
      cardType: 'VISA',
      cardholderName: 'Ada Lovelace',
      cardNumber,
      expirationMonth: 1,
      expirationYear: 2030,
      cardSecurityCode: '123',
      saveCard: false,
    });
    const address = {
      street: '1 Main St',
      city: 'Boston',
      stateProvince: 'MA',
      postalCode: '02110',
      country: 'US',
    };

    it('charges the credit card and adds value to the gift card', async () => {
      const answer = await pay('recharge', {
        printedCardNumber: '6000000000000100',
        amount: '25.00',
        paymentMethod: creditCard(),
        address,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        result: 'success',
        chargeResponse: {
          amount: '25.00',
          transactionState: 'Succeeded',
          processorResponseCode: 0,
          lastFour: '1111',
          expDate: '01/2030',
          paymentMethodType: 'CC',
          authCode: expect.stringMatching(/^\d{6}$/),
        },
      });
      expect((await card('6000000000000100')).balance).toBe('125.00');
    });

    it('answers a declined card, an inactive gift card and bad inputs', async () => {
      const declined = await pay('recharge', {
        printedCardNumber: '6000000000000100',
        amount: '25.00',
        paymentMethod: creditCard('4000000000000002'),
        address,
      });
      expect(declined.body).toMatchObject({ result: 'failure', errorCode: 'recharge.cc_auth_declined' });
      expect(declined.body.errorDetails).toHaveLength(1);
      const inactive = await pay('recharge', {
        printedCardNumber: '6000000000009999',
        amount: '25.00',
        paymentMethod: creditCard(),
        address,
      });
      expect(inactive.body).toMatchObject({ result: 'failure', errorCode: 'recharge.card_not_active' });
      const invalid = await pay('recharge', {
        printedCardNumber: '6000000000000100',
        amount: '25.00',
        paymentMethod: { ...creditCard(), expirationMonth: 0, cardSecurityCode: '1' },
      });
      expect(invalid.body).toMatchObject({
        result: 'invalidInputs',
        errorsByField: {
          'paymentMethod/expirationMonth': ['too_low'],
          'paymentMethod/cardSecurityCode': ['too_short'],
          address: ['null_field'],
        },
      });
      expect((await card('6000000000000100')).balance).toBe('100.00');
    });
  });

  describe('simulator controls', () => {
    it('reset restores the test card balances', async () => {
      await redeem('6000000000000100', '99.00', 'reset-1');
      await redeem('6000000000000500', '1.00', 'reset-2');
      expect((await card('6000000000000100')).balance).toBe('1.00');
      expect((await send('POST', '/_sim/reset')).status).toBe(200);
      expect((await card('6000000000000100')).balance).toBe('100.00');
      expect((await card('6000000000000500')).balance).toBe('500.00');
      expect((await send('GET', '/_sim/paytronix/transactions?reference=reset-1')).body.transactions).toEqual(
        [],
      );
    });

    it('keeps its books across a restart with a snapshot file', async () => {
      await stop();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paytronix-sim-'));
      const snapshotFile = path.join(dir, 'paytronix.json');
      try {
        await start({ snapshotFile });
        const first = await redeem('6000000000000500', '100.00', 'restart-1');
        const checkout = (
          await pay('createCheckoutSession', {
            ccProcessorId: 7,
            successUrl: 'https://shop.example/ok',
            cancelUrl: 'https://shop.example/ko',
            lineItems: { amount: '9.99', description: 'x', quantity: 1 },
          })
        ).body.checkoutSession;
        await stop();

        await start({ snapshotFile });
        expect((await card('6000000000000500')).balance).toBe('400.00');
        // the posTransactionId index is rebuilt: reverse by previous posTransactionId still works
        const reversed = await tx('reverse', {
          headerInfo: header('restart-rev'),
          previousPosTransactionId: 'restart-1',
        });
        expect(reversed.body).toMatchObject({ result: 'authorizedSuccess', svCurrentBalance: '500.00' });
        const next = await redeem('6000000000000500', '1.00', 'restart-2');
        expect(next.body.pxTransactionId).toBeGreaterThan(first.body.pxTransactionId);
        expect((await send('POST', `/_sim/paytronix/checkout/${checkout.id}/complete`)).status).toBe(200);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
