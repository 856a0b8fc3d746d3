import { DataDecryptionError, type DataCipher } from './encryption';
import type { Sql } from './sql';
import {
  credentialsAreSealed,
  openWebhookSecret,
  sealCredentials,
  sealInstrument,
  sealSigningKey,
  sealWebhookHeaders,
  sealWebhookSecret,
  webhookHeadersAreSealed,
} from './stored-secrets';

/**
 * `tender keys reencrypt`, also run by `npm run db:migrate` and `npm start` after the SQL
 * migrations: every secret at rest (see stored-secrets.ts) not yet encrypted with the first key of
 * DATA_ENCRYPTION_KEYS is (re-)encrypted with it, values stored in clear included. Idempotent and
 * safe while the API and the worker run: each row is rewritten only if it still holds the value
 * read (a concurrent write wins), `updated_at` is left alone. A value no key decrypts is counted
 * as failed and left as it is (its key was dropped from DATA_ENCRYPTION_KEYS too early).
 */
export interface ColumnCount {
  checked: number;
  reencrypted: number;
  failed: number;
}

export type ReencryptResult = Record<
  | 'partner_account.credentials'
  | 'webhook_secret.secret'
  | 'partner_transaction.instrument'
  | 'client_session.webhook'
  | 'payment.webhook'
  | 'merchant_event.headers'
  | 'signing_key.private_jwk',
  ColumnCount
> & { key_id: string };

const BATCH = 500;

interface ColumnSpec {
  table: string;
  column: string;
  cast: 'jsonb' | 'text';
  /** The type of the table's id (default uuid). */
  idType?: 'uuid' | 'text';
  /** The value to store, or undefined when the stored one is already encrypted with the current key. */
  reseal(value: unknown): unknown;
}

async function reencryptColumn(db: Sql, spec: ColumnSpec): Promise<ColumnCount> {
  const count: ColumnCount = { checked: 0, reencrypted: 0, failed: 0 };
  const toParameter = (value: unknown) => (spec.cast === 'jsonb' ? JSON.stringify(value) : value);
  const idType = spec.idType ?? 'uuid';
  let after = idType === 'uuid' ? '00000000-0000-0000-0000-000000000000' : '';
  for (;;) {
    const rows = await db.query<{ id: string; value: unknown }>(
      `SELECT id, ${spec.column} AS value FROM ${spec.table}
        WHERE id > $1::${idType} AND ${spec.column} IS NOT NULL ORDER BY id LIMIT ${BATCH}`,
      [after],
    );
    for (const row of rows) {
      count.checked += 1;
      let next: unknown;
      try {
        next = spec.reseal(row.value);
      } catch (error) {
        if (!(error instanceof DataDecryptionError)) throw error;
        count.failed += 1;
        continue;
      }
      if (next === undefined) continue;
      const updated = await db.query(
        `UPDATE ${spec.table} SET ${spec.column} = $2::${spec.cast}
          WHERE id = $1::${idType} AND ${spec.column} = $3::${spec.cast} RETURNING id`,
        [row.id, toParameter(next), toParameter(row.value)],
      );
      count.reencrypted += updated.length;
    }
    if (rows.length < BATCH) return count;
    after = rows[rows.length - 1].id;
  }
}

export async function reencryptStoredSecrets(db: Sql, cipher: DataCipher): Promise<ReencryptResult> {
  return {
    key_id: cipher.currentKeyId,
    'partner_account.credentials': await reencryptColumn(db, {
      table: 'partner_account',
      column: 'credentials',
      cast: 'jsonb',
      reseal: (value) =>
        credentialsAreSealed(cipher, value)
          ? undefined
          : sealCredentials(cipher, value as Record<string, unknown>),
    }),
    'webhook_secret.secret': await reencryptColumn(db, {
      table: 'webhook_secret',
      column: 'secret',
      cast: 'text',
      reseal: (value) => {
        if (cipher.isCurrent(value)) return undefined;
        return sealWebhookSecret(cipher, openWebhookSecret(cipher, value as string));
      },
    }),
    'partner_transaction.instrument': await reencryptColumn(db, {
      table: 'partner_transaction',
      column: 'instrument',
      cast: 'jsonb',
      reseal: (value) => (cipher.isCurrent(value) ? undefined : sealInstrument(cipher, value)),
    }),
    ...Object.fromEntries(
      await Promise.all(
        [
          ['client_session', 'webhook'],
          ['payment', 'webhook'],
          ['merchant_event', 'headers'],
        ].map(async ([table, column]) => [
          `${table}.${column}`,
          await reencryptColumn(db, {
            table,
            column,
            cast: 'jsonb',
            reseal: (value) =>
              webhookHeadersAreSealed(cipher, value) ? undefined : sealWebhookHeaders(cipher, value),
          }),
        ]),
      ),
    ),
    'signing_key.private_jwk': await reencryptColumn(db, {
      table: 'signing_key',
      column: 'private_jwk',
      cast: 'jsonb',
      idType: 'text',
      reseal: (value) => (cipher.isCurrent(value) ? undefined : sealSigningKey(cipher, value)),
    }),
  } as ReencryptResult;
}

/** The values no key could decrypt, all columns together. */
export function failedCount(result: ReencryptResult): number {
  return Object.values(result).reduce(
    (sum: number, count) => sum + (typeof count === 'object' ? count.failed : 0),
    0,
  );
}
