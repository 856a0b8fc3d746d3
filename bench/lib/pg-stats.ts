/**
 * What a payment writes, from Postgres's own statistics: rows inserted / updated / deleted per
 * table and commits (pg_stat_user_tables, pg_stat_database), and bytes per payment per table.
 * Backends flush their statistics about once a second, so snapshots are taken after a short pause.
 */
import type { Client } from 'pg';
import { round } from './stats';

export interface TableStats {
  tables: Map<string, { ins: number; upd: number; hot: number; del: number }>;
  commits: number;
  rollbacks: number;
}

export async function tableStats(db: Client): Promise<TableStats> {
  const tables = await db.query<{ relname: string; ins: string; upd: string; hot: string; del: string }>(
    `SELECT relname, n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_hot_upd::text AS hot, n_tup_del::text AS del
       FROM pg_stat_user_tables`,
  );
  const database = await db.query<{ commits: string; rollbacks: string }>(
    `SELECT xact_commit::text AS commits, xact_rollback::text AS rollbacks FROM pg_stat_database WHERE datname = current_database()`,
  );
  return {
    tables: new Map(
      tables.rows.map((r) => [
        r.relname,
        { ins: Number(r.ins), upd: Number(r.upd), hot: Number(r.hot), del: Number(r.del) },
      ]),
    ),
    commits: Number(database.rows[0]?.commits ?? 0),
    rollbacks: Number(database.rows[0]?.rollbacks ?? 0),
  };
}

export interface WritesPerPayment {
  /** Transactions committed, read-only ones included (every autocommit SELECT is one). */
  transactions: number;
  rows: Record<string, { inserted: number; updated: number; hot_updated: number; deleted: number }>;
  total_rows_written: number;
}

export function writesPerPayment(before: TableStats, after: TableStats, payments: number): WritesPerPayment {
  const per = (n: number) => (payments ? round(n / payments, 2) : 0);
  const rows: WritesPerPayment['rows'] = {};
  let total = 0;
  for (const [table, a] of after.tables) {
    const b = before.tables.get(table) ?? { ins: 0, upd: 0, hot: 0, del: 0 };
    const d = { ins: a.ins - b.ins, upd: a.upd - b.upd, hot: a.hot - b.hot, del: a.del - b.del };
    if (d.ins + d.upd + d.del === 0) continue;
    total += d.ins + d.upd + d.del;
    rows[table] = { inserted: per(d.ins), updated: per(d.upd), hot_updated: per(d.hot), deleted: per(d.del) };
  }
  return { transactions: per(after.commits - before.commits), rows, total_rows_written: per(total) };
}

/** Size (heap + indexes + TOAST) of every table with rows, and per payment. */
export async function tableSizes(
  db: Client,
  payments: number,
): Promise<Array<{ table: string; rows: number; total_bytes: number; bytes_per_payment: number }>> {
  const res = await db.query<{ relname: string; rows: string; bytes: string }>(
    `SELECT relname, n_live_tup::text AS rows, pg_total_relation_size(relid)::text AS bytes
       FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC`,
  );
  return res.rows
    .filter((r) => Number(r.rows) > 0)
    .map((r) => ({
      table: r.relname,
      rows: Number(r.rows),
      total_bytes: Number(r.bytes),
      bytes_per_payment: payments ? Math.round(Number(r.bytes) / payments) : 0,
    }));
}
