import { errorMessage, isDatabaseError } from './errors';
import { MIGRATION_SCRIPT_FILE } from './migrations-dir';

/** What a failed migration leaves in `_prisma_migrations.logs`: Prisma's P3018 text and where it failed. */

/** Position of a Postgres error (1-based character offset) as "line N" plus the offending line. */
function errorLocation(script: string, position: string | undefined): string {
  const offset = Number(position);
  if (!position || !Number.isInteger(offset) || offset < 1) return '';
  const chars = Array.from(script);
  const before = chars.slice(0, offset - 1).join('');
  const lineNumber = before.split('\n').length;
  const line = script.split('\n')[lineNumber - 1]?.replace(/\r$/, '') ?? '';
  return `\n\nPosition: line ${lineNumber} of ${MIGRATION_SCRIPT_FILE}\n${String(lineNumber).padStart(4)} | ${line}`;
}

/** Text for `_prisma_migrations.logs`, shaped like Prisma's P3018 message. */
export function failureLogs(name: string, err: unknown, script: string): string {
  if (isDatabaseError(err)) {
    const details = [
      `${err.severity ?? 'ERROR'}: ${err.message}`,
      err.detail ? `DETAIL: ${err.detail}` : '',
      err.hint ? `HINT: ${err.hint}` : '',
      err.where ? `CONTEXT: ${err.where}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    return (
      'A migration failed to apply. New migrations cannot be applied before the error is recovered from. ' +
      'Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve' +
      `\n\nMigration name: ${name}\n\nDatabase error code: ${err.code}\n\nDatabase error:\n${details}` +
      errorLocation(script, err.position)
    );
  }
  return (
    'A migration failed to apply. New migrations cannot be applied before the error is recovered from.' +
    `\n\nMigration name: ${name}\n\nDatabase error code: none\n\nDatabase error:\n${errorMessage(err)}`
  );
}
