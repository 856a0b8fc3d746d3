import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type QueryConfig, type QueryResultRow } from 'pg';

/**
 * Plain SQL over the `pg` driver, for the payment hot path. Prisma stays for everything else (schema,
 * migrations' types, back-office queries); a statement through Prisma's client costs 3–5× the CPU of
 * the same statement through `pg` (measured in docs/scaling.md), and the hot path runs ~90 of them
 * per payment.
 *
 * Conventions: columns come back as Postgres names them (snake_case); BIGINT as a string (exact),
 * TIMESTAMPTZ as a Date, JSONB parsed. JSON parameters are passed as text (`JSON.stringify`) and cast
 * with `::jsonb`, since `pg` would send a JS array as a Postgres array.
 */
export interface Sql {
  query<R extends QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
}

function prepare(values: unknown[] | undefined): unknown[] | undefined {
  return values?.map((v) => (typeof v === 'bigint' ? v.toString() : v));
}

const statementNames = new Map<string, string>();

/**
 * A parameterized statement as a named prepared statement: each connection parses and plans it once,
 * then only binds and executes (measured: Postgres CPU per aggregate read −40 %). The name is a hash
 * of the text, so the same text always gets the same name.
 */
function statement(text: string, values: unknown[] | undefined): QueryConfig {
  if (!values) return { text };
  let name = statementNames.get(text);
  if (!name) {
    name = `t${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return { name, text, values: prepare(values) };
}

class ClientSql implements Sql {
  constructor(private readonly client: PoolClient) {}

  async query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return (await this.client.query<R>(statement(text, values))).rows;
  }
}

export class Database implements Sql {
  readonly pool: Pool;

  constructor(connectionString: string, max = 10) {
    this.pool = new Pool({ connectionString, max });
    // An idle client that loses its connection emits 'error' on the pool: without a listener, that kills the process.
    this.pool.on('error', () => undefined);
  }

  async query<R extends QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<R[]> {
    return (await this.pool.query<R>(statement(text, values))).rows;
  }

  /**
   * Runs `work` in one transaction (READ COMMITTED): committed when it resolves, rolled back when it
   * throws. `opening`, a statement without parameters (build it from validated values only), is sent
   * with BEGIN in the same round trip; `work` receives its rows.
   */
  async transaction<T>(
    work: (tx: Sql, opened: QueryResultRow[]) => Promise<T>,
    opening?: string,
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      const begun = await client.query(opening ? `BEGIN; ${opening}` : 'BEGIN');
      const opened = Array.isArray(begun) ? (begun as Array<{ rows: QueryResultRow[] }>)[1].rows : [];
      const result = await work(new ClientSql(client), opened);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}

/** Readiness: one trivial statement through the process's pool (throws when Postgres is unreachable). */
export async function pingDatabase(db: Sql): Promise<void> {
  await db.query('SELECT 1');
}

export function createDatabase(connectionString: string, poolSize = 10): Database {
  return new Database(connectionString, poolSize);
}

/**
 * `($1::uuid, $2::text, …), ($n::uuid, …)` for rows of equal length with one cast per column, and
 * their values flattened (from `$offset + 1`): a multi-row INSERT in one round trip.
 */
export function valuesList(
  casts: string[],
  rows: unknown[][],
  offset = 0,
): { sql: string; values: unknown[]; next: number } {
  let n = offset;
  const sql = rows.map((row) => `(${row.map((_, i) => `$${++n}::${casts[i]}`).join(', ')})`).join(', ');
  return { sql, values: rows.flat(), next: n + 1 };
}

/** A JSON parameter for a `jsonb` column (`null`/`undefined` stay SQL NULL). */
export function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * A Prisma transaction seen as `Sql`, for the back-office paths that still run in Prisma transactions
 * and call the shared payment helpers. Every parameter in those helpers carries an explicit cast, so
 * they read the same through both drivers.
 */
export function prismaSql(tx: {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}): Sql {
  return {
    query: <R extends QueryResultRow>(text: string, values?: unknown[]) =>
      tx.$queryRawUnsafe<R[]>(text, ...(prepare(values) ?? [])),
  };
}

/** A statement and its parameters (`$1`…). */
export interface Statement {
  sql: string;
  values: unknown[];
}

/** Runs a statement built by the stores (alone, or `combine`d); its rows. */
export function runStatement<R extends QueryResultRow = Record<string, unknown>>(
  db: Sql,
  statement: Statement,
): Promise<R[]> {
  return db.query<R>(statement.sql, statement.values);
}

/**
 * Independent writes as one statement (one round trip): every statement but the last becomes a
 * data-modifying CTE, the last one's rows are returned. They all run in the same snapshot and none
 * sees another's rows, so they must not depend on each other; none may have a WITH of its own.
 * Parameters are renumbered.
 */
export function combine(statements: Statement[]): Statement {
  let offset = 0;
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const statement of statements) {
    const shift = offset;
    parts.push(statement.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + shift}`));
    values.push(...statement.values);
    offset += statement.values.length;
  }
  const last = parts.pop();
  if (last === undefined) throw new RangeError('nothing to combine');
  const ctes = parts.map((sql, i) => `w${i} AS (${sql})`);
  return { sql: ctes.length ? `WITH ${ctes.join(', ')} ${last}` : last, values };
}
