import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ensureDatabase } from './database';
import { DEFAULT_DATABASE_URL, redactDatabaseUrl } from './database-url';
import { migrate, type MigrateResult, type MigrationLogger } from './runner';

/** `runMigrations`: what `npm run db:migrate`, `npm start` and the e2e global setup use. */

export interface RunMigrationsOptions {
  /** Default: `prisma/migrations` of the repository this file belongs to. */
  migrationsDir?: string;
  /** Default: info lines to stdout, warnings to stderr. */
  log?: MigrationLogger;
  lockTimeoutMs?: number;
}

export interface RunMigrationsResult extends MigrateResult {
  /** Whether the database had to be created. */
  databaseCreated: boolean;
}

const consoleLogger: MigrationLogger = (message, level) => {
  if (level === 'warn') console.warn(`warning: ${message}`);
  else console.log(message);
};

/**
 * `<repo>/prisma/migrations`: walks up from this file (source or compiled) to the first directory
 * holding both package.json and prisma/; falls back to `./prisma/migrations`.
 */
export function defaultMigrationsDir(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'prisma'))) {
      return path.join(dir, 'prisma', 'migrations');
    }
  }
  return path.resolve('prisma', 'migrations');
}

/**
 * Ensures the database exists, then applies the pending migrations. The URL defaults to
 * `DATABASE_URL`, then to {@link DEFAULT_DATABASE_URL}. Logs one line per applied migration and a summary.
 */
export async function runMigrations(
  databaseUrl: string = process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
  options: RunMigrationsOptions = {},
): Promise<RunMigrationsResult> {
  const log = options.log ?? consoleLogger;
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir();
  const databaseCreated = await ensureDatabase(databaseUrl);
  if (databaseCreated) log(`Created database ${redactDatabaseUrl(databaseUrl)}`, 'info');
  const result = await migrate({ databaseUrl, migrationsDir, log, lockTimeoutMs: options.lockTimeoutMs });
  log(summarize(result), 'info');
  return { ...result, databaseCreated };
}

/** `N migrations applied, M already applied`. */
export function summarize(result: MigrateResult): string {
  const n = result.applied.length;
  return `${n} migration${n === 1 ? '' : 's'} applied, ${result.alreadyApplied} already applied`;
}
