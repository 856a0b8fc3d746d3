/**
 * The money tables' writes against a real Postgres: operations and legs, the saga's tender, leg,
 * operation and payment updates (combined in one statement), the client session's status and event
 * source, merchant events.
 */
import {
  bumpPaymentVersion,
  cancelTender,
  cancelUnsentTenders,
  combine,
  countMerchantEventsByStatus,
  countPaymentsByStatus,
  countUnknownOutcomes,
  createDatabase,
  failPendingMerchantEvent,
  failUnsentLeg,
  findExpiredSessions,
  findOverdueMerchantEvents,
  insertMerchantEvents,
  insertOperation,
  loadMerchantEvent,
  loadPayment,
  loadSessionEventSource,
  newId,
  paymentExists,
  runStatement,
  setOperationStatus,
  setPaymentStatus,
  setSessionStatus,
} from '@tender/persistence';
import { TEST_DATABASE_URL } from '../support/env';

describe('payment writes in Postgres', () => {
  const db = createDatabase(TEST_DATABASE_URL, 2);
  afterAll(() => db.end());
  const entityId = newId();
  const sessionId = newId();
  const paymentId = newId();
  const [sent, unsent, claimed] = [newId(), newId(), newId()];

  beforeAll(async () => {
    await db.query('INSERT INTO entity (id, name) VALUES ($1::uuid, $2::text)', [
      entityId,
      `writes-${entityId}`,
    ]);
    await db.query(
      `INSERT INTO client_session (id, entity_id, status, amount, currency, capture_mode, integration_mode,
                                   eligible_solutions, widget_data, expires_at, updated_at)
       VALUES ($1::uuid, $2::uuid, 'SUBMITTED', 3000, 'EUR', 'MANUAL', 'HOSTED', '[]', '', now() + interval '1 hour', now())`,
      [sessionId, entityId],
    );
    await db.query(
      `INSERT INTO payment (id, entity_id, client_session_id, amount, currency, capture_mode, status, updated_at)
       VALUES ($1::uuid, $2::uuid, $3::uuid, 3000, 'EUR', 'MANUAL', 'PENDING', now())`,
      [paymentId, entityId, sessionId],
    );
    await db.query(
      `INSERT INTO partner_transaction (id, payment_id, position, partner, method, amount, currency, status, reference,
                                        attempts, updated_at)
       VALUES ($1::uuid, $4::uuid, 0, 'connect', 'card', 1000, 'EUR', 'AUTHORIZED', $1::text, 1, now()),
              ($2::uuid, $4::uuid, 1, 'paytronix', 'giftcard', 1000, 'EUR', 'PENDING', $2::text, 0, now()),
              ($3::uuid, $4::uuid, 2, 'paytronix', 'giftcard', 1000, 'EUR', 'PENDING', $3::text, 1, now())`,
      [sent, unsent, claimed, paymentId],
    );
  });

  it('inserts an operation and its legs in one statement and returns them as records', async () => {
    const legs = [
      { id: newId(), tenderId: sent, amount: 600, status: 'PENDING' as const },
      { id: newId(), tenderId: sent, amount: 400, status: 'SUCCESS' as const },
    ];
    const written = await insertOperation(db, {
      id: newId(),
      paymentId,
      type: 'CAPTURE',
      amount: 1000,
      merchantReference: 'cap-1',
      order: { lines: [] },
      status: 'PENDING',
      triggeredBy: 'MERCHANT',
      legs,
    });
    expect(written.operation).toMatchObject({
      paymentId,
      type: 'CAPTURE',
      amount: 1000n,
      merchantReference: 'cap-1',
      order: { lines: [] },
      status: 'PENDING',
      triggeredBy: 'MERCHANT',
    });
    expect(written.legs.map((l) => [l.id, l.amount, l.status, l.reference]).sort()).toEqual(
      legs.map((l) => [l.id, BigInt(l.amount), l.status, l.id.replace(/-/g, '')]).sort(),
    );
    const payment = await loadPayment(db, paymentId);
    expect(payment!.operations[0]).toEqual({ ...written.operation, legs: expect.any(Array) });
  });

  it("cancels only the tenders still unsent, and writes the saga's updates in one statement", async () => {
    const now = new Date('2026-06-01T12:00:00.000Z');
    expect(await cancelUnsentTenders(db, [unsent, claimed], now)).toEqual([unsent]);
    const payment = (await loadPayment(db, paymentId))!;
    const operation = payment.operations[0];
    const pendingLeg = operation.legs.find((l) => l.status === 'PENDING')!;
    await runStatement(
      db,
      combine([
        failUnsentLeg(pendingLeg.id, 'capture_not_settled', 'nothing was sent', now),
        setOperationStatus(operation.id, 'FAILED', now),
        cancelTender(sent, now),
        setPaymentStatus(paymentId, 'REFUSED', { partner: 'connect' }, now),
      ]),
    );
    const after = (await loadPayment(db, paymentId))!;
    expect(after).toMatchObject({ status: 'REFUSED', failure: { partner: 'connect' }, version: 2 });
    expect(after.authorizationUpdatedAt).toEqual(now);
    expect(after.partnerTransactions.map((t) => t.status)).toEqual(['CANCELLED', 'CANCELLED', 'PENDING']);
    expect(after.operations[0].status).toBe('FAILED');
    expect(after.operations[0].legs.find((l) => l.id === pendingLeg.id)).toMatchObject({
      status: 'FAILED',
      partnerStatus: 'capture_not_settled',
      partnerStatusDescription: 'nothing was sent',
    });
    await runStatement(db, bumpPaymentVersion(paymentId, now));
    expect((await loadPayment(db, paymentId))!.version).toBe(3);
  });

  it('ends a submitted session once, and reads what its event carries', async () => {
    expect(await setSessionStatus(db, sessionId, 'SUBMITTED', 'FAILED')).toBe(true);
    expect(await setSessionStatus(db, sessionId, 'SUBMITTED', 'COMPLETED')).toBe(false);
    expect(await loadSessionEventSource(db, sessionId)).toMatchObject({
      id: sessionId,
      entityId,
      paymentId: null,
      status: 'FAILED',
      version: 2,
      amount: 3000n,
      currency: 'EUR',
    });
    expect(await loadSessionEventSource(db, newId())).toBeUndefined();

    const expiring = newId();
    await db.query(
      `INSERT INTO client_session (id, entity_id, status, amount, currency, capture_mode, integration_mode,
                                   eligible_solutions, widget_data, expires_at, updated_at)
       VALUES ($1::uuid, $2::uuid, 'CREATED', 1, 'EUR', 'MANUAL', 'HOSTED', '[]', '', now() - interval '1 second', now())`,
      [expiring, entityId],
    );
    expect(await findExpiredSessions(db, new Date(), 100_000)).toContain(expiring);
    expect(await setSessionStatus(db, expiring, 'CREATED', 'EXPIRED')).toBe(true);
    expect(await findExpiredSessions(db, new Date(), 100_000)).not.toContain(expiring);
  });

  it('records merchant events, delivered or skipped', async () => {
    const createdAt = new Date('2026-06-01T12:00:00.000Z');
    const events = ['PENDING', 'SKIPPED'].map((status) => ({
      id: newId(),
      entityId,
      paymentId,
      clientSessionId: null,
      type: 'PAYMENT_AUTHORIZATION',
      objectVersion: 2,
      payload: { action: 'refused' },
      url: status === 'PENDING' ? 'https://merchant.example/hooks' : null,
      headers: status === 'PENDING' ? [] : null,
      status: status as 'PENDING' | 'SKIPPED',
    }));
    await runStatement(db, insertMerchantEvents(events, createdAt));
    const rows = await db.query<{
      id: string;
      status: string;
      url: string | null;
      payload: unknown;
      created_at: Date;
    }>(
      'SELECT id, status, url, payload, created_at FROM merchant_event WHERE payment_id = $1::uuid ORDER BY id',
      [paymentId],
    );
    expect(rows).toEqual(
      events
        .map((e) => ({ id: e.id, status: e.status, url: e.url, payload: e.payload, created_at: createdAt }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  });

  it('counts payments by status, unknown outcomes and merchant events for the metrics', async () => {
    const count = async () => ({
      refused: (await countPaymentsByStatus(db)).find((r) => r.status === 'REFUSED')?.count ?? 0,
      unknown: await countUnknownOutcomes(db),
      skipped:
        (await countMerchantEventsByStatus(db, ['SKIPPED'])).find((r) => r.status === 'SKIPPED')?.count ?? 0,
    });
    const before = await count();
    const other = newId();
    await db.query(
      `INSERT INTO payment (id, entity_id, amount, currency, capture_mode, status, updated_at)
       VALUES ($1::uuid, $2::uuid, 1, 'EUR', 'MANUAL', 'REFUSED', now())`,
      [other, entityId],
    );
    await db.query(
      `INSERT INTO partner_transaction (id, payment_id, position, partner, method, amount, currency, status, reference, updated_at)
       VALUES ($1::uuid, $2::uuid, 0, 'connect', 'card', 1, 'EUR', 'UNKNOWN', $1::text, now())`,
      [newId(), other],
    );
    const event = {
      id: newId(),
      entityId,
      paymentId: other,
      clientSessionId: null,
      type: 'PAYMENT_AUTHORIZATION',
    };
    await runStatement(
      db,
      insertMerchantEvents(
        [{ ...event, objectVersion: 1, payload: {}, url: null, headers: null, status: 'SKIPPED' }],
        new Date(),
      ),
    );
    expect(await count()).toEqual({
      refused: before.refused + 1,
      unknown: before.unknown + 1,
      skipped: before.skipped + 1,
    });
  });

  it('reads a merchant event, fails it only as the fence saw it, and finds overdue ones', async () => {
    const id = newId();
    const createdAt = new Date(Date.now() - 3600_000);
    const event = {
      id,
      entityId,
      paymentId,
      clientSessionId: null,
      type: 'PAYMENT_AUTHORIZATION',
      objectVersion: 3,
    };
    await runStatement(
      db,
      insertMerchantEvents(
        [{ ...event, payload: { a: 1 }, url: 'https://merchant.example/h', headers: [], status: 'PENDING' }],
        createdAt,
      ),
    );
    const read = await loadMerchantEvent(db, id);
    expect(read).toEqual({
      ...event,
      payload: { a: 1 },
      url: 'https://merchant.example/h',
      headers: [],
      status: 'PENDING',
      attempts: 0,
      nextAttemptAt: null,
      deliveredAt: null,
      lastError: null,
      createdAt,
    });
    expect(await loadMerchantEvent(db, newId())).toBeUndefined();
    expect(await findOverdueMerchantEvents(db, new Date(), 100_000)).toContainEqual({
      id,
      nextAttemptAt: null,
    });

    await failPendingMerchantEvent(db, { id, attempts: 1, nextAttemptAt: null }, 'endpoint_disabled'); // stale fence
    expect((await loadMerchantEvent(db, id))!.status).toBe('PENDING');
    await failPendingMerchantEvent(db, { id, attempts: 0, nextAttemptAt: null }, 'endpoint_disabled');
    expect(await loadMerchantEvent(db, id)).toMatchObject({
      status: 'FAILED',
      lastError: 'endpoint_disabled',
    });
    expect((await findOverdueMerchantEvents(db, new Date(), 100_000)).map((e) => e.id)).not.toContain(id);

    expect(await paymentExists(db, paymentId, entityId)).toBe(true);
    expect(await paymentExists(db, paymentId, newId())).toBe(false);
  });
});
