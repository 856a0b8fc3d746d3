/** Connecting to the database to migrate, and creating it when it does not exist yet. */
import { Client, type ClientConfig } from 'pg';
import { parseDatabaseUrl, redactDatabaseUrl, scrubDatabaseUrl, withDatabase } from './database-url';
import { errorCode, errorMessage, MigrationError } from './errors';

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function connect(
  connectionString: string,
  displayUrl: string,
  config: Partial<ClientConfig> = {},
) {
  const client = new Client({ ...config, connectionString });
  // An idle client whose connection drops emits 'error'; without a listener that would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new MigrationError(
      'CONNECTION_FAILED',
      `Could not connect to ${redactDatabaseUrl(displayUrl)}: ${scrubDatabaseUrl(errorMessage(err), connectionString)}`,
      undefined,
      { cause: err },
    );
  }
  return client;
}

/** SQLSTATE of the Postgres error behind a connection failure. */
function connectionErrorCode(err: unknown): string | undefined {
  return err instanceof MigrationError ? errorCode(err.cause) : undefined;
}

// ---------------------------------------------------------------------------------------------------
// ensureDatabase
// ---------------------------------------------------------------------------------------------------

const CREATE_DATABASE_RACE_CODES = new Set([
  '42P04', // duplicate_database: another session created it first
  '23505', // unique_violation on pg_database_datname_index: both inserted at the same moment
]);

/**
 * Creates the database named in the URL if it does not exist, like `prisma migrate deploy` does.
 * Connects to the `postgres` maintenance database of the same server (`template1` if there is no
 * `postgres` database). Safe to call concurrently: losing the creation race counts as "exists".
 *
 * @returns true if this call created the database.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const { connectionString, database } = parseDatabaseUrl(databaseUrl);

  // Fast path, and the only one needing no rights on the maintenance database.
  try {
    const probe = await connect(connectionString, databaseUrl);
    await probe.end().catch(() => undefined);
    return false;
  } catch (err) {
    if (connectionErrorCode(err) !== '3D000') throw err; // 3D000 invalid_catalog_name: the database does not exist
  }

  let admin: Client | undefined;
  for (const maintenanceDb of ['postgres', 'template1']) {
    const adminUrl = withDatabase(databaseUrl, maintenanceDb);
    try {
      admin = await connect(adminUrl, adminUrl);
      break;
    } catch (err) {
      if (maintenanceDb === 'postgres' && connectionErrorCode(err) === '3D000') continue;
      throw err;
    }
  }
  if (!admin) throw new Error('unreachable: no maintenance database');

  try {
    for (let attempt = 1; ; attempt++) {
      const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (existing.rowCount) return false;
      try {
        await admin.query(`CREATE DATABASE ${quoteIdent(database)}`);
        return true;
      } catch (err) {
        const code = errorCode(err);
        if (code && CREATE_DATABASE_RACE_CODES.has(code)) return false;
        // 55006 object_in_use: someone is connected to the template database (e.g. another runner
        // using template1 as its maintenance database). It is transient: retry.
        if (code === '55006' && attempt < 20) {
          await sleep(50 * attempt);
          continue;
        }
        throw new Error(
          `Could not create database "${database}" on ${redactDatabaseUrl(databaseUrl)}: ${errorMessage(err)}`,
          { cause: err },
        );
      }
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}
