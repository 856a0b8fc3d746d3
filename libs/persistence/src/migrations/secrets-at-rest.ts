import { DEVELOPMENT_DATA_ENCRYPTION_KEYS, parseDataKeys } from '@tender/config/data-keys';
import { DataCipher } from '../encryption';
import { failedCount, reencryptStoredSecrets, type ReencryptResult } from '../reencrypt';
import { Database } from '../sql';

/**
 * The data step of `npm run db:migrate` and `npm start`, after the SQL migrations (SQL cannot
 * encrypt; `_prisma_migrations` only records SQL migrations): encrypts the secrets stored in
 * clear and moves every encrypted value to the first key, like `tender keys reencrypt`. The keys
 * come from DATA_ENCRYPTION_KEYS (the development key when NODE_ENV is development or test);
 * without them in production the step is skipped, and says so.
 */
export async function encryptSecretsAtRest(
  databaseUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ skipped: string } | ReencryptResult> {
  const development = env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
  const spec = env.DATA_ENCRYPTION_KEYS || (development ? DEVELOPMENT_DATA_ENCRYPTION_KEYS : undefined);
  if (!spec) return { skipped: 'DATA_ENCRYPTION_KEYS is not set: secrets at rest left as they are' };
  const { keys, problems } = parseDataKeys(spec);
  if (problems.length > 0) throw new Error(`DATA_ENCRYPTION_KEYS: ${problems.join('; ')}`);
  const db = new Database(databaseUrl, 2);
  try {
    const result = await reencryptStoredSecrets(db, new DataCipher(keys));
    const failed = failedCount(result);
    if (failed > 0) {
      throw new Error(`${failed} secret(s) at rest could not be decrypted with DATA_ENCRYPTION_KEYS`);
    }
    return result;
  } finally {
    await db.end();
  }
}

/** One line for the console. */
export function describeSecretsAtRest(result: { skipped: string } | ReencryptResult): string {
  if ('skipped' in result) return `secrets at rest: skipped (${result.skipped})`;
  const counts = Object.entries(result)
    .filter(([key]) => key !== 'key_id')
    .map(([column, count]) => `${column} ${(count as { reencrypted: number }).reencrypted}`)
    .join(', ');
  return `secrets at rest: encrypted with key "${result.key_id}" (rewritten: ${counts})`;
}
