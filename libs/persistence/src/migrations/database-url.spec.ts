import { parseDatabaseUrl, redactDatabaseUrl, scrubDatabaseUrl, withDatabase } from './database-url';

describe('database URLs', () => {
  it('parses the database and Prisma schema parameter', () => {
    expect(parseDatabaseUrl('postgresql://postgres@127.0.0.1:5432/tender')).toEqual({
      connectionString: 'postgresql://postgres@127.0.0.1:5432/tender',
      database: 'tender',
      schema: 'public',
      explicitSchema: false,
    });
    const parsed = parseDatabaseUrl('postgres://u:p@h/my%20db?schema=app&sslmode=disable');
    expect(parsed).toMatchObject({ database: 'my db', schema: 'app', explicitSchema: true });
    expect(parsed.connectionString).toBe('postgres://u:p@h/my%20db?sslmode=disable');
  });

  it('rejects URLs without a database or of another scheme, without echoing them', () => {
    expect(() => parseDatabaseUrl('postgresql://u:secret@h:5432')).toThrow(/no database name/);
    expect(() => parseDatabaseUrl('postgresql://u:secret@h:5432')).not.toThrow(/secret/);
    expect(() => parseDatabaseUrl('mysql://u:secret@h/db')).toThrow(/unsupported scheme/);
    expect(() => parseDatabaseUrl('not a url secret')).not.toThrow(/secret/);
  });

  it('switches database and redacts passwords', () => {
    expect(withDatabase('postgresql://u:p@h:1/tender?schema=x&sslmode=require', 'postgres')).toBe(
      'postgresql://u:p@h:1/postgres?sslmode=require',
    );
    expect(redactDatabaseUrl('postgresql://u:s3cr%40t@h/db')).toBe('postgresql://u:****@h/db');
    expect(redactDatabaseUrl('postgresql://u@h/db')).toBe('postgresql://u@h/db');
    expect(redactDatabaseUrl('postgresql://u@h/db?password=zzz')).toBe('postgresql://u@h/db?password=****');
    expect(
      scrubDatabaseUrl('failed for s3cr@t at postgresql://u:s3cr%40t@h/db', 'postgresql://u:s3cr%40t@h/db'),
    ).toBe('failed for **** at postgresql://u:****@h/db');
  });
});
