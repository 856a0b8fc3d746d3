/** The payment search store against a real Postgres: each filter, newest first, keyset pages, cursors. */
import { randomUUID } from 'node:crypto';
import {
  createDatabase,
  InvalidCursorError,
  newId,
  searchPayments,
  type PaymentSearchQuery,
} from '@tender/persistence';
import { TEST_DATABASE_URL } from '../support/env';

describe('searchPayments in Postgres', () => {
  const db = createDatabase(TEST_DATABASE_URL, 2);
  afterAll(() => db.end());

  const entityId = newId();
  const otherEntityId = newId();
  const base = Date.parse('2026-01-10T12:00:00.000Z');
  // Seven payments of our entity, one per minute; two share a created_at (the id breaks the tie).
  const fixtures = [
    { minute: 0, status: 'AUTHORIZED', amount: 1000, ref: 'A-1', partners: ['connect'] },
    { minute: 1, status: 'REFUSED', amount: 2500, ref: 'A-2', partners: ['purse'] },
    { minute: 2, status: 'AUTHORIZED', amount: 2500, ref: 'A-3', partners: ['paytronix', 'connect'] },
    { minute: 3, status: 'PENDING', amount: 700, ref: 'A-2', partners: ['connect'] },
    { minute: 3, status: 'AUTHORIZED', amount: 1000, ref: null, partners: ['purse'] },
    { minute: 4, status: 'CANCELLED', amount: 1000, ref: 'A-4', partners: ['paytronix'] },
    { minute: 5, status: 'AUTHORIZED', amount: 1000, ref: 'A-5', partners: ['connect'] },
  ] as const;
  const ids: string[] = [];
  const search = (query: Partial<PaymentSearchQuery>) =>
    searchPayments(db, { entityId, limit: 100, ...query }).then((page) => page.payments.map((p) => p.id));
  const expected = (keep: (f: (typeof fixtures)[number]) => boolean) =>
    fixtures
      .map((f, i) => ({ f, id: ids[i] }))
      .filter(({ f }) => keep(f))
      .sort((a, b) => b.f.minute - a.f.minute || (a.id < b.id ? 1 : -1))
      .map(({ id }) => id);

  async function insertPayment(entity: string, at: Date, f: (typeof fixtures)[number]): Promise<string> {
    const id = newId();
    await db.query(
      `INSERT INTO payment (id, entity_id, amount, currency, capture_mode, status, order_reference, created_at, updated_at)
       VALUES ($1::uuid, $2::uuid, $3::bigint, 'EUR', 'MANUAL', $4::text, $5::text, $6::timestamptz, $6::timestamptz)`,
      [id, entity, f.amount, f.status, f.ref, at],
    );
    for (const [position, partner] of f.partners.entries()) {
      await db.query(
        `INSERT INTO partner_transaction (id, payment_id, position, partner, method, amount, currency, status, reference, updated_at)
         VALUES ($1::uuid, $2::uuid, $3::int, $4::text, 'CARD', 1, 'EUR', 'AUTHORIZED', $5::text, now())`,
        [newId(), id, position, partner, randomUUID()],
      );
    }
    return id;
  }

  beforeAll(async () => {
    for (const [id, name] of [
      [entityId, 'search'],
      [otherEntityId, 'search-other'],
    ]) {
      await db.query('INSERT INTO entity (id, name) VALUES ($1::uuid, $2::text)', [id, `${name}-${id}`]);
    }
    for (const f of fixtures) ids.push(await insertPayment(entityId, new Date(base + f.minute * 60_000), f));
    // Another entity's payment matching every filter below: never in our entity's results.
    await insertPayment(otherEntityId, new Date(base + 2 * 60_000), fixtures[2]);
  });

  it('lists the entity’s payments newest first, ties broken by id', async () => {
    expect(await search({})).toEqual(expected(() => true));
  });

  it('filters by status, one or several', async () => {
    expect(await search({ status: 'AUTHORIZED' })).toEqual(expected((f) => f.status === 'AUTHORIZED'));
    expect(await search({ status: ['REFUSED', 'CANCELLED'] })).toEqual(
      expected((f) => f.status === 'REFUSED' || f.status === 'CANCELLED'),
    );
  });

  it('filters by partner: any tender at it', async () => {
    expect(await search({ partner: 'paytronix' })).toEqual(
      expected((f) => (f.partners as readonly string[]).includes('paytronix')),
    );
  });

  it('pages through the payments at a partner (payment_partner, written by the tenders’ trigger)', async () => {
    const atConnect = (f: (typeof fixtures)[number]) => (f.partners as readonly string[]).includes('connect');
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await searchPayments(db, { entityId, partner: 'connect', limit: 1, cursor });
      seen.push(...page.payments.map((p) => p.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(expected(atConnect));
    expect(
      await search({
        partner: 'connect',
        createdFrom: new Date(base + 60_000),
        createdTo: new Date(base + 5 * 60_000),
      }),
    ).toEqual(expected((f) => atConnect(f) && f.minute >= 1 && f.minute < 5));
  });

  it('filters by creation time: from inclusive, to exclusive', async () => {
    const from = new Date(base + 60_000);
    const to = new Date(base + 3 * 60_000);
    expect(await search({ createdFrom: from, createdTo: to })).toEqual(
      expected((f) => f.minute >= 1 && f.minute < 3),
    );
  });

  it('filters by order reference and amount, exactly, and combines filters', async () => {
    expect(await search({ orderReference: 'A-2' })).toEqual(expected((f) => f.ref === 'A-2'));
    expect(await search({ amount: 2500 })).toEqual(expected((f) => f.amount === 2500));
    expect(await search({ amount: 1000, status: 'AUTHORIZED', partner: 'connect' })).toEqual(
      expected((f) => f.amount === 1000 && f.status === 'AUTHORIZED' && f.partners[0] === 'connect'),
    );
    expect(await search({ orderReference: 'nope' })).toEqual([]);
  });

  it('searches every entity when none is given (the console)', async () => {
    const page = await searchPayments(db, {
      partner: 'paytronix',
      createdFrom: new Date(base),
      createdTo: new Date(base + 5 * 60_000),
      amount: 2500,
      limit: 100,
    });
    expect(page.payments.map((p) => p.entityId).sort()).toEqual([entityId, otherEntityId].sort());
  });

  it('walks the pages with a cursor: no duplicate, no gap, a null cursor at the end', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await searchPayments(db, { entityId, limit: 2, cursor });
      seen.push(...page.payments.map((p) => p.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(expected(() => true));
  });

  it('refuses a cursor it did not issue and a limit out of bounds', async () => {
    await expect(searchPayments(db, { entityId, limit: 2, cursor: 'bogus!' })).rejects.toThrow(
      InvalidCursorError,
    );
    await expect(searchPayments(db, { entityId, limit: 0 })).rejects.toThrow(RangeError);
    await expect(searchPayments(db, { entityId, limit: 101 })).rejects.toThrow(RangeError);
  });
});
