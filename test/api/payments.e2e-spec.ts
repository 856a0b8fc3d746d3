import type { Schemas } from '@tender/client';
import { responseText } from '../support/openapi';
import { TestStack } from '../support/stack';

/**
 * The merchant API of payments against its real database, without a worker: payments stay PENDING
 * unless a test authorizes their tenders in the database, which lets the API's own rules (validation,
 * idempotency, isolation, amounts, concurrency) be checked on their own. Calls go through the typed
 * client (@tender/client), which checks every answer against the OpenAPI document.
 */
describe('payments API (/v2/payments)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ simulators: true, env: { API_WAIT_FOR_OUTCOME_MS: '0' } });
  });
  afterAll(() => stack.close());

  const giftAndCard = (amount = 4299, gift = 2000): Schemas['CreatePaymentRequest'] => ({
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

  const createPayment = (
    body: Schemas['CreatePaymentRequest'],
    idempotencyKey?: string,
    token = stack.frontOffice,
  ) =>
    stack.client(token).POST('/v2/payments', {
      body,
      params: { header: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {} },
    });

  const operate = (
    operation: 'captures' | 'voids' | 'refunds',
    id: string,
    body: Schemas['OperationRequest'] = {},
    token = stack.backOffice,
  ) =>
    stack.client(token).POST(`/v2/payments/{id}/${operation}` as const, { params: { path: { id } }, body });

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

  /** A new payment (201), as the API answered it. */
  async function newPayment(body = giftAndCard()): Promise<Schemas['Payment']> {
    const { data, response } = await createPayment(body);
    expect(response.status).toBe(201);
    return data!;
  }

  it('creates a split payment, PENDING with authorize_pending, never echoing payment_method', async () => {
    const { data: payment, response } = await createPayment(giftAndCard());
    expect(response.status).toBe(201);
    expect(payment).toMatchObject({
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
      links: { self: { href: `/v2/payments/${payment!.id}`, method: 'GET' } },
    });
    expect(payment!.authorization.partner_transactions).toHaveLength(2);
    expect(responseText(response)).not.toContain('6000000000000500');
    expect(responseText(response)).not.toContain('connect-approve');
    const fetched = await stack.client(stack.backOffice).GET('/v2/payments/{id}', {
      params: { path: { id: payment!.id }, header: { 'Cache-Control': 'max-age=60' } },
    });
    expect(fetched.response.status).toBe(200);
    expect(fetched.data!.id).toBe(payment!.id);
  });

  it('validates the split: sum, eligibility, instruments, with the field named and nothing written', async () => {
    const before = await stack.prisma.payment.count({ where: { entityId: stack.entityId } });
    const sum = await createPayment({ ...giftAndCard(), amount: 5000 });
    expect(sum.response.status).toBe(400);
    expect(sum.error).toMatchObject({
      errors: [expect.objectContaining({ field: 'split', code: 'split_amount_mismatch' })],
    });

    const negative = giftAndCard();
    negative.split[1].amount = -1;
    const negativeResponse = await createPayment(negative);
    expect(negativeResponse.response.status).toBe(400);
    expect(negativeResponse.error).toMatchObject({
      errors: expect.arrayContaining([
        expect.objectContaining({ field: 'split[1].amount', code: 'too_small' }),
      ]),
    });

    const unknownPartner = giftAndCard();
    (unknownPartner.split[1] as Record<string, unknown>).partner = 'acme';
    const notEligible = await createPayment(unknownPartner);
    expect(notEligible.response.status).toBe(422);
    expect(notEligible.error).toMatchObject({
      errors: [expect.objectContaining({ field: 'split[1].method', code: 'tender_not_eligible' })],
    });

    const badCard = giftAndCard();
    (badCard.split[0] as Record<string, unknown>).payment_method = { card_number: 'abc' };
    const badInstrument = await createPayment(badCard);
    expect(badInstrument.response.status).toBe(422);
    expect(badInstrument.error).toMatchObject({
      errors: [
        expect.objectContaining({
          field: 'split[0].payment_method.card_number',
          code: 'invalid_payment_method',
        }),
      ],
    });
    expect(responseText(badInstrument.response)).not.toContain('abc"');

    const extra = await createPayment({ ...giftAndCard(), surprise: 1 } as Schemas['CreatePaymentRequest']);
    expect(extra.response.status).toBe(400);
    expect(extra.error).toMatchObject({
      errors: [expect.objectContaining({ field: 'surprise', code: 'unknown_field' })],
    });
    expect(await stack.prisma.payment.count({ where: { entityId: stack.entityId } })).toBe(before);
  });

  it('ties a payment to its client session, which becomes SUBMITTED', async () => {
    const session = await stack.client(stack.frontOffice).POST('/v2/client-sessions', {
      body: { amount: 4299, currency: 'EUR' },
    });
    const client_session_id = session.data!.id;
    const wrongAmount = await createPayment({ ...giftAndCard(4000), client_session_id });
    expect(wrongAmount.response.status).toBe(422);
    expect(wrongAmount.error).toMatchObject({
      errors: [expect.objectContaining({ field: 'amount', code: 'session_mismatch' })],
    });

    const payment = await newPayment({ ...giftAndCard(), client_session_id });
    const submitted = await stack.client(stack.frontOffice).GET('/v2/client-sessions/{id}', {
      params: { path: { id: client_session_id } },
    });
    expect(submitted.data).toMatchObject({ status: 'SUBMITTED', payment_id: payment.id });
    expect(submitted.data!.links.payment!.href).toBe(`/v2/payments/${payment.id}`);
    const second = await createPayment({ ...giftAndCard(), client_session_id });
    expect(second.response.status).toBe(409);
    expect(second.error).toMatchObject({ code: 'client_session_not_open' });
  });

  describe('idempotency', () => {
    it('replays the same request byte for byte, refuses another body, and scopes keys to the client', async () => {
      const key = `key-${Date.now()}`;
      const first = await createPayment(giftAndCard(), key);
      const replay = await createPayment(giftAndCard(), key);
      expect(first.response.status).toBe(201);
      expect(replay.response.status).toBe(201);
      expect(responseText(replay.response)).toBe(responseText(first.response));
      expect(replay.response.headers.get('idempotent-replayed')).toBe('true');
      expect(first.response.headers.get('idempotent-replayed')).toBeNull();
      expect(await stack.prisma.payment.count({ where: { id: first.data!.id } })).toBe(1);

      const violation = await createPayment(giftAndCard(4300), key);
      expect(violation.response.status).toBe(409);
      expect(violation.error).toMatchObject({ code: 'idempotency_violation' });

      const otherClient = await stack.token(['front_office']);
      const sameKeyOtherClient = await createPayment(giftAndCard(), key, otherClient);
      expect(sameKeyOtherClient.response.status).toBe(201);
      expect(sameKeyOtherClient.data!.id).not.toBe(first.data!.id);
    });

    it('replays errors too', async () => {
      const key = `err-${Date.now()}`;
      const first = await createPayment({ ...giftAndCard(), amount: 1 }, key);
      const again = await createPayment({ ...giftAndCard(), amount: 1 }, key);
      expect(first.response.status).toBe(400);
      expect(again.response.status).toBe(400);
      expect(responseText(again.response)).toBe(responseText(first.response));
      expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    });

    it('answers 409 request_in_progress while the first request runs, and only one payment is created', async () => {
      const key = `race-${Date.now()}`;
      const results = await Promise.all(Array.from({ length: 8 }, () => createPayment(giftAndCard(), key)));
      const created = results.filter((r) => r.response.status === 201);
      const busy = results.filter((r) => r.response.status === 409);
      expect(created.length + busy.length).toBe(8);
      expect(busy.every((r) => r.error?.code === 'request_in_progress')).toBe(true);
      expect(new Set(created.map((r) => r.data!.id)).size).toBe(1);
    });

    it('resumes after a crash past the first write instead of creating a second payment', async () => {
      const key = `crash-${Date.now()}`;
      const first = await createPayment(giftAndCard(), key);
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
      const retry = await createPayment(giftAndCard(), key);
      expect(retry.response.status).toBe(201);
      expect(retry.data!.id).toBe(first.data!.id);
      expect(
        await stack.prisma.payment.count({ where: { entityId: stack.entityId, id: first.data!.id } }),
      ).toBe(1);
    });
  });

  describe('operations', () => {
    it('refuses operations the payment status does not allow, and amounts above what is available', async () => {
      const payment = await newPayment();
      const early = await operate('captures', payment.id);
      expect(early.response.status).toBe(409);
      expect(early.error).toMatchObject({ code: 'payment_status_incompatible' });

      await authorizeInDatabase(payment.id);
      const tooMuch = await operate('captures', payment.id, { amount: 4300 });
      expect(tooMuch.response.status).toBe(422);
      expect(tooMuch.error).toMatchObject({ code: 'amount_exceeds_available', available_to_capture: 4299 });
      const refund = await operate('refunds', payment.id, { amount: 1 });
      expect(refund.response.status).toBe(422);
      const frontOffice = await operate('captures', payment.id, {}, stack.frontOffice);
      expect(frontOffice.response.status).toBe(403);
    });

    it('lets exactly 4 of 20 concurrent captures of 1000 through on a 4299 payment', async () => {
      // Two card tenders: both capture partially and several times (a gift card captures once).
      const payment = await newPayment({
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
          operate('captures', payment.id, { amount: 1000, merchant_reference: `CAP-${i}` }),
        ),
      );
      expect(results.filter((r) => r.response.status === 201)).toHaveLength(4);
      expect(results.filter((r) => r.response.status === 422)).toHaveLength(16);
      const legs = await stack.prisma.operationTransaction.findMany({
        where: { operation: { paymentId: payment.id, type: 'CAPTURE' } },
      });
      expect(legs.reduce((sum, leg) => sum + Number(leg.amount), 0)).toBe(4000);
    });

    it('never refunds more than captured, even concurrently', async () => {
      const payment = await newPayment();
      await authorizeInDatabase(payment.id);
      // Record a successful capture of 3000 (gift card 2000 + card 1000), as the worker would.
      const capture = await operate('captures', payment.id, { amount: 3000 });
      expect(capture.response.status).toBe(201);
      await stack.prisma.operationTransaction.updateMany({
        where: { operation: { paymentId: payment.id } },
        data: { status: 'SUCCESS' },
      });
      await stack.prisma.operation.updateMany({
        where: { paymentId: payment.id },
        data: { status: 'SUCCESS' },
      });
      const results = await Promise.all(
        Array.from({ length: 10 }, () => operate('refunds', payment.id, { amount: 700 })),
      );
      expect(results.filter((r) => r.response.status === 201)).toHaveLength(4);
      const refunded = await stack.prisma.operationTransaction.findMany({
        where: { operation: { paymentId: payment.id, type: 'REFUND' } },
      });
      expect(refunded.reduce((sum, leg) => sum + Number(leg.amount), 0)).toBe(2800);
    });

    it('refuses a refund a partner cannot do before sending anything', async () => {
      const payment = await newPayment({
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
      const refund = await operate('refunds', payment.id);
      expect(refund.response.status).toBe(422);
      expect(refund.error).toMatchObject({ code: 'partner_cannot_refund' });
      expect(await stack.prisma.operation.count({ where: { paymentId: payment.id, type: 'REFUND' } })).toBe(
        0,
      );
    });
  });

  it('hides other entities’ payments', async () => {
    const payment = await newPayment();
    const other = await TestStack.start({ simulators: false });
    try {
      const client = other.client(await other.token(['back_office']));
      const params = { path: { id: payment.id } };
      expect((await client.GET('/v2/payments/{id}', { params })).response.status).toBe(404);
      expect((await client.POST('/v2/payments/{id}/voids', { params, body: {} })).response.status).toBe(404);
    } finally {
      await other.close();
    }
  });
});
