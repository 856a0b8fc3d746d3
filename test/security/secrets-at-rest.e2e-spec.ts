import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DEVELOPMENT_DATA_ENCRYPTION_KEYS, parseDataKeys } from '@tender/config';
import {
  createPrismaClient,
  DataCipher,
  Database,
  isEncrypted,
  openCredentials,
  openInstrument,
  reencryptStoredSecrets,
} from '@tender/persistence';
import { runMigrations, withDatabase } from '@tender/persistence/migrations';
import { createEntity, getWebhookSecret, setPartnerAccount } from '../../apps/cli/src/provisioning';
import { DEMO_PARTNER_ACCOUNTS } from '../../apps/cli/src/demo';
import { run } from '../../apps/cli/src/main';
import { SigningKeys } from '../../apps/api/src/jwks';
import { encryptSecretsAtRest } from '../../libs/persistence/src/migrations/secrets-at-rest';
import { TEST_DATA_ENCRYPTION_KEYS, TEST_DATABASE_URL } from '../support/env';
import { eventually, TestStack } from '../support/stack';

const GIFT_CARD = '6000000000000500';
const PIN = '83749261';
const CARD_TOKEN = 'connect-approve';
/** Every secret of the demo partner accounts the test stack provisions. */
const PARTNER_SECRETS = [
  'tender-sim-secret',
  'tender-sim-purse-secret',
  'tender-sim-webhook-secret',
  'tender-sim-purse-webhook-secret',
  'tender-b2b',
];

/** The database as a backup holds it: `pg_dump --data-only`, plain SQL text. */
async function dump(databaseUrl: string, tables: string[]): Promise<string> {
  const args = ['--data-only', '--no-owner', ...tables.flatMap((t) => ['--table', t]), databaseUrl];
  const { stdout } = await promisify(execFile)('pg_dump', args, { maxBuffer: 512 * 1024 * 1024 });
  return stdout;
}

describe('nothing readable at rest (issue #12 item 3)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: true });
  });
  afterAll(() => stack?.close());

  it('a split payment with a gift card (PIN) and a card authorizes, captures and refunds; a dump shows no secret', async () => {
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: {
        amount: 3000,
        currency: 'EUR',
        capture_mode: 'MANUAL',
        split: [
          {
            partner: 'paytronix',
            method: 'giftcard',
            amount: 1000,
            payment_method: { card_number: GIFT_CARD, pin: PIN },
          },
          { partner: 'connect', method: 'card', amount: 2000, payment_method: { token: CARD_TOKEN } },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.authorization.status).toBe('AUTHORIZED'); // the worker decrypted both
    const id = created.body.id as string;
    const captured = await stack.request('POST', `/v2/payments/${id}/captures`, {
      token: stack.backOffice,
      body: {},
    });
    expect(captured.status).toBe(201);
    expect(captured.body.captures[0].status).toBe('SUCCESS');
    const refunded = await stack.request('POST', `/v2/payments/${id}/refunds`, {
      token: stack.backOffice,
      body: { amount: 1500 },
    });
    expect(refunded.status).toBe(201);
    await eventually(async () => {
      const payment = await stack.request('GET', `/v2/payments/${id}`, { token: stack.backOffice });
      expect(payment.body.amounts).toMatchObject({ total_captured: 3000, total_refunded: 1500 });
      return true;
    });

    const text = await dump(TEST_DATABASE_URL, [
      'partner_account',
      'webhook_secret',
      'partner_transaction',
      'operation_transaction',
      'payment',
      'idempotency_key',
      'partner_event',
      'merchant_event',
    ]);
    expect(text).toContain(id); // the dump has the payment…
    for (const secret of [...PARTNER_SECRETS, stack.webhookSecret, stack.webhookSecret.slice(6), PIN]) {
      expect(text).not.toContain(secret); // …and none of the secrets
    }
    const rowsOfPayment = text.split('\n').filter((line) => line.includes(id));
    expect(rowsOfPayment.length).toBeGreaterThan(0);
    for (const line of rowsOfPayment) expect(line).not.toContain(GIFT_CARD);
    // The instruments (card number, PIN, card token) are encrypted whole. (The partner's own
    // reusable token, partner_token, is still in clear: the simulator echoes the test token there.)
    const instruments = await stack.prisma.$queryRaw<Array<{ instrument: string }>>`
      SELECT instrument::text AS instrument FROM partner_transaction WHERE payment_id = ${id}::uuid`;
    expect(instruments).toHaveLength(2);
    // The PIN served the authorization only: erased since; the card number stays (refunds credit it).
    const opened = instruments.map(({ instrument }) => openInstrument(stack.cipher, JSON.parse(instrument)));
    expect(opened).toEqual(expect.arrayContaining([{ card_number: GIFT_CARD }, { token: CARD_TOKEN }]));
    for (const { instrument } of instruments) {
      expect(instrument).toMatch(/^"enc:v1:test:[^"]+"$/);
      for (const secret of [GIFT_CARD, PIN, CARD_TOKEN]) expect(instrument).not.toContain(secret);
    }
    // Identifiers stay in clear: the Connect webhook lookup filters on webhookKeyId.
    const connect = await stack.prisma.partnerAccount.findUniqueOrThrow({
      where: { entityId_partner: { entityId: stack.entityId, partner: 'connect' } },
    });
    expect(connect.credentials).toMatchObject({ merchantId: '1000', webhookKeyId: expect.any(String) });
    expect(isEncrypted((connect.credentials as Record<string, unknown>).secretApiKey)).toBe(true);
  });

  it('stores the JWS private keys encrypted, and still publishes and signs', async () => {
    const jwks = await stack.request('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    const kid = jwks.body.keys[0].kid as string;
    const [row] = await stack.prisma.$queryRaw<Array<{ private_jwk: string }>>`
      SELECT private_jwk::text AS private_jwk FROM signing_key WHERE id = ${kid}`;
    expect(row.private_jwk).toMatch(/^"enc:v1:test:[^"]+"$/);
    const keys = new SigningKeys(stack.prisma, stack.cipher);
    await expect(keys.signingKey()).resolves.toMatchObject({ kid: expect.any(String) });
  });
});

describe('tender keys reencrypt', () => {
  const database = `tender_keys_test_${randomBytes(6).toString('hex')}`;
  const url = withDatabase(TEST_DATABASE_URL, database);
  const admin = withDatabase(TEST_DATABASE_URL, 'postgres');
  const testKeys = parseDataKeys(TEST_DATA_ENCRYPTION_KEYS).keys;
  const newKeys = `k2026:${randomBytes(32).toString('base64')},${TEST_DATA_ENCRYPTION_KEYS}`;
  const cli = async (env: Record<string, string>, ...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await run(
      args,
      { ...process.env, NODE_ENV: 'test', DATABASE_URL: url, ...env },
      { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
    );
    return { code, json: stdout ? JSON.parse(stdout) : undefined, stderr };
  };
  const sql = async <T>(query: string, values: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(query, values)).rows as T[];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    await runMigrations(url, {
      migrationsDir: path.resolve(__dirname, '..', '..', 'prisma', 'migrations'),
      log: () => undefined,
    });
  });
  afterAll(async () => {
    const client = new Client({ connectionString: admin });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.end();
  });

  it('encrypts rows left in clear, moves every value to the first key, and is idempotent', async () => {
    const prisma = createPrismaClient(url, 2);
    const before = new DataCipher(testKeys);
    try {
      // Rows written before encryption: in clear.
      const legacy = await createEntity(prisma, before, 'legacy');
      await sql(`UPDATE webhook_secret SET secret = $1 WHERE entity_id = $2::uuid`, [
        legacy.webhook_secret,
        legacy.entity_id,
      ]);
      const connect = DEMO_PARTNER_ACCOUNTS.find((a) => a.partner === 'connect')!;
      await sql(
        `INSERT INTO partner_account (id, entity_id, partner, methods, credentials, config, created_at, updated_at)
         VALUES (gen_random_uuid(), $1::uuid, 'connect', '{card}', $2::jsonb, '{}', now(), now())`,
        [legacy.entity_id, JSON.stringify(connect.credentials)],
      );
      // A row written with the current key.
      const recent = await createEntity(prisma, before, 'recent');
      await setPartnerAccount(prisma, before, recent.entity_id, 'purse', {
        methods: ['card'],
        credentials: { clientId: 'x', clientSecret: 'tender-sim-purse-secret' },
      });
      const text = await dump(url, ['partner_account', 'webhook_secret']);
      expect(text).toContain('tender-sim-secret');

      // Rotation: a new key first, the old one still there.
      const rotated = await cli({ DATA_ENCRYPTION_KEYS: newKeys }, 'keys', 'reencrypt');
      expect(rotated.stderr).toBe('');
      expect(rotated.code).toBe(0);
      expect(rotated.json).toEqual({
        key_id: 'k2026',
        'partner_account.credentials': { checked: 2, reencrypted: 2, failed: 0 },
        'webhook_secret.secret': { checked: 2, reencrypted: 2, failed: 0 },
        'partner_transaction.instrument': { checked: 0, reencrypted: 0, failed: 0 },
        'client_session.webhook': { checked: 0, reencrypted: 0, failed: 0 },
        'payment.webhook': { checked: 0, reencrypted: 0, failed: 0 },
        'merchant_event.headers': { checked: 0, reencrypted: 0, failed: 0 },
        'signing_key.private_jwk': { checked: 0, reencrypted: 0, failed: 0 },
      });
      const after = await dump(url, ['partner_account', 'webhook_secret']);
      for (const secret of [...PARTNER_SECRETS, legacy.webhook_secret, recent.webhook_secret]) {
        expect(after).not.toContain(secret);
      }
      expect(after).not.toContain('enc:v1:test:');
      expect(after).toContain('enc:v1:k2026:');

      // Again: nothing left to do (the data step of db:migrate does the same).
      const again = await cli({ DATA_ENCRYPTION_KEYS: newKeys }, 'keys', 'reencrypt');
      expect(again.json['webhook_secret.secret']).toEqual({ checked: 2, reencrypted: 0, failed: 0 });
      const step = await encryptSecretsAtRest(url, { NODE_ENV: 'production', DATA_ENCRYPTION_KEYS: newKeys });
      expect(step).toMatchObject({ 'partner_account.credentials': { reencrypted: 0, failed: 0 } });

      // The old key can go: the new one alone reads everything.
      const newOnly = new DataCipher(parseDataKeys(newKeys.split(',')[0]).keys);
      expect((await getWebhookSecret(prisma, newOnly, legacy.entity_id)).webhook_secret).toBe(
        legacy.webhook_secret,
      );
      const account = await prisma.partnerAccount.findFirstOrThrow({ where: { entityId: legacy.entity_id } });
      expect(openCredentials(newOnly, account.credentials)).toEqual(connect.credentials);

      // A key dropped too early: reported, values left as they are, exit code 1.
      const wrong = await cli(
        { DATA_ENCRYPTION_KEYS: DEVELOPMENT_DATA_ENCRYPTION_KEYS },
        'keys',
        'reencrypt',
      );
      expect(wrong.code).toBe(1);
      expect(JSON.parse(wrong.stderr).error).toMatch(/4 value\(s\) could not be decrypted/);
      expect(wrong.stderr).not.toContain('k2026:');
    } finally {
      await prisma.$disconnect();
    }
  });

  it('the db:migrate data step needs the keys in production and says so', async () => {
    await expect(encryptSecretsAtRest(url, { NODE_ENV: 'production' })).resolves.toEqual({
      skipped: expect.stringMatching(/DATA_ENCRYPTION_KEYS is not set/),
    });
    const db = new Database(url, 1);
    try {
      const development = new DataCipher(parseDataKeys(DEVELOPMENT_DATA_ENCRYPTION_KEYS).keys);
      await expect(reencryptStoredSecrets(db, development)).resolves.toMatchObject({
        'webhook_secret.secret': { failed: 2 },
      });
    } finally {
      await db.end();
    }
  });
});
