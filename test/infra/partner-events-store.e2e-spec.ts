/** The partner_event store against a real Postgres: stored once per (partner, event id), processed once. */
import { createDatabase, insertPartnerEvent, markPartnerEventProcessed, newId } from '@tender/persistence';
import { TEST_DATABASE_URL } from '../support/env';

describe('partner events in Postgres', () => {
  const db = createDatabase(TEST_DATABASE_URL, 2);
  afterAll(() => db.end());

  it('stores an event once; a redelivery is not stored again; it is marked processed once', async () => {
    const eventId = `evt-${newId()}`;
    const id = newId();
    const event = { id, partner: 'connect', eventId, type: 'payment.captured', payload: { a: 1 } };
    expect(await insertPartnerEvent(db, event)).toBe(true);
    expect(await insertPartnerEvent(db, { ...event, id: newId() })).toBe(false);
    const now = new Date('2026-06-01T12:00:00.000Z');
    expect(await markPartnerEventProcessed(db, id, now, 'no matching transaction')).toBe(true);
    expect(await markPartnerEventProcessed(db, id, new Date(), null)).toBe(false);
    const rows = await db.query(
      'SELECT id, payload, processed_at, error FROM partner_event WHERE event_id = $1',
      [eventId],
    );
    expect(rows).toEqual([{ id, payload: { a: 1 }, processed_at: now, error: 'no matching transaction' }]);
  });
});
