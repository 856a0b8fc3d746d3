import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@tender/config';
import { createApiApp } from '../apps/api/src/app';
import { run } from '../apps/cli/src/main';
import { TEST_DATA_ENCRYPTION_KEYS, TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';
import { runCliProcess, type CliProcessResult } from './support/processes';

type CliResult = CliProcessResult;

/** Runs `tender <args>` as a child process against the test database. */
const tender = runCliProcess;

/**
 * The same CLI in-process (same argument handling and output), for the secondary checks: every
 * child process costs about a second of CPU.
 */
async function tenderInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(
    args,
    {
      ...process.env,
      DATABASE_URL: TEST_DATABASE_URL,
      DATA_ENCRYPTION_KEYS: TEST_DATA_ENCRYPTION_KEYS,
      ...env,
    },
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
  );
  return { code, stdout, stderr, json: JSON.parse(code === 0 ? stdout : stderr) };
}

const unique = (prefix: string) => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

const DEMO_SECRET_VALUES = [
  'tender-sim-secret',
  'tender-sim-webhook-secret',
  'tender-sim-purse-secret',
  'tender-b2b',
];

// Every case spawns CLI processes (about a second each): the cases run concurrently.
const TIMEOUT = 60_000;

describe('tender CLI', () => {
  it.concurrent(
    'prints usage, and refuses bad arguments with exit code 2 naming the flag',
    async () => {
      // (The other argument errors are covered in-process by apps/cli/src/main.spec.ts.)
      const [help, missing] = await Promise.all([tender(['--help']), tender(['entity', 'create'])]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('entity create --name');
      expect(missing.code).toBe(2);
      expect(missing.stdout).toBe('');
      expect(missing.json).toMatchObject({
        error: 'missing --name',
        usage: 'tender entity create --name <name>',
      });
    },
    TIMEOUT,
  );

  it.concurrent(
    'says to migrate when the database is missing',
    async () => {
      const url = new URL(TEST_DATABASE_URL);
      url.pathname = `/tender_test_cli_missing_${Date.now()}`;
      const result = await tenderInProcess(['entity', 'list'], { DATABASE_URL: url.toString() });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect((result.json as { error: string }).error).toContain('npm run db:migrate');
    },
    TIMEOUT,
  );

  it.concurrent(
    'creates and lists entities, rotates webhook secrets, creates a client that gets a token',
    async () => {
      const name = unique('cli-e2e');
      const created = await tender(['entity', 'create', '--name', name]);
      expect(created.code).toBe(0);
      const entity = created.json as { entity_id: string; name: string; webhook_secret: string };
      expect(entity).toEqual({
        entity_id: expect.any(String),
        name,
        webhook_secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
      });
      expect(Buffer.from(entity.webhook_secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);

      const [list, client, rotated] = await Promise.all([
        tender(['entity', 'list']),
        tender([
          'client',
          'create',
          '--entity',
          entity.entity_id,
          '--scope',
          'back_office',
          '--scope',
          'front_office',
        ]),
        tender(['entity', 'rotate-webhook-secret', '--entity', entity.entity_id]),
      ]);
      expect(list.json).toEqual(
        expect.arrayContaining([{ entity_id: entity.entity_id, name, created_at: expect.any(String) }]),
      );
      expect(rotated.json).toEqual({
        entity_id: entity.entity_id,
        webhook_secret: expect.stringMatching(/^whsec_/),
        previous_secrets: [{ webhook_secret: entity.webhook_secret, expires_at: expect.any(String) }],
      });
      const rotation = rotated.json as { webhook_secret: string; previous_secrets: [{ expires_at: string }] };
      expect(
        Math.abs(Date.parse(rotation.previous_secrets[0].expires_at) - Date.now() - 24 * 3600 * 1000),
      ).toBeLessThan(60_000);
      expect(client.code).toBe(0);
      const credentials = client.json as { client_id: string; client_secret: string };
      expect(client.json).toEqual({
        client_id: expect.stringMatching(/^cli_/),
        client_secret: expect.stringMatching(/^sec_/),
        entity_id: entity.entity_id,
        scopes: ['front_office', 'back_office'],
      });

      let api: INestApplication | undefined;
      try {
        const [current] = await Promise.all([
          tenderInProcess(['entity', 'webhook-secret', '--entity', entity.entity_id]),
          (async () => {
            api = await createApiApp(
              loadConfig({
                ...process.env,
                DATABASE_URL: TEST_DATABASE_URL,
                REDIS_URL: TEST_REDIS_URL,
                LOG_LEVEL: 'silent',
              }),
            );
            await api.init();
          })(),
        ]);
        expect(current.json).toMatchObject({ webhook_secret: rotation.webhook_secret });
        const token = await request(api!.getHttpServer())
          .post('/oauth2/token')
          .auth(credentials.client_id, credentials.client_secret)
          .type('form')
          .send({ grant_type: 'client_credentials' })
          .expect(200);
        expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'front_office back_office' });
      } finally {
        await api?.close();
      }
    },
    TIMEOUT,
  );

  it.concurrent(
    'sets partner accounts and never prints their secrets',
    async () => {
      const entity = (await tenderInProcess(['entity', 'create', '--name', unique('cli-e2e-partner')]))
        .json as {
        entity_id: string;
      };
      const set = await tender([
        'partner-account',
        'set',
        '--entity',
        entity.entity_id,
        '--partner',
        'purse',
        '--methods',
        'card,giftcard',
        '--credentials',
        JSON.stringify({
          endpoint: 'http://127.0.0.1:4102',
          clientId: 'abc',
          clientSecret: 'very-secret-value',
        }),
        '--config',
        '{"capture":"auto"}',
      ]);
      expect(set.code).toBe(0);
      expect(set.stdout).not.toContain('very-secret-value');
      expect(set.json).toMatchObject({
        entity_id: entity.entity_id,
        partner: 'purse',
        methods: ['card', 'giftcard'],
        credentials: { endpoint: 'http://127.0.0.1:4102', clientId: 'abc', clientSecret: '********' },
        config: { capture: 'auto' },
      });
      const list = await tender(['partner-account', 'list', '--entity', entity.entity_id]);
      expect(list.stdout).not.toContain('very-secret-value');
      expect(list.json).toEqual([
        expect.objectContaining({
          partner: 'purse',
          credentials: expect.objectContaining({ clientSecret: '********' }),
        }),
      ]);
    },
    TIMEOUT,
  );

  it.concurrent(
    'seeds the demo entity idempotently',
    async () => {
      const first = await tender(['demo', 'seed']);
      expect(first.code).toBe(0);
      const [second, list] = await Promise.all([
        tender(['demo', 'seed']),
        tenderInProcess(['entity', 'list']),
      ]);
      expect(second.code).toBe(0);
      const a = first.json as {
        entity_id: string;
        webhook_secret: string;
        partner_accounts: Array<Record<string, unknown>>;
      };
      const b = second.json as typeof a & { created: boolean; name: string };
      expect(b).toMatchObject({
        entity_id: a.entity_id,
        name: 'demo',
        webhook_secret: a.webhook_secret,
        created: false,
      });
      expect(b.partner_accounts.map((p) => [p.partner, p.methods])).toEqual([
        ['connect', ['card']],
        ['paytronix', ['giftcard', 'card']],
        ['purse', ['card']],
      ]);
      expect(b.partner_accounts.map((p) => p.partner_account_id)).toEqual(
        a.partner_accounts.map((p) => p.partner_account_id),
      );
      expect(b.partner_accounts.map((p) => p.updated_at)).toEqual(
        a.partner_accounts.map((p) => p.updated_at),
      );
      for (const output of [first.stdout, second.stdout]) {
        for (const secret of DEMO_SECRET_VALUES) expect(output).not.toContain(`"${secret}"`);
      }
      const connect = b.partner_accounts.find((p) => p.partner === 'connect')!;
      expect(connect.credentials).toMatchObject({ secretApiKey: '********', apiKeyId: 'tender-sim-key' });
      expect((list.json as Array<{ name: string }>).filter((e) => e.name === 'demo')).toHaveLength(1);
    },
    TIMEOUT,
  );
});
