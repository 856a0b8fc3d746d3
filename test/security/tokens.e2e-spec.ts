import type { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import Redis from 'ioredis';
import { SignJWT } from 'jose';
import request from 'supertest';
import { loadConfig, type TenderConfig } from '@tender/config';
import { createPrismaClient, DataCipher, type PrismaClient } from '@tender/persistence';
import { createApiApp } from '../../apps/api/src/app';
import { signClaims } from '../../apps/api/src/auth/access-token';
import { revocationKey } from '@tender/auth';
import { keyId } from '../../apps/api/src/auth/token-keys';
import { run as tender } from '../../apps/cli/src/main';
import {
  createClient,
  createEntity,
  revokeClient,
  type CreatedClient,
} from '../../apps/cli/src/provisioning';
import { TEST_DATA_ENCRYPTION_KEYS, TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env';
import { eventually } from '../support/stack';

/**
 * Attacks on the access tokens, against the real API: forged, expired, tampered, alg none / RS256,
 * unknown kid, a revoked client (live, and after Redis lost its mark), a secret rotation; and the
 * API and worker refusing to start in production without a real secret.
 */
jest.setTimeout(60_000);

const root = path.resolve(__dirname, '../..');
const NEW_SECRET = randomBytes(32).toString('base64url');
const OLD_SECRET = randomBytes(32).toString('base64url');
const PREFIX = `test-tokens-${randomBytes(4).toString('hex')}`;
/** How fast a revocation must reach the API (the brief: 5 s), with what one request costs on top. */
const REVOCATION_BOUND_MS = 5000;

function env(secret: string): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: PREFIX,
    LOG_LEVEL: 'silent',
    TOKEN_SIGNING_SECRET: secret,
    DATA_ENCRYPTION_KEYS: TEST_DATA_ENCRYPTION_KEYS,
  };
}

async function startApi(secret: string): Promise<INestApplication> {
  const app = await createApiApp(loadConfig(env(secret)));
  await app.init();
  return app;
}

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access token attacks', () => {
  let prisma: PrismaClient;
  let redis: Redis;
  let api: INestApplication;
  let config: TenderConfig;
  let entityId: string;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    prisma = createPrismaClient(TEST_DATABASE_URL, 2);
    redis = new Redis(TEST_REDIS_URL);
    config = loadConfig(env(NEW_SECRET));
    api = await startApi(NEW_SECRET);
    apps.push(api);
    entityId = (
      await createEntity(
        prisma,
        new DataCipher(config.DATA_ENCRYPTION_KEYS),
        `tokens-e2e-${randomBytes(6).toString('hex')}`,
      )
    ).entity_id;
  });

  afterAll(async () => {
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    await Promise.all([...apps.map((app) => app.close()), prisma?.$disconnect(), redis?.quit()]);
  });

  async function issue(app: INestApplication, client: CreatedClient): Promise<string> {
    const res = await request(app.getHttpServer())
      .post('/oauth2/token')
      .auth(client.client_id, client.client_secret)
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    return res.body.access_token;
  }

  /** A protected read of a payment that does not exist: 404 with a good token, 401 without one. */
  function read(app: INestApplication, token: string) {
    return request(app.getHttpServer())
      .get(`/v2/payments/${randomUUID()}`)
      .set('Authorization', `Bearer ${token}`);
  }

  function expectUnauthorized(res: request.Response, detail?: RegExp): void {
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="tender", error="invalid_token"/);
    const body = JSON.parse(res.text);
    expect(body).toMatchObject({ status: 401, code: 'unauthorized' });
    if (detail) expect(body.detail).toMatch(detail);
  }

  function claims(client: CreatedClient, now = Math.floor(Date.now() / 1000)) {
    return {
      iss: 'tender',
      sub: client.client_id,
      ent: entityId,
      scope: 'back_office',
      iat: now,
      exp: now + 600,
      jti: randomUUID(),
    };
  }

  it('accepts a genuine token (the control case)', async () => {
    const client = await createClient(prisma, entityId, ['back_office']);
    const token = await issue(api, client);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'at+jwt',
      kid: keyId(NEW_SECRET),
    });
    expect((await read(api, token)).status).toBe(404);
    // A hand-signed token with the right secret passes too: the refusals below are about the attack.
    expect((await read(api, await signClaims(NEW_SECRET, claims(client)))).status).toBe(404);
  });

  it('refuses forged, expired, tampered, alg none, RS256 and wrong-kid tokens with 401', async () => {
    const client = await createClient(prisma, entityId, ['front_office']);
    const genuine = await issue(api, client);
    const [header, payload, signature] = genuine.split('.');
    const now = Math.floor(Date.now() / 1000);
    const kid = keyId(NEW_SECRET);
    const wrongSecret = randomBytes(32).toString('base64url');
    const escalated = segment({
      ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
      scope: 'front_office back_office',
    });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

    const attacks: Record<string, [string, RegExp]> = {
      'forged under our kid': [await signClaims(wrongSecret, claims(client), { kid }), /signature/],
      'forged under its own kid': [await signClaims(wrongSecret, claims(client)), /key is unknown/],
      'wrong kid': [await signClaims(NEW_SECRET, claims(client), { kid: 'AAAAAAAA' }), /key is unknown/],
      expired: [await signClaims(NEW_SECRET, { ...claims(client, now - 7200), exp: now - 3600 }), /expired/],
      'tampered payload': [`${header}.${escalated}.${signature}`, /signature/],
      'alg none': [`${segment({ alg: 'none', typ: 'at+jwt', kid })}.${escalated}.`, /HS256/],
      'RS256 signed with an RSA key': [
        await new SignJWT(claims(client))
          .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid })
          .sign(privateKey),
        /HS256/,
      ],
      'HS256 signature relabelled RS256': [
        `${segment({ alg: 'RS256', typ: 'at+jwt', kid })}.${payload}.${signature}`,
        /HS256/,
      ],
      'not yet valid (nbf)': [await signClaims(NEW_SECRET, { ...claims(client), nbf: now + 3600 }), /claims/],
      'issued in the future': [await signClaims(NEW_SECRET, claims(client, now + 3600)), /claims/],
    };
    for (const [name, [token, detail]] of Object.entries(attacks)) {
      const res = await read(api, token);
      try {
        expectUnauthorized(res, detail);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
      }
    }
    // The genuine token still works: the refusals were the attacks', not the client's.
    expect((await read(api, genuine)).status).toBe(404);
  });

  it('refuses a revoked client within 5 s of `tender client revoke`, and its token requests', async () => {
    const client = await createClient(prisma, entityId, ['back_office']);
    const token = await issue(api, client);
    expect((await read(api, token)).status).toBe(404); // the API now trusts "not revoked" for a while

    let stdout = '';
    const code = await tender(['client', 'revoke', '--client', client.client_id], env(NEW_SECRET), {
      stdout: (text) => (stdout += text),
      stderr: () => undefined,
    });
    const revokedAt = Date.now();
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ client_id: client.client_id, live: true });
    expect(await redis.get(revocationKey(PREFIX, client.client_id))).toBe(JSON.parse(stdout).revoked_at);
    expect(await redis.ttl(revocationKey(PREFIX, client.client_id))).toBeGreaterThanOrEqual(
      config.ACCESS_TOKEN_TTL_SECONDS,
    );

    const refused = await eventually(
      async () => {
        const res = await read(api, token);
        return res.status === 401 ? res : undefined;
      },
      REVOCATION_BOUND_MS,
      'the revoked token to be refused',
    );
    expect(Date.now() - revokedAt).toBeLessThan(REVOCATION_BOUND_MS);
    expectUnauthorized(refused, /revoked/);

    const again = await request(api.getHttpServer())
      .post('/oauth2/token')
      .auth(client.client_id, client.client_secret)
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_client');
  });

  it('refuses a revoked client from Postgres when Redis has no mark, and never lets it back', async () => {
    const client = await createClient(prisma, entityId, ['back_office']);
    const token = await issue(api, client);
    expect((await read(api, token)).status).toBe(404);

    // Revoked while Redis was unreachable (or lost the mark since): Postgres only.
    const { live } = await revokeClient(prisma, client.client_id);
    const revokedAt = Date.now();
    expect(live).toBe(false);
    expect(await redis.get(revocationKey(PREFIX, client.client_id))).toBeNull();
    await eventually(
      async () => ((await read(api, token)).status === 401 ? true : undefined),
      REVOCATION_BOUND_MS + 1000,
      'the revoked token to be refused',
    );
    expect(Date.now() - revokedAt).toBeLessThan(REVOCATION_BOUND_MS + 1000);
    // The API put the mark back for the other processes.
    await eventually(
      async () => (await redis.get(revocationKey(PREFIX, client.client_id))) ?? undefined,
      2000,
    );

    // Redis restarted empty, and a fresh API process (no memory of the client): still refused at once.
    await redis.del(revocationKey(PREFIX, client.client_id));
    const fresh = await startApi(NEW_SECRET);
    apps.push(fresh);
    expectUnauthorized(await read(fresh, token), /revoked/);
  });

  it('accepts a token of the previous secret during a rotation, and refuses it once removed', async () => {
    const client = await createClient(prisma, entityId, ['back_office']);
    const before = await startApi(OLD_SECRET);
    apps.push(before);
    const oldToken = await issue(before, client);

    const rotating = await startApi(`${NEW_SECRET},${OLD_SECRET}`);
    apps.push(rotating);
    expect((await read(rotating, oldToken)).status).toBe(404);
    const newToken = await issue(rotating, client);
    expect(JSON.parse(Buffer.from(newToken.split('.')[0], 'base64url').toString()).kid).toBe(
      keyId(NEW_SECRET),
    );
    expect((await read(rotating, newToken)).status).toBe(404);

    // After the rotation (`api` runs with the new secret alone).
    expectUnauthorized(await read(api, oldToken), /key is unknown/);
    expect((await read(api, newToken)).status).toBe(404);
  });
});

describe('start-up without a real token secret', () => {
  function start(entry: string, extra: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
    const {
      NODE_ENV: _nodeEnv,
      TOKEN_SIGNING_SECRET: _secret,
      DATA_ENCRYPTION_KEYS: _keys,
      ...inherited
    } = process.env;
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', entry],
        {
          cwd: root,
          env: {
            ...inherited,
            DATABASE_URL: TEST_DATABASE_URL,
            REDIS_URL: TEST_REDIS_URL,
            PORT: '0',
            WORKER_METRICS_PORT: '0',
            ...extra,
          },
          timeout: 30_000,
        },
        (error, stdout, stderr) =>
          resolve({
            code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
            output: stdout + stderr,
          }),
      );
    });
  }

  it('the API and the worker refuse to start (NODE_ENV unset means production)', async () => {
    const [api, worker, apiShort, workerDev] = await Promise.all([
      start('apps/api/src/main.ts', {}),
      start('apps/worker/src/main.ts', { NODE_ENV: 'production' }),
      start('apps/api/src/main.ts', { NODE_ENV: 'production', TOKEN_SIGNING_SECRET: 'too-short' }),
      start('apps/worker/src/main.ts', {
        NODE_ENV: 'production',
        TOKEN_SIGNING_SECRET: 'tender-development-token-secret-change-me-in-production',
      }),
    ]);
    expect(api.code).toBe(1);
    expect(api.output).toMatch(/TOKEN_SIGNING_SECRET: required when NODE_ENV is production/);
    expect(api.output).toMatch(/DATA_ENCRYPTION_KEYS: required when NODE_ENV is production/);
    expect(worker.code).toBe(1);
    expect(worker.output).toMatch(/TOKEN_SIGNING_SECRET: required/);
    expect(apiShort.code).toBe(1);
    expect(apiShort.output).toMatch(/TOKEN_SIGNING_SECRET: each secret must be at least 32 bytes/);
    expect(apiShort.output).not.toContain('too-short');
    expect(workerDev.code).toBe(1);
    expect(workerDev.output).toMatch(/TOKEN_SIGNING_SECRET: the development secret is public/);
  });
});
