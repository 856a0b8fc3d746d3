export { CHECKSUM_LENGTH, migrationChecksum, scriptMatchesChecksum } from './checksum';
export {
  DEFAULT_DATABASE_URL,
  DEFAULT_SCHEMA,
  parseDatabaseUrl,
  redactDatabaseUrl,
  scrubDatabaseUrl,
  withDatabase,
  type ParsedDatabaseUrl,
} from './database-url';
export { MigrationError, type MigrationErrorCode } from './errors';
export { ensureDatabase } from './database';
export { MIGRATION_LOCK_FILE, MIGRATION_SCRIPT_FILE, readMigrationsDir } from './migrations-dir';
export {
  MIGRATIONS_TABLE,
  PRISMA_MIGRATE_LOCK_KEY,
  PRISMA_MIGRATIONS_TABLE_DDL,
  migrate,
  type MigrateOptions,
  type MigrateResult,
  type MigrationLogLevel,
  type MigrationLogger,
} from './runner';
export {
  defaultMigrationsDir,
  runMigrations,
  summarize,
  type RunMigrationsOptions,
  type RunMigrationsResult,
} from './run-migrations';
