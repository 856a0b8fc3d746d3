import { newId } from '@tender/persistence';
import { ReconciliationSchedule } from '../../apps/worker/src/reconciliation/reconciliation-schedule';
import { eventually, TestStack } from '../support/stack';
import { toConnectReference } from '@tender/partners/connect';

/**
 * The heart of Tender against the real stack: API, worker, Postgres, Redis and the partner
 * simulators. Money is checked on both sides: our amounts and the simulators' own books.
 */
describe('split payments through the partners', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: true });
  });
  afterAll(() => stack.close());
  beforeEach(async () => {
    await Promise.all(
      ['connect', 'purse', 'paytronix'].map((p) => stack.sim(p as 'connect', '/_sim/reset', 'POST')),
    );
  });

  const pay = (split: unknown[], extra: Record<string, unknown> = {}) => {
    const amount = (split as Array<{ amount: number }>).reduce((s, t) => s + t.amount, 0);
    return stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: { amount, currency: 'EUR', capture_mode: 'MANUAL', split, ...extra },
    });
  };
  const op = (id: string, kind: 'captures' | 'voids' | 'refunds', body: Record<string, unknown> = {}) =>
    stack.request('POST', `/v2/payments/${id}/${kind}`, { token: stack.backOffice, body });
  const get = (id: string) => stack.request('GET', `/v2/payments/${id}`, { token: stack.backOffice });
  const giftCard = (number: string, amount: number) => ({
    partner: 'paytronix',
    method: 'giftcard',
    amount,
    payment_method: { card_number: number },
  });
  const connectCard = (token: string, amount: number) => ({
    partner: 'connect',
    method: 'card',
    amount,
    payment_method: { token },
  });
  const balance = async (card: string) =>
    (await stack.sim('paytronix', `/_sim/paytronix/cards/${card}`)).balance;
  const connectBooks = async (reference: string) =>
    (await stack.sim('connect', `/_sim/connect/transactions?reference=${toConnectReference(reference)}`))
      .transactions;
  const tender = (payment: any, partner: string) =>
    payment.authorization.partner_transactions.find((t: any) => t.partner === partner);
  const referenceOf = async (tenderId: string) =>
    (await stack.prisma.partnerTransaction.findUniqueOrThrow({ where: { id: tenderId } })).reference;

  it('authorizes gift card + card, captures partly, voids the rest, refunds partly — books agree', async () => {
    const created = await pay([giftCard('6000000000000500', 2000), connectCard('connect-approve', 2299)]);
    expect(created.status).toBe(201);
    expect(created.body.authorization.status).toBe('AUTHORIZED');
    expect(created.body.amounts).toMatchObject({
      authorize_pending: 0,
      total_authorized: 4299,
      available_to_capture: 4299,
    });
    expect(await balance('6000000000000500')).toBe('480.00');
    const id = created.body.id;
    const connectRef = await referenceOf(tender(created.body, 'connect').id);
    // The answer is the payment as committed when it settled (carried by the worker's signal): the
    // same as reading it now, nothing having changed since.
    expect((await get(id)).body).toEqual(created.body);

    // Capture 3000: the gift card (already debited) first, then 1000 of the card.
    const captured = await op(id, 'captures', { amount: 3000, merchant_reference: 'CAP-1' });
    expect(captured.status).toBe(201);
    expect(captured.body.captures[0]).toMatchObject({
      amount: 3000,
      status: 'SUCCESS',
      merchant_reference: 'CAP-1',
    });
    expect(captured.body.amounts).toMatchObject({
      total_captured: 3000,
      available_to_capture: 1299,
      available_to_void: 1299,
      available_to_refund: 3000,
    });
    expect(captured.body.overview).toMatchObject({ captured: 'PARTIALLY', consumed: 'PARTIALLY' });
    expect((await get(id)).body).toEqual(captured.body);
    // The card's leg succeeded once Connect settled the capture (CAPTURED), not when it was requested.
    expect((await connectBooks(connectRef))[0]).toMatchObject({
      amountCaptured: 1000,
      amountSettled: 1000,
      captures: [{ amount: 1000, status: 'CAPTURED' }],
    });
    // The gift card's leg is bookkeeping (its redeem already moved the money): settled when written,
    // never sent; the card's leg went to Connect once.
    const legs = await stack.prisma.operationTransaction.findMany({
      where: { operationId: captured.body.captures[0].id },
      include: { partnerTransaction: { select: { partner: true } } },
    });
    expect(legs.map((l) => [l.partnerTransaction.partner, l.status, l.attempts]).sort()).toEqual([
      ['connect', 'SUCCESS', 1],
      ['paytronix', 'SUCCESS', 0],
    ]);
    expect(legs.find((l) => l.partnerTransaction.partner === 'connect')?.partnerStatus).toBe('900'); // CAPTURED

    const voided = await op(id, 'voids', {});
    expect(voided.status).toBe(201);
    expect(voided.body.voids.at(-1)).toMatchObject({ amount: 1299, status: 'SUCCESS' });
    expect(voided.body.amounts).toMatchObject({
      total_voided: 1299,
      available_to_capture: 0,
      available_to_void: 0,
    });
    expect(voided.body.overview).toMatchObject({ consumed: 'FULLY', voided: 'PARTIALLY' });
    expect((await connectBooks(connectRef))[0]).toMatchObject({
      amountCaptured: 1000,
      amountCancelled: 1299,
    });

    // Refund 500: cards are refunded before stored value.
    const refunded = await op(id, 'refunds', { amount: 500 });
    expect(refunded.status).toBe(201);
    expect(refunded.body.refunds[0]).toMatchObject({ amount: 500, status: 'SUCCESS' });
    expect(refunded.body.refunds[0].partner_transactions).toEqual([
      expect.objectContaining({ partner: 'connect', amount: 500 }),
    ]);
    expect(refunded.body.amounts).toMatchObject({ total_refunded: 500, available_to_refund: 2500 });
    expect((await connectBooks(connectRef))[0]).toMatchObject({
      amountRefunded: 500,
      refunds: [{ amount: 500, status: 'REFUNDED' }],
    });
    expect(await balance('6000000000000500')).toBe('480.00');

    // A refund beyond the rest is refused; a refund of the rest goes to the gift card too.
    expect((await op(id, 'refunds', { amount: 2501 })).status).toBe(422);
    const rest = await op(id, 'refunds', {});
    expect(rest.body.amounts).toMatchObject({ total_refunded: 3000, available_to_refund: 0 });
    expect(rest.body.overview.refunded).toBe('FULLY');
    expect(await balance('6000000000000500')).toBe('500.00');
    // Every job was enqueued, and its outbox row deleted (in batches, shortly after).
    await eventually(
      async () => ((await stack.prisma.outbox.count()) === 0 ? true : undefined),
      5000,
      'an empty outbox',
    );
  });

  it('refuses the whole split when the gift card is declined, voiding the card hold', async () => {
    const created = await pay([connectCard('connect-approve', 1500), giftCard('6000000000000000', 1000)]);
    expect(created.status).toBe(201);
    const final = await eventually(async () => {
      const current = (await get(created.body.id)).body;
      return current.authorization.status === 'REFUSED' &&
        current.voids.every((v: any) => v.status === 'SUCCESS') &&
        current.voids.length
        ? current
        : undefined;
    });
    expect(final.authorization.failure).toMatchObject({
      partner: 'paytronix',
      method: 'giftcard',
      status: 'REFUSED',
    });
    expect(final.authorization.failure.partner_status).toBeTruthy();
    expect(tender(final, 'connect').status).toBe('CANCELLED');
    const books = await connectBooks(await referenceOf(tender(final, 'connect').id));
    expect(books).toHaveLength(1);
    expect(books[0]).toMatchObject({ status: 'CANCELLED', amountCaptured: 0 });
    expect(final.amounts).toMatchObject({ available_to_capture: 0, total_captured: 0 });
    expect(await balance('6000000000000000')).toBe('0.00');
  });

  it('never sends the gift card when the card is declined', async () => {
    const created = await pay([giftCard('6000000000000100', 1000), connectCard('connect-decline', 1500)]);
    const final = await eventually(async () => {
      const current = (await get(created.body.id)).body;
      return current.authorization.status === 'REFUSED' ? current : undefined;
    });
    expect(final.authorization.failure).toMatchObject({ partner: 'connect', status: 'REFUSED' });
    expect(tender(final, 'paytronix').status).toBe('CANCELLED');
    expect(await balance('6000000000000100')).toBe('100.00');
    const redeems = await stack.sim(
      'paytronix',
      `/_sim/paytronix/transactions?reference=${await referenceOf(tender(final, 'paytronix').id)}`,
    );
    expect(redeems.transactions).toHaveLength(0);
  });

  it('settles a timed-out authorization that succeeded at the partner, with exactly one authorization there', async () => {
    const created = await pay([connectCard('connect-timeout', 2500)]);
    const ref = await referenceOf(created.body.authorization.partner_transactions[0].id);
    const final = await eventually(async () => {
      const current = (await get(created.body.id)).body;
      return current.authorization.status === 'AUTHORIZED' ? current : undefined;
    }, 30000);
    expect(final.amounts.total_authorized).toBe(2500);
    const books = await connectBooks(ref);
    expect(books).toHaveLength(1);
    expect(books[0].amountAuthorized).toBe(2500);
  });

  it('holds a challenged card for fraud review until approved, or cancels it on void', async () => {
    const held = await pay([connectCard('connect-challenge', 1200)]);
    expect(held.body.authorization.status).toBe('PENDING_FRAUD_APPROVAL');
    expect(held.body.links.approve).toBeDefined();
    expect((await op(held.body.id, 'captures', {})).status).toBe(409);
    const approved = await stack.request('POST', `/v2/payments/${held.body.id}/approve`, {
      token: stack.backOffice,
    });
    expect(approved.status).toBe(200);
    expect(approved.body.authorization.status).toBe('AUTHORIZED');
    expect((await op(held.body.id, 'captures', {})).body.amounts.total_captured).toBe(1200);

    const other = await pay([connectCard('connect-challenge', 800)]);
    const voided = await op(other.body.id, 'voids', {});
    expect(voided.status).toBe(201);
    expect(voided.body.authorization.status).toBe('CANCELLED');
    const books = await connectBooks(await referenceOf(other.body.authorization.partner_transactions[0].id));
    expect(books[0].status).toBe('CANCELLED');
  });

  it('captures automatically in AUTOMATIC mode', async () => {
    const created = await pay([giftCard('6000000000000500', 700), connectCard('connect-approve', 300)], {
      capture_mode: 'AUTOMATIC',
    });
    const final = await eventually(async () => {
      const current = (await get(created.body.id)).body;
      return current.captures[0]?.status === 'SUCCESS' ? current : undefined;
    });
    expect(final.captures[0]).toMatchObject({ triggered_by: 'SYSTEM', amount: 1000 });
    expect(final.amounts).toMatchObject({ total_captured: 1000, available_to_capture: 0 });
  });

  it('authorizes a hosted-checkout card once the shopper completes the page, and refuses a refund on it', async () => {
    const created = await pay([{ partner: 'paytronix', method: 'card', amount: 1500 }], {
      shopper_redirection_url: 'https://merchant.example/back',
    });
    expect(created.status).toBe(201);
    expect(created.body.authorization.status).toBe('PENDING');
    expect(created.body.redirection?.href).toMatch(/^http/);
    expect(created.body.amounts.authorize_pending).toBe(1500);
    const sessionId =
      created.body.authorization.partner_transactions[0].partner_additional_data?.checkoutSessionId;
    expect(sessionId).toBeTruthy();
    await stack.sim('paytronix', `/_sim/paytronix/checkout/${sessionId}/complete`, 'POST', {});
    // The shopper comes back through Tender, which checks the tender before sending them on with a signed token.
    const back = await fetch(`${stack.apiUrl}/v2/payments/${created.body.id}/return`, { redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toMatch(
      /^https:\/\/merchant\.example\/back\?purse-redirection-data=/,
    );
    const authorized = await eventually(async () => {
      const current = (await get(created.body.id)).body;
      return current.authorization.status === 'AUTHORIZED' ? current : undefined;
    });
    expect(authorized.amounts.total_authorized).toBe(1500);
    expect((await op(created.body.id, 'captures', { amount: 1000 })).body.code).toBe(
      'partner_cannot_partially_capture',
    );
    const captured = await op(created.body.id, 'captures', {});
    expect(captured.body.amounts.total_captured).toBe(1500);
    const refund = await op(created.body.id, 'refunds', { amount: 100 });
    expect(refund.status).toBe(422);
    expect(refund.body.code).toBe('partner_cannot_refund');
  });

  it('cancels the payment of an aborted session: nothing more is sent, what holds money is voided', async () => {
    const session = await stack.request('POST', '/v2/client-sessions', {
      token: stack.frontOffice,
      body: { amount: 2500, currency: 'EUR' },
    });
    const created = await pay(
      [{ partner: 'paytronix', method: 'card', amount: 1500 }, giftCard('6000000000000100', 1000)],
      {
        client_session_id: session.body.id,
      },
    );
    expect(created.body.authorization.status).toBe('PENDING');
    const aborted = await stack.request('POST', `/v2/client-sessions/${session.body.id}/abort`, {
      token: stack.frontOffice,
    });
    expect(aborted.status).toBe(200);
    expect(aborted.body.status).toBe('ABORTED_BY_MERCHANT');
    const final = await eventually(async () => {
      const current = (await get(created.body.id)).body;
      return current.authorization.status === 'CANCELLED' ? current : undefined;
    });
    expect(final.authorization.partner_transactions.map((t: any) => t.status)).toEqual([
      'CANCELLED',
      'CANCELLED',
    ]);
    const checkout = tender(final, 'paytronix');
    const intents = await stack.sim(
      'paytronix',
      `/_sim/paytronix/transactions?reference=${checkout.partner_reference}`,
    );
    expect(intents.paymentIntents[0].status).toBe('CANCELED');
    expect(await balance('6000000000000100')).toBe('100.00');
    expect(
      (await stack.request('GET', `/v2/client-sessions/${session.body.id}`, { token: stack.frontOffice }))
        .body.status,
    ).toBe('ABORTED_BY_MERCHANT');
  });

  it('re-enqueues a partner lookup that Redis lost, from next_check_at in Postgres', async () => {
    // An UNKNOWN tender whose delayed check job is gone: only the row says a lookup is overdue.
    const paymentId = newId();
    const tenderId = newId();
    await stack.prisma.payment.create({
      data: {
        id: paymentId,
        entityId: stack.entityId,
        amount: 900n,
        currency: 'EUR',
        captureMode: 'MANUAL',
        status: 'PENDING',
      },
    });
    await stack.prisma.partnerTransaction.create({
      data: {
        id: tenderId,
        paymentId,
        position: 0,
        partner: 'connect',
        method: 'card',
        amount: 900n,
        currency: 'EUR',
        status: 'UNKNOWN',
        attempts: 1,
        instrument: { token: 'connect-approve' },
        reference: tenderId.replace(/-/g, ''),
        nextCheckAt: new Date(Date.now() - 10 * 60_000),
      },
    });
    expect(await stack.worker!.get(ReconciliationSchedule).requeueOverdueChecks()).toBeGreaterThanOrEqual(1);
    const settled = await eventually(async () => {
      const payment = await stack.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
      return payment.status === 'AUTHORIZED' ? payment : undefined;
    });
    expect(settled.status).toBe('AUTHORIZED');
    expect(await connectBooks(tenderId.replace(/-/g, ''))).toHaveLength(1);
  });
});
