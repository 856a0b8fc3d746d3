/** The outbox store against a real Postgres: insert (alone and combined), lock the unpublished rows, delete. */
import { randomUUID } from 'node:crypto';
import {
  combine,
  countOutboxRows,
  createDatabase,
  deleteOutboxRows,
  insertOutboxJobs,
  lockUnpublishedOutboxRows,
} from '@tender/persistence';
import { TEST_DATABASE_URL } from '../support/env';

describe('outbox rows in Postgres', () => {
  const db = createDatabase(TEST_DATABASE_URL, 2);
  afterAll(() => db.end());
  const job = (name: string, delayMs?: number) => ({
    queue: `test-${randomUUID()}`,
    name,
    jobId: `${name}-${randomUUID()}`,
    data: { n: 1, nested: { ok: true } },
    ...(delayMs === undefined ? {} : { delayMs }),
  });

  it('writes jobs, returns their ids, reads them back locked as jobs, and deletes them', async () => {
    const jobs = [job('authorize'), job('reconcile', 5000)];
    const insert = insertOutboxJobs(jobs);
    const ids = (await db.query<{ id: string }>(insert.sql, insert.values)).map((r) => String(r.id));
    expect(ids).toHaveLength(2);

    const found = await db.transaction(async (tx) => {
      const rows = await lockUnpublishedOutboxRows(tx, new Date(Date.now() + 60_000), 100_000);
      return rows.filter((row) => ids.includes(row.id));
    });
    expect(found.map((row) => row.job)).toEqual([jobs[0], jobs[1]]);

    // Written just now: not older than a minute ago.
    const young = await db.transaction((tx) =>
      lockUnpublishedOutboxRows(tx, new Date(Date.now() - 60_000), 100_000),
    );
    expect(young.filter((row) => ids.includes(row.id))).toEqual([]);

    await deleteOutboxRows(db, ids);
    const left = await db.query('SELECT id FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
    expect(left).toEqual([]);
  });

  it('combines with another write in one statement and returns the outbox ids', async () => {
    const jobs = [job('deliver')];
    const combined = combine([{ sql: 'SELECT 1 WHERE $1::int = 1', values: [1] }, insertOutboxJobs(jobs)]);
    const before = await countOutboxRows(db);
    const ids = (await db.query<{ id: string }>(combined.sql, combined.values)).map((r) => String(r.id));
    expect(ids).toHaveLength(1);
    expect(await countOutboxRows(db)).toBe(before + 1);
    await deleteOutboxRows(db, ids);
  });
});
