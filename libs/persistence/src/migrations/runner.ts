/**
 * A small migration runner compatible with Prisma Migrate (`prisma migrate deploy`) on PostgreSQL.
 *
 * It reads Prisma's migrations directory (`<dir>/<timestamp_name>/migration.sql` plus
 * `<dir>/migration_lock.toml`) and records what it applies in `_prisma_migrations` exactly as Prisma
 * does (same DDL, same SHA-256 checksum, random UUID ids, `applied_steps_count` 1 on success), so
 * either tool can take over from the other. Both take the same advisory lock, so they never migrate
 * a database at the same time.
 *
 * Differences from `prisma migrate deploy`, all on the safe side:
 * - each migration runs in one transaction together with its `_prisma_migrations` row, so a failed
 *   migration leaves nothing half applied (Prisma runs the script as one simple query, which Postgres
 *   also runs atomically, but records the row outside it). The failure is then recorded the way Prisma
 *   records it (row with `logs`, `finished_at` NULL) and later runs refuse to go on, like Prisma's P3009;
 * - a migration whose `migration.sql` was edited after being applied is refused (Prisma's deploy does
 *   not check checksums; `migrate dev` and `migrate status` report them);
 * - migrations recorded in the database but missing on disk are only reported through `log`, as
 *   `migrate deploy` ignores them (the database may have been migrated by a newer release);
 * - a missing migrations directory is an error (Prisma treats it as "no migrations").
 *
 * Scripts with their own `BEGIN; ... COMMIT;` (Prisma generates them for some enum changes) work: the
 * inner COMMIT commits what ran so far (a warning is logged), the rest runs as Postgres runs it for Prisma.
 *
 * Limitation: because of the per-migration transaction, statements that PostgreSQL refuses inside a
 * transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`, ...) cannot be used in a migration. Prisma
 * only runs them when they are alone in their migration.sql.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Client } from 'pg';
import { migrationChecksum, scriptMatchesChecksum } from './checksum';
import { connect, quoteIdent } from './database';
import { parseDatabaseUrl } from './database-url';
import { errorCode, MigrationError } from './errors';
import { MIGRATION_SCRIPT_FILE, readMigrationsDir, type LocalMigration } from './migrations-dir';
import { failureLogs } from './failure-logs';

/** Prisma Migrate's advisory lock key (`SELECT pg_advisory_lock(72707369)` in prisma-engines). */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

export const MIGRATIONS_TABLE = '_prisma_migrations';

/**
 * Prisma's DDL for the migrations table on PostgreSQL, verbatim from prisma-engines
 * (`sql-schema-connector/src/flavour/postgres.rs`, `create_migrations_table`); the same text is in
 * `node_modules/prisma/build/schema_engine_bg.wasm`.
 */
export const PRISMA_MIGRATIONS_TABLE_DDL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

export type MigrationLogLevel = 'info' | 'warn';
/** Receives one line per event: applied migrations (`info`), waiting for the lock, warnings (`warn`). */
export type MigrationLogger = (message: string, level: MigrationLogLevel) => void;

export interface MigrateOptions {
  /** `postgresql://` URL of the database to migrate (it must exist: see {@link ensureDatabase}). */
  databaseUrl: string;
  /** Prisma's migrations directory, e.g. `<repo>/prisma/migrations`. */
  migrationsDir: string;
  log?: MigrationLogger;
  /** Give up waiting for the advisory lock after this long. Default: wait as long as it takes. */
  lockTimeoutMs?: number;
}

export interface MigrateResult {
  /** Names of the migrations applied by this run, in order. */
  applied: string[];
  /** Number of migrations on disk that were already applied before this run. */
  alreadyApplied: number;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

/** The fields we use of pg's NoticeMessage (not exported by @types/pg). */
interface PgNotice {
  severity?: string;
  code?: string;
  message?: string;
}

const noop: MigrationLogger = () => undefined;

// ---------------------------------------------------------------------------------------------------
// migrate
// ---------------------------------------------------------------------------------------------------

async function acquireLock(client: Client, log: MigrationLogger, lockTimeoutMs: number | undefined) {
  const tried = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
    PRISMA_MIGRATE_LOCK_KEY,
  ]);
  if (tried.rows[0]?.locked) return;

  log(
    `Waiting for the migration lock (pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})): another migration run ` +
      '(this runner or prisma migrate) holds it on this database.',
    'info',
  );
  if (lockTimeoutMs !== undefined) {
    if (!Number.isInteger(lockTimeoutMs) || lockTimeoutMs <= 0) {
      throw new Error(`lockTimeoutMs must be a positive integer, got ${lockTimeoutMs}`);
    }
    await client.query(`SET lock_timeout = ${lockTimeoutMs}`);
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
  } catch (err) {
    if (errorCode(err) === '55P03') {
      throw new MigrationError(
        'LOCK_TIMEOUT',
        `Timed out after ${lockTimeoutMs} ms waiting for the migration advisory lock ` +
          `(pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})). Another migration is still running, or a session ` +
          `holds the lock: see SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = ${PRISMA_MIGRATE_LOCK_KEY}.`,
      );
    }
    throw err;
  } finally {
    if (lockTimeoutMs !== undefined) await client.query('RESET lock_timeout').catch(() => undefined);
  }
}

/** Like Prisma's `initialize`: create `_prisma_migrations` in an empty schema, refuse a non-empty one. */
async function initializeMigrationsTable(client: Client, schema: string, explicitSchema: boolean) {
  const schemaExists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (!schemaExists.rowCount) {
    // Prisma creates the target schema when it is missing.
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  }

  // Prisma checks `schema` for tables but reads and creates _prisma_migrations unqualified, i.e. in the
  // first schema of search_path; refuse the (broken for Prisma too) setups where the two differ.
  if (!explicitSchema) {
    const current = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
    if (current.rows[0]?.schema !== schema) {
      throw new Error(
        `The search_path of the database user resolves to schema "${current.rows[0]?.schema}", not "${schema}": ` +
          `set the database user's search_path, or add ?schema=<name> to the database URL.`,
      );
    }
  }

  const tables = await client.query<{ table_name: string }>(
    `SELECT tbl.relname AS table_name
       FROM pg_class AS tbl
       JOIN pg_namespace AS namespace ON namespace.oid = tbl.relnamespace
      WHERE tbl.relkind = 'r' AND namespace.nspname = $1`,
    [schema],
  );
  const names = tables.rows.map((r) => r.table_name);
  if (names.includes(MIGRATIONS_TABLE)) return;
  if (names.length > 0) {
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ', ...' : '');
    throw new MigrationError(
      'SCHEMA_NOT_EMPTY',
      `The database schema "${schema}" is not empty (tables: ${shown}) and has no ${MIGRATIONS_TABLE} table, ` +
        'so it was not created by these migrations (Prisma error P3005). To adopt an existing database, baseline ' +
        'it (https://pris.ly/d/migrate-baseline): record the migrations it already contains as applied, ' +
        'e.g. with `npx prisma migrate resolve --applied <migration_name>`.',
    );
  }
  // Unqualified like Prisma: it lands in the first schema of search_path (checked above).
  await client.query(PRISMA_MIGRATIONS_TABLE_DDL);
}

function resolveHint(name: string): string {
  return (
    'To resolve (https://pris.ly/d/migrate-resolve): fix or revert what it did, then mark it as rolled back with ' +
    `\`npx prisma migrate resolve --rolled-back ${name}\` or, without Prisma's engine, ` +
    `\`UPDATE ${MIGRATIONS_TABLE} SET rolled_back_at = now() WHERE migration_name = '${name.replace(/'/g, "''")}' ` +
    'AND finished_at IS NULL AND rolled_back_at IS NULL;`, and run the migrations again. ' +
    '(If its changes are in fact complete, use `--applied` instead.)'
  );
}

function describeFailedRows(rows: MigrationRow[]): string {
  return rows
    .map((row) => {
      const logs = row.logs?.trim();
      return (
        `The \`${row.migration_name}\` migration started at ${row.started_at.toISOString()} failed` +
        (logs ? ` with the following logs:\n${logs}` : '')
      );
    })
    .join('\n');
}

async function applyMigration(
  client: Client,
  migration: LocalMigration & { script: string },
  log: MigrationLogger,
) {
  const { name, script } = migration;
  const checksum = migrationChecksum(script);
  const startedAt = new Date();

  // A script with its own BEGIN/COMMIT (Prisma generates some, e.g. for enum changes) makes Postgres warn
  // "already a transaction in progress" (25001) on its BEGIN, then "no transaction in progress" (25P01)
  // on ours: everything up to its COMMIT is committed at that point.
  let ownTransaction = false;
  const onNotice = (notice: PgNotice) => {
    if (notice.severity !== 'WARNING') return;
    if (notice.code === '25001' || notice.code === '25P01') {
      if (!ownTransaction) {
        log(
          `${name}: migration.sql has its own BEGIN/COMMIT; it is only atomic up to its first COMMIT.`,
          'warn',
        );
      }
      ownTransaction = true;
      return;
    }
    log(`${name}: ${notice.severity}: ${notice.message}`, 'warn');
  };
  client.on('notice', onNotice);
  try {
    await client.query('BEGIN');
    // No parameters: pg sends a simple query, so a multi-statement script runs as one query string.
    await client.query(script);
    await client.query(
      `INSERT INTO ${MIGRATIONS_TABLE}
         (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, $3, $4, NULL, NULL, $5, 1)`,
      [randomUUID(), checksum, new Date(), name, startedAt],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    const logs = failureLogs(name, err, script);
    let recorded = true;
    try {
      // Outside the rolled back transaction, as Prisma leaves it: finished_at NULL, logs set.
      await client.query(
        `INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, migration_name, logs, started_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, $5, 0)`,
        [randomUUID(), checksum, name, logs, startedAt],
      );
    } catch {
      recorded = false;
    }
    throw new MigrationError(
      'MIGRATION_FAILED',
      (ownTransaction
        ? `Migration \`${name}\` failed; its migration.sql has its own COMMIT, so what ran before that COMMIT ` +
          'was kept: check the database before resolving.\n\n'
        : `Migration \`${name}\` failed and was rolled back: nothing it did was kept.\n\n`) +
        logs +
        '\n\n' +
        (recorded
          ? `It was recorded as failed in ${MIGRATIONS_TABLE}, so further runs refuse to migrate until it is ` +
            `resolved. ${resolveHint(name)}`
          : `The failure could not be recorded in ${MIGRATIONS_TABLE} (connection lost?); fix migration.sql and run again.`),
      name,
      { cause: err },
    );
  } finally {
    client.off('notice', onNotice);
  }
  log(`Applied migration ${name} (${Date.now() - startedAt.getTime()} ms)`, 'info');
}

/**
 * Applies the pending migrations of `migrationsDir` to the database, under Prisma Migrate's advisory
 * lock, and records them in `_prisma_migrations` like Prisma. See the module comment for the rules.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const log = options.log ?? noop;
  const migrationsDir = path.resolve(options.migrationsDir);
  const local = await readMigrationsDir(migrationsDir, log);
  const { connectionString, schema, explicitSchema } = parseDatabaseUrl(options.databaseUrl);

  const client = await connect(connectionString, options.databaseUrl);
  try {
    if (explicitSchema) await client.query(`SET search_path = ${quoteIdent(schema)}`);
    await acquireLock(client, log, options.lockTimeoutMs);
    try {
      await initializeMigrationsTable(client, schema, explicitSchema);

      const { rows } = await client.query<MigrationRow>(
        `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
           FROM ${MIGRATIONS_TABLE} ORDER BY started_at ASC`,
      );

      const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
      if (failed.length > 0) {
        throw new MigrationError(
          'FAILED_MIGRATIONS_FOUND',
          'Found failed migrations in the target database, new migrations will not be applied (Prisma error P3009).\n' +
            describeFailedRows(failed) +
            '\n\n' +
            resolveHint(failed.length === 1 ? failed[0].migration_name : '<migration_name>'),
          failed.length === 1 ? failed[0].migration_name : undefined,
        );
      }

      // Like Prisma: a migration is applied if a row that was not rolled back exists for it.
      const appliedRows = new Map<string, MigrationRow>();
      for (const row of rows) if (row.rolled_back_at === null) appliedRows.set(row.migration_name, row);

      const localNames = new Set(local.map((m) => m.name));
      const missing = [...appliedRows.keys()].filter((name) => !localNames.has(name));
      if (missing.length > 0) {
        log(
          `${missing.length} migration(s) recorded as applied in the database are not in ${migrationsDir}: ` +
            `${missing.join(', ')}. The database may have been migrated by a newer release; ` +
            'continuing (prisma migrate deploy ignores them too).',
          'warn',
        );
      }

      const edited: { name: string; line: string }[] = [];
      for (const migration of local) {
        const row = appliedRows.get(migration.name);
        if (!row) continue;
        if (migration.script === undefined) {
          log(
            `Cannot verify the checksum of applied migration ${migration.name}: ${migration.readError}`,
            'warn',
          );
        } else if (!scriptMatchesChecksum(migration.script, row.checksum)) {
          const line =
            `- \`${migration.name}\`: ${MIGRATION_SCRIPT_FILE} has checksum ${migrationChecksum(migration.script)}, ` +
            `the database recorded ${row.checksum}`;
          edited.push({ name: migration.name, line });
        }
      }
      if (edited.length > 0) {
        throw new MigrationError(
          'CHECKSUM_MISMATCH',
          'Migration(s) modified after they were applied to the database:\n' +
            `${edited.map((e) => e.line).join('\n')}\n\n` +
            `Restore the applied version of ${MIGRATION_SCRIPT_FILE} and put the change in a new migration. ` +
            `If the edit is intended (e.g. comments only), record the new checksum: UPDATE ${MIGRATIONS_TABLE} ` +
            "SET checksum = '<new checksum>' WHERE migration_name = '<name>';",
          edited.length === 1 ? edited[0].name : undefined,
        );
      }

      const pending = local.filter((m) => !appliedRows.has(m.name));
      const alreadyApplied = local.length - pending.length;
      const lastApplied = local.filter((m) => appliedRows.has(m.name)).at(-1)?.name;
      for (const migration of pending) {
        if (lastApplied !== undefined && migration.name < lastApplied) {
          log(
            `Migration ${migration.name} is older than the already applied ${lastApplied}; applying it out of order.`,
            'warn',
          );
        }
      }

      // Refuse before applying anything rather than stop halfway.
      const unreadable = pending.find((m) => m.script === undefined);
      if (unreadable) {
        throw new MigrationError('MIGRATION_SCRIPT_UNREADABLE', unreadable.readError ?? '', unreadable.name);
      }

      const applied: string[] = [];
      for (const migration of pending) {
        await applyMigration(client, { ...migration, script: migration.script ?? '' }, log);
        applied.push(migration.name);
      }
      return { applied, alreadyApplied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
