/**
 * The payment store against a real Postgres: the one-query aggregate read (the same records as
 * Prisma's `include`, statuses typed), by payment, tender or leg, the first-attempt claim and the lock.
 */
import {
  claimFirstAttempt,
  createDatabase,
  createPrismaClient,
  loadPayment,
  loadPaymentOf,
  loadPaymentStatus,
  lockPayment,
  lockPaymentStatement,
  newId,
} from '@tender/persistence';
import { PAYMENT_AGGREGATE_INCLUDE } from '@tender/payments';
import { TEST_DATABASE_URL } from '../support/env';

describe('the payment store in Postgres', () => {
  const db = createDatabase(TEST_DATABASE_URL, 2);
  const prisma = createPrismaClient(db.pool);
  afterAll(async () => {
    await prisma.$disconnect();
    await db.end();
  });
  const entityId = newId();
  const paymentId = newId();
  const card = newId();
  const giftCard = newId();
  const operationId = newId();
  const legId = newId();

  beforeAll(async () => {
    await db.query('INSERT INTO entity (id, name) VALUES ($1::uuid, $2::text)', [
      entityId,
      `store-${entityId}`,
    ]);
    await db.query(
      `INSERT INTO payment (id, entity_id, amount, currency, capture_mode, status, "order", webhook, updated_at)
       VALUES ($1::uuid, $2::uuid, 9007199254740993, 'EUR', 'MANUAL', 'AUTHORIZED', '{"lines":[1]}', NULL, now())`,
      [paymentId, entityId],
    );
    await db.query(
      `INSERT INTO partner_transaction (id, payment_id, position, partner, method, amount, currency, status, reference,
                                        attempts, card, updated_at)
       VALUES ($1::uuid, $3::uuid, 1, 'paytronix', 'giftcard', 1000, 'EUR', 'PENDING', $1::text, 0, NULL, now()),
              ($2::uuid, $3::uuid, 0, 'connect', 'card', 9007199254739993, 'EUR', 'AUTHORIZED', $2::text, 1,
               '{"last4":"4242"}', now())`,
      [giftCard, card, paymentId],
    );
    await db.query(
      `INSERT INTO operation (id, payment_id, type, amount, status, triggered_by, updated_at)
       VALUES ($1::uuid, $2::uuid, 'CAPTURE', 500, 'PENDING', 'MERCHANT', now())`,
      [operationId, paymentId],
    );
    await db.query(
      `INSERT INTO operation_transaction (id, operation_id, partner_transaction_id, amount, status, reference, updated_at)
       VALUES ($1::uuid, $2::uuid, $3::uuid, 500, 'PENDING', $1::text, now())`,
      [legId, operationId, card],
    );
  });

  it('reads the payment whole in one query, as Prisma reads it, tenders in split order', async () => {
    const payment = await loadPayment(db, paymentId, entityId);
    const viaPrisma = await prisma.payment.findFirst({
      where: { id: paymentId },
      include: PAYMENT_AGGREGATE_INCLUDE,
    });
    viaPrisma!.partnerTransactions.sort((a, b) => a.position - b.position);
    expect(payment).toEqual(viaPrisma);
    expect(payment!.amount).toBe(9007199254740993n);
    expect(payment!.partnerTransactions.map((t) => [t.id, t.status])).toEqual([
      [card, 'AUTHORIZED'],
      [giftCard, 'PENDING'],
    ]);
    expect(payment!.operations[0].legs.map((l) => l.id)).toEqual([legId]);
  });

  it('finds nothing for another entity or an unknown id; finds the payment of a tender or a leg', async () => {
    expect(await loadPayment(db, paymentId, newId())).toBeNull();
    expect(await loadPaymentStatus(db, paymentId)).toBe('AUTHORIZED');
    expect(await loadPaymentStatus(db, newId())).toBeUndefined();
    expect(await loadPayment(db, newId())).toBeNull();
    expect((await loadPaymentOf(db, { tenderId: giftCard }))?.id).toBe(paymentId);
    expect((await loadPaymentOf(db, { legId }))?.id).toBe(paymentId);
    expect(await loadPaymentOf(db, { legId: newId() })).toBeNull();
  });

  it('claims a first attempt once, reading the payment as it was just before', async () => {
    const before = await claimFirstAttempt(db, { tenderId: giftCard }, 30_000);
    expect(before!.partnerTransactions.find((t) => t.id === giftCard)).toMatchObject({ attempts: 0 });
    const after = await loadPayment(db, paymentId);
    const claimed = after!.partnerTransactions.find((t) => t.id === giftCard)!;
    expect(claimed.attempts).toBe(1);
    expect(claimed.inFlightUntil!.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(await claimFirstAttempt(db, { tenderId: giftCard }, 30_000)).toBeNull();
    // The leg is a capture's: claimed once too.
    expect(await claimFirstAttempt(db, { legId }, 30_000)).not.toBeNull();
    expect(await claimFirstAttempt(db, { legId }, 30_000)).toBeNull();
  });

  it('locks the payment (of its entity only), by statement or with BEGIN', async () => {
    expect(await db.transaction((tx) => lockPayment(tx, paymentId, entityId))).toBe(true);
    expect(await db.transaction((tx) => lockPayment(tx, paymentId, newId()))).toBe(false);
    expect(
      await db.transaction((_tx, locked) => Promise.resolve(locked.length), lockPaymentStatement(paymentId)),
    ).toBe(1);
    expect(() => lockPaymentStatement("x' OR 1=1 --")).toThrow(RangeError);
  });
});
