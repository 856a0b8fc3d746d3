/**
 * `npm run db:migrate`: creates the database if needed and applies prisma/migrations with Tender's
 * Prisma-compatible runner (libs/persistence/src/migrations). DATABASE_URL defaults to
 * postgresql://postgres@127.0.0.1:5432/tender. Then encrypts the secrets at rest still in clear or
 * under an older key (libs/persistence/src/migrations/secrets-at-rest.ts, like `tender keys
 * reencrypt`). Also importable: `runMigrations(databaseUrl?)` (the SQL migrations only).
 */
import {
  defaultMigrationsDir,
  DEFAULT_DATABASE_URL,
  runMigrations as runMigrationsIn,
  scrubDatabaseUrl,
  type RunMigrationsResult,
} from '../libs/persistence/src/migrations';
import {
  describeSecretsAtRest,
  encryptSecretsAtRest,
} from '../libs/persistence/src/migrations/secrets-at-rest';

/** `<repo>/prisma/migrations`, from the source (scripts/) and from the build (dist/scripts/) alike. */
export const MIGRATIONS_DIR = defaultMigrationsDir();

/** Ensures the database exists and applies the repository's migrations; logs to the console. */
export function runMigrations(databaseUrl?: string): Promise<RunMigrationsResult> {
  return runMigrationsIn(databaseUrl || process.env.DATABASE_URL || DEFAULT_DATABASE_URL, {
    migrationsDir: MIGRATIONS_DIR,
  });
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  try {
    await runMigrations(databaseUrl);
    console.log(describeSecretsAtRest(await encryptSecretsAtRest(databaseUrl)));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`Migration failed: ${scrubDatabaseUrl(message, databaseUrl)}`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
