/** Prisma's migrations directory: `<dir>/<timestamp_name>/migration.sql` plus `migration_lock.toml`. */
import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { errorCode, errorMessage, MigrationError } from './errors';
import type { MigrationLogger } from './runner';

export const MIGRATION_SCRIPT_FILE = 'migration.sql';
export const MIGRATION_LOCK_FILE = 'migration_lock.toml';

export interface LocalMigration {
  name: string;
  script: string | undefined;
  readError: string | undefined;
}

/** Provider named in migration_lock.toml, parsed like prisma-engines' `read_provider_from_lock_file`. */
function providerFromLockFile(content: string): string {
  const line = content.split(/\r?\n/).find((l) => l.startsWith('provider'));
  if (line === undefined) return '<PROVIDER NOT FOUND>';
  return line.replace(/^(provider = )+/, '').replace(/^"+|"+$/g, '');
}

/**
 * Lists the migrations of a Prisma migrations directory, sorted by folder name (code-unit order).
 * Prisma 7's CLI sorts with `localeCompare`, which gives the same order for Prisma's
 * `YYYYMMDDHHMMSS_name` folders; a warning is logged if the two orders ever differ.
 */
export async function readMigrationsDir(
  migrationsDir: string,
  log: MigrationLogger = () => undefined,
): Promise<LocalMigration[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(migrationsDir, { withFileTypes: true });
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') {
      throw new MigrationError(
        'MIGRATIONS_DIR_NOT_FOUND',
        `Migrations directory not found: ${migrationsDir}`,
      );
    }
    throw err;
  }

  const lockFile = await fs
    .readFile(path.join(migrationsDir, MIGRATION_LOCK_FILE), 'utf8')
    .catch(() => undefined);
  if (lockFile !== undefined) {
    const provider = providerFromLockFile(lockFile);
    if (provider !== 'postgresql') {
      throw new MigrationError(
        'PROVIDER_MISMATCH',
        `${path.join(migrationsDir, MIGRATION_LOCK_FILE)} is for provider \`${provider}\`, but this runner only ` +
          'migrates PostgreSQL (`provider = "postgresql"`).',
      );
    }
  }

  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const prismaOrder = [...names].sort((a, b) => a.localeCompare(b));
  if (prismaOrder.some((name, i) => name !== names[i])) {
    log(
      `Migration folder names in ${migrationsDir} sort differently by code point and by locale; ` +
        'Prisma may apply them in another order. Use Prisma-style YYYYMMDDHHMMSS_name folder names.',
      'warn',
    );
  }

  return Promise.all(
    names.map(async (name): Promise<LocalMigration> => {
      const file = path.join(migrationsDir, name, MIGRATION_SCRIPT_FILE);
      try {
        // Read as UTF-8 text like Prisma's CLI; the checksum is over that text's UTF-8 bytes.
        return { name, script: await fs.readFile(file, 'utf8'), readError: undefined };
      } catch (err) {
        return {
          name,
          script: undefined,
          readError: `Failed to read migration script at ${file}: ${errorMessage(err)}`,
        };
      }
    }),
  );
}
