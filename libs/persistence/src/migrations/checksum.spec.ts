import { createHash } from 'node:crypto';
import { CHECKSUM_LENGTH, migrationChecksum, scriptMatchesChecksum } from './checksum';

describe('migrationChecksum', () => {
  it('is the lowercase hex SHA-256 of the script (known vectors)', () => {
    // Same vector as prisma-engines' checksum.rs test `format_checksum_does_not_strip_zeros`.
    expect(migrationChecksum('hello')).toBe(
      '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    );
    expect(migrationChecksum('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(migrationChecksum('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes the UTF-8 bytes, keeping a BOM, and is always 64 characters', () => {
    const script = '\uFEFF-- café\nCREATE TABLE "t" ("id" INTEGER);\n';
    expect(migrationChecksum(script)).toBe(
      createHash('sha256').update(Buffer.from(script, 'utf8')).digest('hex'),
    );
    expect(migrationChecksum('abcd')).toHaveLength(CHECKSUM_LENGTH);
  });
});

describe('scriptMatchesChecksum', () => {
  it('accepts the exact script and rejects any other', () => {
    expect(scriptMatchesChecksum('abcd', migrationChecksum('abcd'))).toBe(true);
    expect(scriptMatchesChecksum('abc', migrationChecksum('abcd'))).toBe(false);
    expect(scriptMatchesChecksum('abc\n', migrationChecksum('abc'))).toBe(false);
  });

  it('ignores LF/CRLF differences like Prisma', () => {
    const variants = ['ab\ncd\nef\ngh\rab\n', 'ab\r\ncd\r\nef\r\ngh\rab\r\n'];
    for (const script of variants) {
      for (const recorded of variants)
        expect(scriptMatchesChecksum(script, migrationChecksum(recorded))).toBe(true);
    }
  });

  it('accepts the non zero-padded checksums written by old Prisma versions', () => {
    const digest = createHash('sha256').update('hello').digest();
    const old = [...digest].map((b) => b.toString(16)).join('');
    expect(old.length).toBeLessThan(CHECKSUM_LENGTH);
    expect(scriptMatchesChecksum('hello', old)).toBe(true);
    expect(scriptMatchesChecksum('hello!', old)).toBe(false);
  });
});
