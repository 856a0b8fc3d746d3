/**
 * Checksums of migration scripts, computed exactly as Prisma Migrate does
 * (prisma-engines, `schema-engine/connectors/schema-connector/src/checksum.rs`):
 *
 * - the checksum is the SHA-256 of the script's UTF-8 bytes, rendered as 64 lowercase hex digits.
 *   Prisma's CLI reads `migration.sql` as UTF-8 text, so a valid UTF-8 file hashes to the SHA-256 of
 *   its raw bytes (a BOM, if any, is kept and hashed);
 * - when comparing a script with a recorded checksum, Prisma tolerates line-ending changes made by git:
 *   it accepts the checksum of the script as is, with CRLF turned into LF, and with LF turned into CRLF;
 * - rows written by old Prisma versions may hold checksums whose bytes were not zero-padded
 *   (prisma-engines#1887): a recorded checksum whose length is not 64 is compared in that format.
 */
import { createHash } from 'node:crypto';

/** Length of a checksum rendered by {@link migrationChecksum}. */
export const CHECKSUM_LENGTH = 64;

function sha256(script: string): Buffer {
  return createHash('sha256').update(script, 'utf8').digest();
}

function formatChecksum(digest: Buffer): string {
  return digest.toString('hex');
}

/** The obsolete, non zero-padded rendering of old Prisma versions (`{:x}` per byte). */
function formatChecksumOld(digest: Buffer): string {
  let out = '';
  for (const byte of digest) out += byte.toString(16);
  return out;
}

/** The checksum Prisma records in `_prisma_migrations.checksum` for this migration script. */
export function migrationChecksum(script: string): string {
  return formatChecksum(sha256(script));
}

/** Whether a migration script matches a recorded checksum, with Prisma's tolerance (see above). */
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  const format =
    checksum.length !== 0 && checksum.length !== CHECKSUM_LENGTH ? formatChecksumOld : formatChecksum;
  const variants = [script, script.replace(/\r\n/g, '\n'), script.replace(/\n/g, '\r\n')];
  return variants.some((variant) => format(sha256(variant)) === checksum);
}
