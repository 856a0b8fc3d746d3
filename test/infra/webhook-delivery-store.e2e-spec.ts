/**
 * A merchant event's delivery state and its endpoint's health against a real Postgres: the attempt
 * log, the fenced outcome of an attempt, the endpoint failing, disabled, and its pending events failed.
 */
import {
  clearEndpointFailing,
  createDatabase,
  disableEndpoint,
  enableEndpoint,
  failPendingMerchantEventsTo,
  findFailedPaymentEventsTo,
  findPaymentMerchantEvent,
  insertDeliveryAttempt,
  insertMerchantEvents,
  listMerchantEvents,
  loadMerchantEvent,
  markEndpointFailing,
  newId,
  recordEventAttemptFailed,
  recordEventDelivered,
  restartMerchantEventDelivery,
  runStatement,
} from '@tender/persistence';
import { TEST_DATABASE_URL } from '../support/env';

describe('webhook delivery in Postgres', () => {
  const db = createDatabase(TEST_DATABASE_URL, 2);
  afterAll(() => db.end());
  const entityId = newId();
  const endpointId = newId();
  const url = 'https://merchant.example/hooks';
  const newEvent = async () => {
    const id = newId();
    const event = { id, entityId, paymentId: null, clientSessionId: null, type: 'PAYMENT_AUTHORIZATION' };
    await runStatement(
      db,
      insertMerchantEvents(
        [{ ...event, objectVersion: 1, payload: {}, url, headers: [], status: 'PENDING' }],
        new Date(),
      ),
    );
    return id;
  };

  beforeAll(async () => {
    await db.query('INSERT INTO entity (id, name) VALUES ($1::uuid, $2::text)', [
      entityId,
      `hooks-${entityId}`,
    ]);
    await db.query(
      'INSERT INTO webhook_endpoint (id, entity_id, url, updated_at) VALUES ($1::uuid, $2::uuid, $3::text, now())',
      [endpointId, entityId, url],
    );
  });

  it('logs an attempt and records its outcome only while the event is as the fence saw it', async () => {
    const id = await newEvent();
    const at = new Date('2026-06-01T12:00:00.000Z');
    await insertDeliveryAttempt(db, {
      id: newId(),
      eventId: id,
      attemptedAt: at,
      responseStatus: 500,
      error: 'http_500',
      durationMs: 12,
    });
    const logged = await db.query(
      'SELECT response_status, error, duration_ms FROM webhook_delivery_attempt WHERE event_id = $1',
      [id],
    );
    expect(logged).toEqual([{ response_status: 500, error: 'http_500', duration_ms: 12 }]);

    const fence = { id, attempts: 0, nextAttemptAt: null };
    const next = new Date('2026-06-01T12:01:00.000Z');
    expect(
      await recordEventAttemptFailed(db, fence, { attempts: 1, lastError: 'http_500', nextAttemptAt: next }),
    ).toBe(true);
    expect(
      await recordEventAttemptFailed(db, fence, { attempts: 1, lastError: 'http_500', nextAttemptAt: next }),
    ).toBe(false);
    expect(await loadMerchantEvent(db, id)).toMatchObject({
      status: 'PENDING',
      attempts: 1,
      nextAttemptAt: next,
      lastError: 'http_500',
    });

    const planned = { id, attempts: 1, nextAttemptAt: next };
    expect(await recordEventDelivered(db, planned, 2, at)).toBe(true);
    expect(await loadMerchantEvent(db, id)).toMatchObject({
      status: 'DELIVERED',
      attempts: 2,
      deliveredAt: at,
      nextAttemptAt: null,
      lastError: null,
    });

    const other = await newEvent();
    expect(
      await recordEventAttemptFailed(
        db,
        { id: other, attempts: 0, nextAttemptAt: null },
        { attempts: 1, lastError: 'timeout', nextAttemptAt: null },
      ),
    ).toBe(true);
    expect(await loadMerchantEvent(db, other)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastError: 'timeout',
    });
  });

  it("tracks the endpoint's health: failing since the first failure, cleared, disabled with its pending events", async () => {
    const first = new Date('2026-06-01T12:00:00.000Z');
    expect(await markEndpointFailing(db, endpointId, first)).toEqual({
      id: endpointId,
      url,
      failingSince: first,
      disabledAt: null,
    });
    expect((await markEndpointFailing(db, endpointId, new Date())).failingSince).toEqual(first);
    await clearEndpointFailing(db, endpointId);
    const again = new Date('2026-06-02T12:00:00.000Z');
    expect((await markEndpointFailing(db, endpointId, again)).failingSince).toEqual(again);

    const pending = await newEvent();
    await disableEndpoint(db, endpointId, again);
    await failPendingMerchantEventsTo(db, entityId, url, 'endpoint_disabled');
    expect((await markEndpointFailing(db, endpointId, new Date())).disabledAt).toEqual(again);
    expect(await loadMerchantEvent(db, pending)).toMatchObject({
      status: 'FAILED',
      lastError: 'endpoint_disabled',
      nextAttemptAt: null,
    });
  });

  it("lists a payment's events with their attempts, finds one, restarts its delivery and re-enables its endpoint", async () => {
    const paymentId = newId();
    await db.query(
      `INSERT INTO payment (id, entity_id, amount, currency, capture_mode, status, updated_at)
       VALUES ($1::uuid, $2::uuid, 1, 'EUR', 'MANUAL', 'AUTHORIZED', now())`,
      [paymentId, entityId],
    );
    const id = newId();
    const event = { id, entityId, paymentId, clientSessionId: null, type: 'PAYMENT_AUTHORIZATION' };
    await runStatement(
      db,
      insertMerchantEvents(
        [{ ...event, objectVersion: 1, payload: {}, url, headers: [], status: 'PENDING' }],
        new Date(),
      ),
    );
    const [a1, a2] = [new Date('2026-06-01T12:00:00.000Z'), new Date('2026-06-01T12:05:00.000Z')];
    for (const attemptedAt of [a2, a1]) {
      await insertDeliveryAttempt(db, {
        id: newId(),
        eventId: id,
        attemptedAt,
        responseStatus: 500,
        error: 'http_500',
        durationMs: 3,
      });
    }
    await recordEventAttemptFailed(
      db,
      { id, attempts: 0, nextAttemptAt: null },
      { attempts: 2, lastError: 'http_500', nextAttemptAt: null },
    );

    const listed = await listMerchantEvents(db, paymentId, entityId);
    expect(listed.map((e) => [e.id, e.status, e.attemptsLog.map((a) => a.attemptedAt)])).toEqual([
      [id, 'FAILED', [a1, a2]],
    ]);
    expect(await listMerchantEvents(db, paymentId, newId())).toEqual([]);
    expect((await findPaymentMerchantEvent(db, id, paymentId, entityId))?.id).toBe(id);
    expect(await findFailedPaymentEventsTo(db, entityId, url, 100)).toContainEqual({ id, paymentId });
    expect(await findFailedPaymentEventsTo(db, newId(), url, 100)).toEqual([]);
    expect(await findPaymentMerchantEvent(db, id, newId(), entityId)).toBeUndefined();

    const due = new Date('2026-06-03T00:00:00.000Z');
    const restarted = await restartMerchantEventDelivery(db, id, due);
    expect(restarted).toMatchObject({
      status: 'PENDING',
      attempts: 0,
      nextAttemptAt: due,
      deliveredAt: null,
      lastError: null,
    });
    expect(restarted.attemptsLog).toHaveLength(2);

    await enableEndpoint(db, entityId, url);
    expect(await markEndpointFailing(db, endpointId, due)).toMatchObject({
      disabledAt: null,
      failingSince: due,
    });
  });
});
