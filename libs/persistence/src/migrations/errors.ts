/** What the migration runner reports when it stops, with Prisma's code for the same case. */
import type { DatabaseError } from 'pg';

export type MigrationErrorCode =
  | 'MIGRATIONS_DIR_NOT_FOUND'
  | 'PROVIDER_MISMATCH'
  | 'MIGRATION_SCRIPT_UNREADABLE'
  | 'SCHEMA_NOT_EMPTY'
  | 'FAILED_MIGRATIONS_FOUND'
  | 'CHECKSUM_MISMATCH'
  | 'MIGRATION_FAILED'
  | 'LOCK_TIMEOUT'
  | 'CONNECTION_FAILED';

/** Prisma's error code for the same situation, when there is one. */
const PRISMA_CODES: Partial<Record<MigrationErrorCode, string>> = {
  PROVIDER_MISMATCH: 'P3019',
  SCHEMA_NOT_EMPTY: 'P3005',
  FAILED_MIGRATIONS_FOUND: 'P3009',
  MIGRATION_FAILED: 'P3018',
  LOCK_TIMEOUT: 'P1002',
};

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  /** Prisma's error code for the same situation (P3009, P3018...), if any. */
  readonly prismaCode?: string;

  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    /** The migration concerned, when there is a single one. */
    readonly migrationName?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.prismaCode = PRISMA_CODES[code];
  }
}

export function isDatabaseError(err: unknown): err is DatabaseError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && 'severity' in err;
}

export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
