/**
 * The payment store's creation and the worker's writes against a real Postgres: a payment with its
 * tenders, attempt claims and their lease, recorded authorizations and leg results, open outcomes,
 * the overdue sweep's reads, the light status reads.
 */
import {
  claimAttempt,
  combine,
  countTendersAwaitingShopper,
  createDatabase,
  findOverdueLegChecks,
  findOverdueTenderChecks,
  findTransactionsNamed,
  insertOperation,
  insertPaymentWithTenders,
  listTendersAwaitingShopper,
  loadAuthorizationProgress,
  loadOperationStatus,
  loadPayment,
  loadPaymentForReturn,
  markLegUnknown,
  markUnknown,
  newId,
  recordAuthorization,
  recordLegResult,
  runStatement,
} from '@tender/persistence';
import { TEST_DATABASE_URL } from '../support/env';

describe('payment attempts in Postgres', () => {
  const db = createDatabase(TEST_DATABASE_URL, 2);
  afterAll(() => db.end());
  const entityId = newId();
  const paymentId = newId();
  const [card, giftCard] = [newId(), newId()];
  const legId = newId();
  const operationId = newId();

  beforeAll(async () => {
    await db.query('INSERT INTO entity (id, name) VALUES ($1::uuid, $2::text)', [
      entityId,
      `attempts-${entityId}`,
    ]);
  });

  it('creates a payment and its tenders (PENDING, in split order) in one statement', async () => {
    const tender = (id: string, partner: string, method: string, amount: number) => ({
      id,
      partner,
      method,
      amount,
      instrument: { token: 'sealed' },
      parentPaymentId: null,
      parentPartnerTransactionId: null,
    });
    await runStatement(
      db,
      combine(
        insertPaymentWithTenders(
          {
            id: paymentId,
            entityId,
            clientSessionId: null,
            amount: 3000,
            currency: 'EUR',
            captureMode: 'MANUAL',
            allowFutureUsage: true,
            orderReference: 'order-1',
            order: { reference: 'order-1' },
            customer: null,
            browser: undefined,
            threeDsOptions: null,
            shopperRedirectionUrl: 'https://shop.example/back',
            webhook: { url: 'https://shop.example/hooks' },
          },
          [tender(card, 'connect', 'card', 2000), tender(giftCard, 'paytronix', 'giftcard', 1000)],
        ),
      ),
    );
    const payment = (await loadPayment(db, paymentId, entityId))!;
    expect(payment).toMatchObject({
      status: 'PENDING',
      amount: 3000n,
      captureMode: 'MANUAL',
      allowFutureUsage: true,
      orderReference: 'order-1',
      order: { reference: 'order-1' },
      browser: null,
      webhook: { url: 'https://shop.example/hooks' },
      version: 1,
    });
    expect(
      payment.partnerTransactions.map((t) => [t.id, t.position, t.status, t.amount, t.reference]),
    ).toEqual([
      [card, 0, 'PENDING', 2000n, card.replace(/-/g, '')],
      [giftCard, 1, 'PENDING', 1000n, giftCard.replace(/-/g, '')],
    ]);
    expect(await loadAuthorizationProgress(db, paymentId)).toEqual({
      status: 'PENDING',
      needsShopper: false,
    });
    expect(await loadAuthorizationProgress(db, newId())).toBeUndefined();
  });

  it('claims an attempt only once per count, and not while the last one is in flight', async () => {
    expect(await claimAttempt(db, 'partner_transaction', card, 0, 60_000)).toBe(true);
    expect(await claimAttempt(db, 'partner_transaction', card, 0, 60_000)).toBe(false); // counted already
    expect(await claimAttempt(db, 'partner_transaction', card, 1, 60_000)).toBe(false); // lease holds
    await db.query(
      `UPDATE partner_transaction SET in_flight_until = now() - interval '1 second' WHERE id = $1`,
      [card],
    );
    expect(await claimAttempt(db, 'partner_transaction', card, 1, 60_000)).toBe(true);
  });

  it('records an authorization (a field not sent keeps its value), only while the attempt is still the last', async () => {
    const unknown = await markUnknown(db, card, {
      unknown: true,
      lastError: { reason: 'timeout', checks: 1 },
      nextCheckAt: new Date(0),
    });
    expect(unknown).toMatchObject({
      status: 'UNKNOWN',
      lastError: { reason: 'timeout', checks: 1 },
      nextCheckAt: new Date(0),
    });
    expect(unknown.unknownSince).toBeInstanceOf(Date);
    expect((await findOverdueTenderChecks(db, new Date(1000), 100_000)).filter((r) => r.id === card)).toEqual(
      [{ id: card, partner: 'connect' }],
    );

    expect(
      await recordAuthorization(db, card, { status: 'AUTHORIZED', clearNextCheck: true, ifStillAttempt: 1 }),
    ).toBeUndefined();
    const recorded = await recordAuthorization(db, card, {
      status: 'AUTHORIZED',
      partnerReference: 'psp-1',
      card: { last4: '4242' },
      clearNextCheck: true,
      ifStillAttempt: 2,
      instrument: { token: 'no pin' },
    });
    expect(recorded).toMatchObject({
      status: 'AUTHORIZED',
      partnerReference: 'psp-1',
      card: { last4: '4242' },
      nextCheckAt: null,
      instrument: { token: 'no pin' },
    });
    const again = await recordAuthorization(db, card, {
      status: null,
      partnerStatus: 'settled',
      clearNextCheck: false,
    });
    expect(again).toMatchObject({
      status: 'AUTHORIZED',
      partnerReference: 'psp-1',
      partnerStatus: 'settled',
    });
  });

  it('records leg results and open leg outcomes', async () => {
    await insertOperation(db, {
      id: operationId,
      paymentId,
      type: 'CAPTURE',
      amount: 2000,
      merchantReference: null,
      order: null,
      status: 'PENDING',
      triggeredBy: 'MERCHANT',
      legs: [{ id: legId, tenderId: card, amount: 2000, status: 'PENDING' }],
    });
    const open = await markLegUnknown(db, legId, {
      status: 'PENDING',
      partnerReference: 'cap-1',
      partnerStatus: 'queued',
      lastError: { reason: 'under way', checks: 1 },
      nextCheckAt: new Date(0),
    });
    expect(open).toMatchObject({ status: 'PENDING', partnerReference: 'cap-1', partnerStatus: 'queued' });
    expect(await findOverdueLegChecks(db, new Date(1000), 100_000)).toContainEqual({
      id: legId,
      partner: 'connect',
    });
    const settled = await recordLegResult(db, legId, {
      status: 'SUCCESS',
      partnerStatusDescription: 'captured',
    });
    expect(settled).toMatchObject({
      status: 'SUCCESS',
      partnerReference: 'cap-1',
      partnerStatus: 'queued',
      partnerStatusDescription: 'captured',
      nextCheckAt: null,
    });
    expect(await loadOperationStatus(db, operationId)).toBe('PENDING');
    expect(await loadOperationStatus(db, newId())).toBeUndefined();
  });

  it("finds what a partner event names, the shopper's waiting tenders, and the payment for the return", async () => {
    const byReference = await findTransactionsNamed(db, {
      partner: 'connect',
      entityIds: [entityId],
      by: 'reference',
      value: card.replace(/-/g, ''),
    });
    expect(byReference).toEqual({ tenders: [{ id: card, openLegIds: [] }], legs: [] });
    const byPartnerReference = await findTransactionsNamed(db, {
      partner: 'connect',
      entityIds: [entityId],
      by: 'partner_reference',
      value: 'cap-1',
      limit: 20,
    });
    expect(byPartnerReference).toEqual({ tenders: [], legs: [{ id: legId }] });
    expect(
      await findTransactionsNamed(db, {
        partner: 'connect',
        entityIds: [newId()],
        by: 'partner_reference',
        value: 'psp-1',
      }),
    ).toEqual({ tenders: [], legs: [] });

    await db.query(`UPDATE partner_transaction SET status = 'REQUIRES_ACTION' WHERE id = $1::uuid`, [
      giftCard,
    ]);
    expect(await listTendersAwaitingShopper(db, paymentId)).toEqual([{ id: giftCard, partner: 'paytronix' }]);
    expect(await countTendersAwaitingShopper(db, paymentId)).toBe(1);
    expect(await loadAuthorizationProgress(db, paymentId)).toEqual({ status: 'PENDING', needsShopper: true });
    expect(await loadPaymentForReturn(db, paymentId)).toEqual({
      id: paymentId,
      entityId,
      clientSessionId: null,
      status: 'PENDING',
      amount: 3000n,
      currency: 'EUR',
      shopperRedirectionUrl: 'https://shop.example/back',
    });
    expect(await loadPaymentForReturn(db, newId())).toBeUndefined();
  });
});
