import { Client } from 'pg';
import * as path from 'node:path';
import { TEST_DATABASE_URL } from './env';
import { migrate } from '../../libs/persistence/src/migrations/runner';

/** A fresh test database for every run: dropped (it is ours), created, migrated with our own runner. */
export default async function globalSetup(): Promise<void> {
  const url = new URL(TEST_DATABASE_URL);
  const database = url.pathname.slice(1);
  if (!/^tender_test\w*$/.test(database)) {
    throw new Error(`refusing to recreate database "${database}": test databases must be named tender_test*`);
  }
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  await migrate({
    databaseUrl: TEST_DATABASE_URL,
    migrationsDir: path.resolve(__dirname, '../../prisma/migrations'),
  });
}
