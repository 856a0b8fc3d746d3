import { json, valuesList, type Sql, type Statement } from '../sql';

/**
 * Every statement on `outbox` (the transactional outbox: jobs written with the change that implies
 * them, enqueued after the commit). libs/infra's Outbox decides when; these read and write, through
 * `pg` only.
 */

/** A job as the outbox stores it: its queue, BullMQ job id, name, data and delay. */
export interface OutboxJob {
  queue: string;
  name: string;
  jobId: string;
  data: Record<string, unknown>;
  delayMs?: number;
}

/** A row nobody published yet: its id (BIGINT, as text) and its job. */
export interface OutboxRow {
  id: string;
  job: OutboxJob;
}

/** The INSERT of the jobs' rows, to run or `combine` with the change's other writes; returns their ids. */
export function insertOutboxJobs(jobs: OutboxJob[]): Statement {
  const rows = valuesList(
    ['text', 'text', 'jsonb'],
    jobs.map((job) => [
      job.queue,
      job.jobId,
      json({ name: job.name, data: job.data, delayMs: job.delayMs ?? null }),
    ]),
  );
  return {
    sql: `INSERT INTO outbox (kind, job_id, payload) VALUES ${rows.sql} RETURNING id`,
    values: rows.values,
  };
}

/** Forgets the rows of published jobs. */
export async function deleteOutboxRows(db: Sql, ids: string[]): Promise<void> {
  await db.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
}

interface OutboxDbRow {
  id: string;
  kind: string;
  job_id: string;
  payload: { name: string; data: Record<string, unknown>; delayMs: number | null };
}

/**
 * In the caller's transaction: up to `batch` rows written before `createdBefore`, oldest first, locked
 * (rows another relay holds are skipped).
 */
export async function lockUnpublishedOutboxRows(
  tx: Sql,
  createdBefore: Date,
  batch: number,
): Promise<OutboxRow[]> {
  const rows = await tx.query<OutboxDbRow>(
    `SELECT id, kind, job_id, payload FROM outbox
      WHERE created_at < $1::timestamptz ORDER BY id LIMIT $2::int FOR UPDATE SKIP LOCKED`,
    [createdBefore.toISOString(), batch],
  );
  return rows.map(outboxRowOf);
}

function outboxRowOf(row: OutboxDbRow): OutboxRow {
  return {
    id: String(row.id),
    job: {
      queue: row.kind,
      jobId: row.job_id,
      name: row.payload.name,
      data: row.payload.data,
      delayMs: row.payload.delayMs ?? undefined,
    },
  };
}

/** How many jobs the outbox holds (metrics). */
export async function countOutboxRows(db: Sql): Promise<number> {
  const [row] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM outbox');
  return row.count;
}
