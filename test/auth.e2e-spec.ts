import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { loadConfig, type TenderConfig } from '@tender/config';
import { createPrismaClient, DataCipher, type PrismaClient } from '@tender/persistence';
import { createApiApp } from '../apps/api/src/app';
import { ApiModule } from '../apps/api/src/app.module';
import { CurrentClient, Public, Scopes, type AuthenticatedClient } from '../apps/api/src/auth';
import { undeclaredRoutes } from '../apps/api/src/auth/access-declarations';
import { controllerRoutes } from '../apps/api/src/openapi/route-discovery';
import { signClaims } from '../apps/api/src/auth/access-token';
import { ProblemFilter } from '../apps/api/src/http/problem.filter';
import { createClient, createEntity, revokeClient, type CreatedClient } from '../apps/cli/src/provisioning';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';

@Controller('auth-probe')
@Scopes('back_office')
class ProbeController {
  @Get('back-office')
  backOffice(@CurrentClient() client: AuthenticatedClient): AuthenticatedClient {
    return client;
  }

  @Get('front-office')
  @Scopes('front_office')
  frontOffice(@CurrentClient() client: AuthenticatedClient): AuthenticatedClient {
    return client;
  }

  @Get('either')
  @Scopes('front_office', 'back_office')
  either(@CurrentClient() client: AuthenticatedClient): AuthenticatedClient {
    return client;
  }
}

@Public()
@Controller('auth-probe-public')
class PublicProbeController {
  @Get()
  open(): { ok: true } {
    return { ok: true };
  }
}

/** A route that forgot to say who may call it: denied by default. */
@Controller('auth-probe-undeclared')
class UndeclaredProbeController {
  @Get()
  open(): { ok: true } {
    return { ok: true };
  }
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

// Jest 29 ignores a per-project testTimeout: set it here (booting two apps can take a few seconds).
jest.setTimeout(30_000);

describe('OAuth2 client credentials and the scopes guard', () => {
  let config: TenderConfig;
  let api: INestApplication;
  let probes: INestApplication;
  let prisma: PrismaClient;
  let entityId: string;
  let both: CreatedClient;
  let frontOnly: CreatedClient;
  let backOnly: CreatedClient;

  beforeAll(async () => {
    config = loadConfig({
      ...process.env,
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      LOG_LEVEL: 'silent',
    });
    prisma = createPrismaClient(TEST_DATABASE_URL, 2);
    api = await createApiApp(config);
    await api.init();
    // The guard on test-only routes, inside the real ApiModule (its APP_GUARD registration).
    const moduleRef = await Test.createTestingModule({
      imports: [ApiModule.forRoot(config)],
      controllers: [ProbeController, PublicProbeController, UndeclaredProbeController],
    }).compile();
    probes = moduleRef.createNestApplication({ logger: false });
    probes.useGlobalFilters(new ProblemFilter());
    await probes.init();

    entityId = (
      await createEntity(
        prisma,
        new DataCipher(config.DATA_ENCRYPTION_KEYS),
        `auth-e2e-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      )
    ).entity_id;
    [both, frontOnly, backOnly] = await Promise.all([
      createClient(prisma, entityId, ['front_office', 'back_office']),
      createClient(prisma, entityId, ['front_office']),
      createClient(prisma, entityId, ['back_office']),
    ]);
  });

  afterAll(async () => {
    await Promise.all([api?.close(), probes?.close(), prisma?.$disconnect()]);
  });

  const token = () => request(api.getHttpServer()).post('/oauth2/token');

  async function accessToken(client: CreatedClient, scope?: string): Promise<string> {
    const res = await token()
      .set('Authorization', basic(client.client_id, client.client_secret))
      .type('form')
      .send({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) })
      .expect(200);
    return res.body.access_token;
  }

  describe('POST /oauth2/token', () => {
    it('issues a token to a client authenticated with HTTP Basic (form body)', async () => {
      const res = await token()
        .set('Authorization', basic(both.client_id, both.client_secret))
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: config.ACCESS_TOKEN_TTL_SECONDS,
        scope: 'front_office back_office',
      });
      const claims = decodePayload(res.body.access_token);
      expect(claims).toEqual({
        iss: 'tender',
        sub: both.client_id,
        ent: entityId,
        scope: 'front_office back_office',
        iat: expect.any(Number),
        exp: expect.any(Number),
        jti: expect.any(String),
      });
      expect((claims.exp as number) - (claims.iat as number)).toBe(config.ACCESS_TOKEN_TTL_SECONDS);
      expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(10);
    });

    it('accepts the credentials in a form body', async () => {
      const res = await token()
        .type('form')
        .send({
          grant_type: 'client_credentials',
          client_id: backOnly.client_id,
          client_secret: backOnly.client_secret,
        })
        .expect(200);
      expect(res.body.scope).toBe('back_office');
    });

    it('accepts the credentials in a JSON body', async () => {
      const res = await token()
        .send({
          grant_type: 'client_credentials',
          client_id: frontOnly.client_id,
          client_secret: frontOnly.client_secret,
        })
        .expect(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'front_office' });
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('refuses a wrong secret: 401 invalid_client with a Basic challenge (Basic), 400 (body)', async () => {
      const viaBasic = await token()
        .set('Authorization', basic(both.client_id, `${both.client_secret}x`))
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(401);
      expect(viaBasic.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
      expect(viaBasic.headers['www-authenticate']).toMatch(/^Basic realm="tender"/);
      expect(viaBasic.headers['content-type']).toMatch(/^application\/json/);

      const viaBody = await token()
        .send({
          grant_type: 'client_credentials',
          client_id: both.client_id,
          client_secret: backOnly.client_secret,
        })
        .expect(400);
      expect(viaBody.body.error).toBe('invalid_client');
    });

    it('refuses an unknown client (401 invalid_client), and a request without credentials', async () => {
      const unknown = await token()
        .set('Authorization', basic('cli_AAAAAAAAAAAAAAAAAAAAAA', both.client_secret))
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(401);
      expect(unknown.body.error).toBe('invalid_client');

      const anonymous = await token().type('form').send({ grant_type: 'client_credentials' }).expect(401);
      expect(anonymous.body.error).toBe('invalid_client');
      expect(anonymous.headers['www-authenticate']).toMatch(/^Basic/);

      const garbage = await token()
        .set('Authorization', 'Basic !!!')
        .type('form')
        .send({ grant_type: 'client_credentials' });
      expect(garbage.status).toBe(401);
      expect(garbage.body.error).toBe('invalid_client');
    });

    it('refuses a revoked client', async () => {
      const client = await createClient(prisma, entityId, ['back_office']);
      await accessToken(client);
      await revokeClient(prisma, client.client_id);
      const res = await token()
        .set('Authorization', basic(client.client_id, client.client_secret))
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(401);
      expect(res.body.error).toBe('invalid_client');
    });

    it('refuses other grant types and malformed requests', async () => {
      const unsupported = await token()
        .set('Authorization', basic(both.client_id, both.client_secret))
        .type('form')
        .send({ grant_type: 'authorization_code', code: 'x' })
        .expect(400);
      expect(unsupported.body).toEqual({
        error: 'unsupported_grant_type',
        error_description: expect.any(String),
      });
      expect(unsupported.headers['cache-control']).toBe('no-store');

      const missing = await token()
        .set('Authorization', basic(both.client_id, both.client_secret))
        .type('form')
        .send({});
      expect(missing.status).toBe(400);
      expect(missing.body.error).toBe('invalid_request');

      const repeated = await token()
        .set('Authorization', basic(both.client_id, both.client_secret))
        .type('form')
        .send('grant_type=client_credentials&scope=front_office&scope=back_office')
        .expect(400);
      expect(repeated.body.error).toBe('invalid_request');

      const twoMethods = await token()
        .set('Authorization', basic(both.client_id, both.client_secret))
        .type('form')
        .send({ grant_type: 'client_credentials', client_secret: both.client_secret })
        .expect(400);
      expect(twoMethods.body.error).toBe('invalid_request');
    });

    it('narrows the scopes to those requested, and refuses scopes the client does not have', async () => {
      const narrowed = await token()
        .set('Authorization', basic(both.client_id, both.client_secret))
        .type('form')
        .send({ grant_type: 'client_credentials', scope: 'back_office' })
        .expect(200);
      expect(narrowed.body.scope).toBe('back_office');
      expect(decodePayload(narrowed.body.access_token).scope).toBe('back_office');

      const notGranted = await token()
        .set('Authorization', basic(frontOnly.client_id, frontOnly.client_secret))
        .type('form')
        .send({ grant_type: 'client_credentials', scope: 'front_office back_office' })
        .expect(400);
      expect(notGranted.body.error).toBe('invalid_scope');

      const unknown = await token()
        .set('Authorization', basic(both.client_id, both.client_secret))
        .type('form')
        .send({ grant_type: 'client_credentials', scope: 'admin' })
        .expect(400);
      expect(unknown.body.error).toBe('invalid_scope');
    });

    it('stores client secrets as salted scrypt hashes only', async () => {
      const rows = await prisma.apiClient.findMany({ where: { entityId } });
      expect(rows.length).toBeGreaterThanOrEqual(3);
      const secrets = [both, frontOnly, backOnly].map((c) => c.client_secret);
      for (const row of rows) {
        expect(row.secretHash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
        for (const secret of secrets) {
          expect(row.secretHash).not.toContain(secret);
          expect(row.secretHash).not.toContain(secret.slice(4));
        }
      }
      expect(new Set(rows.map((r) => r.secretHash.split('$')[4])).size).toBe(rows.length);
      expect(both.client_id).toMatch(/^cli_[\w-]+$/);
      expect(both.client_secret).toMatch(/^sec_[\w-]{43,}$/);
    });
  });

  describe('@Scopes guard', () => {
    const probe = (path: string) => request(probes.getHttpServer()).get(`/auth-probe${path}`);

    it('lets a token with the scope through and exposes the client', async () => {
      const res = await probe('/back-office')
        .set('Authorization', `Bearer ${await accessToken(backOnly)}`)
        .expect(200);
      expect(res.body).toEqual({ clientId: backOnly.client_id, entityId, scopes: ['back_office'] });
    });

    it('answers 401 problem+json without a token', async () => {
      const res = await probe('/back-office').expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="tender"/);
      expect(JSON.parse(res.text)).toMatchObject({ status: 401, code: 'unauthorized' });
    });

    it('answers 401 invalid_token to expired, tampered and foreign tokens', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: 'tender', sub: both.client_id, ent: entityId, scope: 'back_office', jti: 'j' };
      const expired = await signClaims(config.TOKEN_SIGNING_SECRETS[0], {
        ...claims,
        iat: now - 7200,
        exp: now - 3600,
      });
      const [header, payload, signature] = (await accessToken(frontOnly)).split('.');
      const escalated = Buffer.from(
        JSON.stringify({ ...decodePayload(`x.${payload}.x`), scope: 'front_office back_office' }),
      ).toString('base64url');
      const tampered = `${header}.${escalated}.${signature}`;
      const foreign = await signClaims('another-secret-another-secret-another-secret', {
        ...claims,
        iat: now,
        exp: now + 60,
      });
      const none = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${escalated}.`;

      for (const bad of [expired, tampered, foreign, none, 'not-a-jwt']) {
        const res = await probe('/back-office').set('Authorization', `Bearer ${bad}`).expect(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="tender", error="invalid_token"/);
        expect(JSON.parse(res.text)).toMatchObject({ status: 401, code: 'unauthorized' });
      }
      const expiredRes = await probe('/back-office').set('Authorization', `Bearer ${expired}`);
      expect(JSON.parse(expiredRes.text).detail).toMatch(/expired/);
    });

    it('answers 403 insufficient_scope to a front_office token on a back_office route', async () => {
      const res = await probe('/back-office')
        .set('Authorization', `Bearer ${await accessToken(frontOnly)}`)
        .expect(403);
      expect(JSON.parse(res.text)).toMatchObject({ status: 403, code: 'insufficient_scope' });
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="tender", error="insufficient_scope", scope="back_office"',
      );
    });

    it('accepts any of several scopes, lets a handler override its controller, and ignores unmarked routes', async () => {
      const front = await accessToken(both, 'front_office');
      await probe('/either').set('Authorization', `Bearer ${front}`).expect(200);
      await probe('/either')
        .set('Authorization', `Bearer ${await accessToken(backOnly)}`)
        .expect(200);
      const res = await probe('/front-office').set('Authorization', `Bearer ${front}`).expect(200);
      expect(res.body.scopes).toEqual(['front_office']);
      await probe('/front-office')
        .set('Authorization', `Bearer ${await accessToken(backOnly)}`)
        .expect(403);
      await request(probes.getHttpServer()).get('/auth-probe-public').expect(200, { ok: true });
    });
  });

  describe('deny by default', () => {
    it('refuses a route declaring neither @Scopes nor @Public, even with a valid token (403)', async () => {
      for (const authorization of [undefined, `Bearer ${await accessToken(both)}`]) {
        const call = request(probes.getHttpServer()).get('/auth-probe-undeclared');
        if (authorization) void call.set('Authorization', authorization);
        const res = await call.expect(403);
        expect(res.body).toMatchObject({ status: 403, code: 'access_not_declared' });
      }
    });

    it('lists such routes, which the API refuses to start with', () => {
      expect(undeclaredRoutes(controllerRoutes(probes))).toEqual([
        'GET /auth-probe-undeclared (UndeclaredProbeController.open)',
      ]);
      expect(undeclaredRoutes(controllerRoutes(api))).toEqual([]);
    });

    it('every route of the API is either public or scoped: spot checks', async () => {
      const server = api.getHttpServer();
      await request(server).post('/v2/payments').send({}).expect(401);
      await request(server).get('/v2/client-sessions/00000000-0000-4000-8000-000000000000').expect(401);
      await request(server)
        .post('/v2/payments/00000000-0000-4000-8000-000000000000/captures')
        .set('Authorization', `Bearer ${await accessToken(frontOnly)}`)
        .send({})
        .expect(403);
      await request(server).get('/health').expect(200);
      await request(server).get('/.well-known/jwks.json').expect(200);
      await request(server).get('/openapi.json').expect(200);
    });
  });
});
