import { TestStack } from '../support/stack';

/**
 * The merchant API of payments against its real database, without a worker: payments stay PENDING
 * unless a test authorizes their tenders in the database, which lets the API's own rules (validation,
 * idempotency, isolation, amounts, concurrency) be checked on their own.
 */
describe('payments API (/v2/payments)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ simulators: true, env: { API_WAIT_FOR_OUTCOME_MS: '0' } });
  });
  afterAll(() => stack.close());

  const giftAndCard = (amount = 4299, gift = 2000) => ({
    amount,
    currency: 'EUR',
    capture_mode: 'MANUAL',
    split: [
      {
        partner: 'paytronix',
        method: 'giftcard',
        amount: gift,
        payment_method: { card_number: '6000000000000500' },
      },
      {
        partner: 'connect',
        method: 'card',
        amount: amount - gift,
        payment_method: { token: 'connect-approve' },
      },
    ],
  });

  const createPayment = (body: unknown, headers: Record<string, string> = {}) =>
    stack.request('POST', '/v2/payments', { token: stack.frontOffice, body, headers });

  /** Marks every tender of a payment authorized, as the worker would after the partners said yes. */
  async function authorizeInDatabase(paymentId: string): Promise<void> {
    await stack.prisma.partnerTransaction.updateMany({
      where: { paymentId },
      data: { status: 'AUTHORIZED', attempts: 1 },
    });
    await stack.prisma.payment.update({
      where: { id: paymentId },
      data: { status: 'AUTHORIZED', version: { increment: 1 } },
    });
  }

  it('creates a split payment, PENDING with authorize_pending, never echoing payment_method', async () => {
    const response = await createPayment(giftAndCard());
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      version: 1,
      entity_id: stack.entityId,
      amount: 4299,
      currency: 'EUR',
      capture_mode: 'MANUAL',
      amounts: {
        authorize_pending: 4299,
        total_authorized: 0,
        total_captured: 0,
        total_voided: 0,
        total_refunded: 0,
        available_to_capture: 0,
        available_to_void: 0,
        available_to_refund: 0,
      },
      overview: { consumed: 'NOT', captured: 'NOT', voided: 'NOT', refunded: 'NOT' },
      split: [
        { partner: 'paytronix', method: 'giftcard', amount: 2000 },
        { partner: 'connect', method: 'card', amount: 2299 },
      ],
      authorization: { status: 'PENDING' },
      captures: [],
      voids: [],
      refunds: [],
      links: { self: { href: `/v2/payments/${response.body.id}`, method: 'GET' } },
    });
    expect(response.body.authorization.partner_transactions).toHaveLength(2);
    expect(response.text).not.toContain('6000000000000500');
    expect(response.text).not.toContain('connect-approve');
    const fetched = await stack.request('GET', `/v2/payments/${response.body.id}`, {
      token: stack.backOffice,
      headers: { 'cache-control': 'max-age=60' },
    });
    expect(fetched.status).toBe(200);
    expect(fetched.body.id).toBe(response.body.id);
  });

  it('validates the split: sum, eligibility, instruments, with the field named and nothing written', async () => {
    const before = await stack.prisma.payment.count({ where: { entityId: stack.entityId } });
    const sum = await createPayment({ ...giftAndCard(), amount: 5000 });
    expect(sum.status).toBe(400);
    expect(sum.body.errors).toEqual([
      expect.objectContaining({ field: 'split', code: 'split_amount_mismatch' }),
    ]);

    const negative = giftAndCard();
    negative.split[1].amount = -1;
    const negativeResponse = await createPayment(negative);
    expect(negativeResponse.status).toBe(400);
    expect(negativeResponse.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'split[1].amount', code: 'too_small' })]),
    );

    const unknownPartner = giftAndCard();
    (unknownPartner.split[1] as Record<string, unknown>).partner = 'acme';
    const notEligible = await createPayment(unknownPartner);
    expect(notEligible.status).toBe(422);
    expect(notEligible.body.errors).toEqual([
      expect.objectContaining({ field: 'split[1].method', code: 'tender_not_eligible' }),
    ]);

    const badCard = giftAndCard();
    badCard.split[0].payment_method = { card_number: 'abc' };
    const badInstrument = await createPayment(badCard);
    expect(badInstrument.status).toBe(422);
    expect(badInstrument.body.errors).toEqual([
      expect.objectContaining({
        field: 'split[0].payment_method.card_number',
        code: 'invalid_payment_method',
      }),
    ]);
    expect(badInstrument.text).not.toContain('abc"');

    const extra = await createPayment({ ...giftAndCard(), surprise: 1 });
    expect(extra.status).toBe(400);
    expect(extra.body.errors[0]).toMatchObject({ field: 'surprise', code: 'unknown_field' });
    expect(await stack.prisma.payment.count({ where: { entityId: stack.entityId } })).toBe(before);
  });

  it('ties a payment to its client session, which becomes SUBMITTED', async () => {
    const session = await stack.request('POST', '/v2/client-sessions', {
      token: stack.frontOffice,
      body: { amount: 4299, currency: 'EUR' },
    });
    const wrongAmount = await createPayment({ ...giftAndCard(4000), client_session_id: session.body.id });
    expect(wrongAmount.status).toBe(422);
    expect(wrongAmount.body.errors[0]).toMatchObject({ field: 'amount', code: 'session_mismatch' });

    const payment = await createPayment({ ...giftAndCard(), client_session_id: session.body.id });
    expect(payment.status).toBe(201);
    const submitted = await stack.request('GET', `/v2/client-sessions/${session.body.id}`, {
      token: stack.frontOffice,
    });
    expect(submitted.body).toMatchObject({ status: 'SUBMITTED', payment_id: payment.body.id });
    expect(submitted.body.links.payment.href).toBe(`/v2/payments/${payment.body.id}`);
    const second = await createPayment({ ...giftAndCard(), client_session_id: session.body.id });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('client_session_not_open');
  });

  describe('idempotency', () => {
    it('replays the same request byte for byte, refuses another body, and scopes keys to the client', async () => {
      const key = `key-${Date.now()}`;
      const first = await createPayment(giftAndCard(), { 'idempotency-key': key });
      const replay = await createPayment(giftAndCard(), { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(replay.status).toBe(201);
      expect(replay.text).toBe(first.text);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(await stack.prisma.payment.count({ where: { id: first.body.id } })).toBe(1);

      const violation = await createPayment(giftAndCard(4300), { 'idempotency-key': key });
      expect(violation.status).toBe(409);
      expect(violation.body.code).toBe('idempotency_violation');

      const otherClient = await stack.token(['front_office']);
      const sameKeyOtherClient = await stack.request('POST', '/v2/payments', {
        token: otherClient,
        body: giftAndCard(),
        headers: { 'idempotency-key': key },
      });
      expect(sameKeyOtherClient.status).toBe(201);
      expect(sameKeyOtherClient.body.id).not.toBe(first.body.id);
    });

    it('replays errors too', async () => {
      const key = `err-${Date.now()}`;
      const first = await createPayment({ ...giftAndCard(), amount: 1 }, { 'idempotency-key': key });
      const again = await createPayment({ ...giftAndCard(), amount: 1 }, { 'idempotency-key': key });
      expect(first.status).toBe(400);
      expect(again.status).toBe(400);
      expect(again.text).toBe(first.text);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    });

    it('answers 409 request_in_progress while the first request runs, and only one payment is created', async () => {
      const key = `race-${Date.now()}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, () => createPayment(giftAndCard(), { 'idempotency-key': key })),
      );
      const created = results.filter((r) => r.status === 201);
      const busy = results.filter((r) => r.status === 409);
      expect(created.length + busy.length).toBe(8);
      expect(busy.every((r) => r.body.code === 'request_in_progress')).toBe(true);
      expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    });

    it('resumes after a crash past the first write instead of creating a second payment', async () => {
      const key = `crash-${Date.now()}`;
      const first = await createPayment(giftAndCard(), { 'idempotency-key': key });
      // Simulate a process that committed the payment, then died before storing its response.
      await stack.prisma.idempotencyKey.updateMany({
        where: { key },
        data: {
          state: 'IN_PROGRESS',
          responseBody: null,
          responseStatus: null,
          lockedAt: new Date(Date.now() - 3600_000),
        },
      });
      const retry = await createPayment(giftAndCard(), { 'idempotency-key': key });
      expect(retry.status).toBe(201);
      expect(retry.body.id).toBe(first.body.id);
      expect(
        await stack.prisma.payment.count({ where: { entityId: stack.entityId, id: first.body.id } }),
      ).toBe(1);
    });
  });

  describe('operations', () => {
    it('refuses operations the payment status does not allow, and amounts above what is available', async () => {
      const { body: payment } = await createPayment(giftAndCard());
      const early = await stack.request('POST', `/v2/payments/${payment.id}/captures`, {
        token: stack.backOffice,
        body: {},
      });
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('payment_status_incompatible');

      await authorizeInDatabase(payment.id);
      const tooMuch = await stack.request('POST', `/v2/payments/${payment.id}/captures`, {
        token: stack.backOffice,
        body: { amount: 4300 },
      });
      expect(tooMuch.status).toBe(422);
      expect(tooMuch.body).toMatchObject({ code: 'amount_exceeds_available', available_to_capture: 4299 });
      const refund = await stack.request('POST', `/v2/payments/${payment.id}/refunds`, {
        token: stack.backOffice,
        body: { amount: 1 },
      });
      expect(refund.status).toBe(422);
      const frontOffice = await stack.request('POST', `/v2/payments/${payment.id}/captures`, {
        token: stack.frontOffice,
        body: {},
      });
      expect(frontOffice.status).toBe(403);
    });

    it('lets exactly 4 of 20 concurrent captures of 1000 through on a 4299 payment', async () => {
      // Two card tenders: both capture partially and several times (a gift card captures once).
      const { body: payment } = await createPayment({
        amount: 4299,
        currency: 'EUR',
        split: [
          { partner: 'connect', method: 'card', amount: 2299, payment_method: { token: 'connect-approve' } },
          { partner: 'purse', method: 'card', amount: 2000, payment_method: { token: 'purse-approve' } },
        ],
      });
      await authorizeInDatabase(payment.id);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          stack.request('POST', `/v2/payments/${payment.id}/captures`, {
            token: stack.backOffice,
            body: { amount: 1000, merchant_reference: `CAP-${i}` },
          }),
        ),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(4);
      expect(results.filter((r) => r.status === 422)).toHaveLength(16);
      const legs = await stack.prisma.operationTransaction.findMany({
        where: { operation: { paymentId: payment.id, type: 'CAPTURE' } },
      });
      expect(legs.reduce((sum, leg) => sum + Number(leg.amount), 0)).toBe(4000);
    });

    it('never refunds more than captured, even concurrently', async () => {
      const { body: payment } = await createPayment(giftAndCard());
      await authorizeInDatabase(payment.id);
      // Record a successful capture of 3000 (gift card 2000 + card 1000), as the worker would.
      const capture = await stack.request('POST', `/v2/payments/${payment.id}/captures`, {
        token: stack.backOffice,
        body: { amount: 3000 },
      });
      expect(capture.status).toBe(201);
      await stack.prisma.operationTransaction.updateMany({
        where: { operation: { paymentId: payment.id } },
        data: { status: 'SUCCESS' },
      });
      await stack.prisma.operation.updateMany({
        where: { paymentId: payment.id },
        data: { status: 'SUCCESS' },
      });
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          stack.request('POST', `/v2/payments/${payment.id}/refunds`, {
            token: stack.backOffice,
            body: { amount: 700 },
          }),
        ),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(4);
      const refunded = await stack.prisma.operationTransaction.findMany({
        where: { operation: { paymentId: payment.id, type: 'REFUND' } },
      });
      expect(refunded.reduce((sum, leg) => sum + Number(leg.amount), 0)).toBe(2800);
    });

    it('refuses a refund a partner cannot do before sending anything', async () => {
      const { body: payment } = await createPayment({
        amount: 1500,
        currency: 'EUR',
        split: [{ partner: 'paytronix', method: 'card', amount: 1500 }],
      });
      await authorizeInDatabase(payment.id);
      await stack.prisma.operation.create({
        data: {
          id: crypto.randomUUID(),
          paymentId: payment.id,
          type: 'CAPTURE',
          amount: 1500n,
          status: 'SUCCESS',
          triggeredBy: 'MERCHANT',
          legs: {
            create: {
              id: crypto.randomUUID(),
              partnerTransactionId: payment.authorization.partner_transactions[0].id,
              amount: 1500n,
              status: 'SUCCESS',
              reference: crypto.randomUUID(),
            },
          },
        },
      });
      const refund = await stack.request('POST', `/v2/payments/${payment.id}/refunds`, {
        token: stack.backOffice,
        body: {},
      });
      expect(refund.status).toBe(422);
      expect(refund.body.code).toBe('partner_cannot_refund');
      expect(await stack.prisma.operation.count({ where: { paymentId: payment.id, type: 'REFUND' } })).toBe(
        0,
      );
    });
  });

  it('hides other entities’ payments', async () => {
    const { body: payment } = await createPayment(giftAndCard());
    const other = await TestStack.start({ simulators: false });
    try {
      const token = await other.token(['back_office']);
      expect((await other.request('GET', `/v2/payments/${payment.id}`, { token })).status).toBe(404);
      expect(
        (await other.request('POST', `/v2/payments/${payment.id}/voids`, { token, body: {} })).status,
      ).toBe(404);
    } finally {
      await other.close();
    }
  });
});
