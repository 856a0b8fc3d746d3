/**
 * Helpers around PostgreSQL connection URLs: Prisma's `?schema=` parameter, switching to a
 * maintenance database, and redaction of passwords for messages.
 */

/** The database URL used when `DATABASE_URL` is not set (local development). */
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/tender';

/** Prisma's default schema when the URL has no `?schema=` parameter. */
export const DEFAULT_SCHEMA = 'public';

export interface ParsedDatabaseUrl {
  /** URL to hand to `pg` (Prisma-only parameters removed). */
  connectionString: string;
  /** Name of the database (path of the URL). */
  database: string;
  /** Target schema: `?schema=` if given, else `public` (as Prisma). */
  schema: string;
  /** Whether `?schema=` was given; Prisma then sets `search_path` to it. */
  explicitSchema: boolean;
}

function parseUrl(databaseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('Invalid database URL: expected postgresql://user[:password]@host[:port]/database');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new Error(`Invalid database URL: unsupported scheme "${url.protocol}" (expected postgresql:)`);
  }
  return url;
}

/** Parses a `postgresql://` URL. Throws a message free of credentials when it is invalid. */
export function parseDatabaseUrl(databaseUrl: string): ParsedDatabaseUrl {
  const url = parseUrl(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) {
    throw new Error(`Invalid database URL ${redactDatabaseUrl(databaseUrl)}: no database name in its path`);
  }
  const schemaParam = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  return {
    connectionString: url.toString(),
    database,
    schema: schemaParam || DEFAULT_SCHEMA,
    explicitSchema: Boolean(schemaParam),
  };
}

/** The same server and credentials, another database (e.g. the `postgres` maintenance database). */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = parseUrl(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  url.searchParams.delete('schema');
  return url.toString();
}

/** The URL with its password replaced by `****`, safe to print. */
export function redactDatabaseUrl(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return '<invalid database URL>';
  }
  if (url.password) url.password = '****';
  for (const key of [...url.searchParams.keys()]) {
    if (/^(password|sslpassword|sslkey)$/i.test(key)) url.searchParams.set(key, '****');
  }
  return url.toString();
}

/** Removes the URL's password from a text (e.g. an error message), as a last line of defence. */
export function scrubDatabaseUrl(text: string, databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return text;
  }
  const secrets = new Set<string>();
  if (url.password) {
    secrets.add(url.password);
    try {
      secrets.add(decodeURIComponent(url.password));
    } catch {
      // keep the raw form only
    }
  }
  for (const [key, value] of url.searchParams) {
    if (/^(password|sslpassword)$/i.test(key) && value) secrets.add(value);
  }
  let out = text.split(databaseUrl).join(redactDatabaseUrl(databaseUrl));
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 3) out = out.split(secret).join('****');
  }
  return out;
}
