import { redactUrl } from '@tender/config';

/** A failure the user can act on; `exitCode` 2 for usage errors, 1 otherwise. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string, usage?: string) {
    super(message, 2, usage ? { usage } : {});
  }
}

/** Refusals of the CLI's functions (unknown entity, duplicate name, an outcome not open, invalid input). */
export class ProvisioningError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

interface DriverError {
  name?: string;
  code?: string;
  message?: string;
  meta?: Record<string, unknown>;
  cause?: unknown;
}

function chain(error: unknown): DriverError[] {
  const errors: DriverError[] = [];
  let current = error as DriverError | undefined;
  while (current && typeof current === 'object' && errors.length < 5) {
    errors.push(current);
    current = current.cause as DriverError | undefined;
  }
  return errors;
}

const MIGRATE_HINT = 'run npm run db:migrate';

/** Turns database failures into messages that say what to do. */
export function describeDatabaseError(error: unknown, databaseUrl: string): CliError | undefined {
  const errors = chain(error);
  const text = errors
    .map((e) => `${e.code ?? ''} ${e.message ?? ''} ${JSON.stringify(e.meta ?? {})}`)
    .join(' ');
  const where = redactUrl(databaseUrl);
  if (
    errors.some((e) => e.code === 'P2021' || e.code === 'P2022') ||
    /TableDoesNotExist|relation .* does not exist/i.test(text)
  ) {
    return new CliError(`the database schema is missing or out of date at ${where}: ${MIGRATE_HINT}`);
  }
  if (/3D000|DatabaseDoesNotExist|database .* does not exist/i.test(text)) {
    return new CliError(`the database does not exist at ${where}: ${MIGRATE_HINT}`);
  }
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|DatabaseNotReachable|Can't reach database/i.test(text)) {
    return new CliError(`cannot connect to the database at ${where}: ${lastLine(errors[0].message)}`);
  }
  return undefined;
}

/** Prisma prefixes its messages with the invocation and a code frame: keep the explanation. */
export function lastLine(message: string | undefined): string {
  const lines = (message ?? 'unknown error')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? 'unknown error';
}
