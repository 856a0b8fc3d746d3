import { TestStack } from '../support/stack';

/**
 * The shopper credential (`widget.data`) and the session-scoped endpoints of the drop-in:
 * `/checkout/v1/session…`, with the credential as bearer token.
 */
describe('shopper credential (/checkout/v1/session)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({
      worker: true,
      env: { PUBLIC_URL: 'https://pay.tender.test', RATE_LIMIT_GIFTCARD_CHECKS_PER_SESSION: '5' },
    });
  });
  afterAll(() => stack.close());

  const openSession = async (body: Record<string, unknown> = {}) => {
    const created = await stack.request('POST', '/v2/client-sessions', {
      token: stack.frontOffice,
      body: { amount: 14299, currency: 'EUR', shopper_redirection_url: 'https://shop.example/done', ...body },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; widget: { data: string; js_url: string }; links: any };
  };
  const shopper = (credential: string, method: string, path = '', body?: unknown) =>
    stack.request(method, `/checkout/v1/session${path}`, { token: credential, body });

  it('gives each session its own credential and Tender’s drop-in URL; the credential reads that session', async () => {
    const session = await openSession();
    expect(session.widget.js_url).toBe('https://pay.tender.test/checkout/v1/tender.js');
    expect(session.widget.data.startsWith(`${session.id}.`)).toBe(true);
    expect(session.links.checkout).toBeUndefined(); // EMBEDDED: no hosted page link

    const read = await shopper(session.widget.data, 'GET');
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe('*');
    expect(read.body).toMatchObject({ id: session.id, status: 'CREATED', amount: 14299, currency: 'EUR' });
    expect(read.body.merchant_name).toMatch(/^test-/);
    expect(read.body.solutions).toEqual([
      { partner: 'connect', method: 'card', kind: 'hosted_card', pin: 'none' },
      { partner: 'paytronix', method: 'giftcard', kind: 'giftcard', pin: 'optional' },
      { partner: 'paytronix', method: 'card', kind: 'hosted_card', pin: 'none' },
    ]);
    // Nothing of the merchant's configuration reaches the browser.
    expect(read.text).not.toMatch(/shop\.example|webhook|widget/);
  });

  it('links Tender’s hosted page from a HOSTED_PAGE session, with the credential in the fragment', async () => {
    const session = await openSession({ integration_mode: 'HOSTED_PAGE' });
    expect(session.links.checkout).toEqual({
      href: `https://pay.tender.test/checkout/v1/pay#${session.widget.data}`,
      method: 'GET',
    });
  });

  it('refuses a missing, malformed or foreign credential', async () => {
    const a = await openSession();
    const b = await openSession();
    const forged = `${a.id}.${b.widget.data.split('.')[1]}`; // a's id with b's secret
    for (const credential of [undefined, 'nonsense', forged, `${a.widget.data}x`]) {
      const response = await stack.request('GET', '/checkout/v1/session', { token: credential });
      expect({ credential, status: response.status, code: response.body?.code }).toEqual({
        credential,
        status: 401,
        code: 'invalid_shopper_credential',
      });
    }
    expect((await shopper(b.widget.data, 'GET')).body.id).toBe(b.id);
  });

  it('stops working when the session expires or is aborted', async () => {
    const expiring = await openSession();
    await stack.prisma.clientSession.update({
      where: { id: expiring.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await shopper(expiring.widget.data, 'GET');
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('checkout_session_expired');

    const aborting = await openSession();
    const aborted = await stack.request('POST', `/v2/client-sessions/${aborting.id}/abort`, {
      token: stack.frontOffice,
      body: {},
    });
    expect(aborted.status).toBe(200);
    expect((await shopper(aborting.widget.data, 'GET')).status).toBe(401);
  });

  it('opens nothing else: the merchant API refuses the credential', async () => {
    const session = await openSession();
    const token = session.widget.data;
    const attempts = [
      await stack.request('GET', `/v2/client-sessions/${session.id}`, { token }),
      await stack.request('POST', '/v2/payments', {
        token,
        body: {
          amount: 100,
          currency: 'EUR',
          split: [{ partner: 'paytronix', method: 'card', amount: 100 }],
        },
      }),
      await stack.request('POST', '/v2/client-sessions', { token, body: { amount: 100, currency: 'EUR' } }),
      await stack.request('GET', `/v2/payments/${session.id}`, { token }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([401, 401, 401, 401]);
  });

  it('checks a gift card balance showing the last four digits only, in the shopper’s words when refused', async () => {
    const session = await openSession();
    const balance = await shopper(session.widget.data, 'POST', '/giftcard-balance', {
      partner: 'paytronix',
      card_number: '6000000000000100',
    });
    expect(balance.status).toBe(200);
    expect(balance.body).toEqual({
      partner: 'paytronix',
      method: 'giftcard',
      last_four_digits: '0100',
      balance: 10000,
      currency: 'EUR',
    });
    expect(balance.text).not.toContain('6000000000000100');

    const inactive = await shopper(session.widget.data, 'POST', '/giftcard-balance', {
      partner: 'paytronix',
      card_number: '6000000000009999',
    });
    expect(inactive.status).toBe(422);
    expect(inactive.body).toMatchObject({
      code: 'giftcard_not_active',
      detail: 'This gift card is not active.',
      last_four_digits: '9999',
    });
    expect(inactive.text).not.toContain('6000000000009999');

    const invalid = await shopper(session.widget.data, 'POST', '/giftcard-balance', {
      partner: 'paytronix',
      card_number: '12ab',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].field).toBe('card_number');

    const card = await shopper(session.widget.data, 'POST', '/giftcard-balance', {
      partner: 'paytronix',
      method: 'card',
      card_number: '6000000000000100',
    });
    expect(card.status).toBe(422);
    expect(card.body.code).toBe('solution_not_eligible');
  });

  it('limits balance checks per session', async () => {
    const session = await openSession();
    const check = (credential: string) =>
      shopper(credential, 'POST', '/giftcard-balance', {
        partner: 'paytronix',
        card_number: '6000000000000500',
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await check(session.widget.data)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await check(session.widget.data);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another session has its own count.
    expect((await check((await openSession()).widget.data)).status).toBe(200);
  });

  it('submits the session’s payment: a card tender goes to the partner’s hosted page, once', async () => {
    const session = await openSession();
    const paid = await shopper(session.widget.data, 'POST', '/payments', {
      split: [
        {
          partner: 'paytronix',
          method: 'giftcard',
          amount: 10000,
          payment_method: { card_number: '6000000000000500' },
        },
        { partner: 'paytronix', method: 'card', amount: 4299 },
      ],
    });
    expect(paid.status).toBe(201);
    expect(paid.body).toEqual({
      payment_id: expect.any(String),
      status: 'PENDING',
      redirect_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/checkout\//),
    });
    const payment = await stack.prisma.payment.findUniqueOrThrow({ where: { id: paid.body.payment_id } });
    expect(payment).toMatchObject({
      clientSessionId: session.id,
      amount: 14299n,
      currency: 'EUR',
      shopperRedirectionUrl: 'https://shop.example/done',
    });
    // Holds first: the gift card is not debited while the card waits for the shopper.
    const card = await stack.sim('paytronix', '/_sim/paytronix/cards/6000000000000500');
    expect(card.balance).toBe('500.00');

    const again = await shopper(session.widget.data, 'POST', '/payments', {
      split: [{ partner: 'paytronix', method: 'card', amount: 14299 }],
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('client_session_not_open');
    expect((await shopper(session.widget.data, 'GET')).body).toMatchObject({
      status: 'SUBMITTED',
      payment: { id: paid.body.payment_id, status: 'PENDING' },
    });
  });

  it('answers where to go on when the gift card covers it all, and refuses tenders it does not offer', async () => {
    const session = await openSession({ amount: 2500 });
    const notOffered = await shopper(session.widget.data, 'POST', '/payments', {
      split: [{ partner: 'purse', method: 'card', amount: 2500, payment_method: { token: 'purse-approve' } }],
    });
    expect(notOffered.status).toBe(422);
    expect(notOffered.body.code).toBe('solution_not_eligible');
    // A card is entered on the partner's page: the shopper endpoint takes no card data, not even a token.
    const withToken = await shopper(session.widget.data, 'POST', '/payments', {
      split: [
        { partner: 'connect', method: 'card', amount: 2500, payment_method: { token: 'connect-approve' } },
      ],
    });
    expect(withToken.status).toBe(422);
    expect(withToken.body).toMatchObject({
      code: 'card_details_not_accepted',
      errors: [{ field: 'split[0].payment_method' }],
    });
    const reused = await shopper(session.widget.data, 'POST', '/payments', {
      split: [{ parent_payment_id: session.id, amount: 2500 }],
    });
    expect(reused.status).toBe(400);
    const wrongTotal = await shopper(session.widget.data, 'POST', '/payments', {
      split: [
        {
          partner: 'paytronix',
          method: 'giftcard',
          amount: 100,
          payment_method: { card_number: '6000000000000500' },
        },
      ],
    });
    expect(wrongTotal.status).toBe(400);
    expect(wrongTotal.body.errors[0]).toMatchObject({ field: 'split', code: 'split_amount_mismatch' });

    const paid = await shopper(session.widget.data, 'POST', '/payments', {
      split: [
        {
          partner: 'paytronix',
          method: 'giftcard',
          amount: 2500,
          payment_method: { card_number: '6000000000000500' },
        },
      ],
    });
    expect(paid.status).toBe(201);
    expect(paid.body).toEqual({
      payment_id: expect.any(String),
      status: 'AUTHORIZED',
      return_url: `https://pay.tender.test/v2/payments/${paid.body.payment_id}/return`,
    });
  });

  it('answers CORS preflights of the drop-in', async () => {
    const response = await fetch(`${stack.apiUrl}/checkout/v1/session/payments`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });
});
