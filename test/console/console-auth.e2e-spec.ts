import { hashSessionToken } from '@tender/auth';
import { controllerRoutes } from '../../apps/api/src/openapi/route-discovery';
import { ConsoleSession, newOperator } from '../support/console';
import { TestStack } from '../support/stack';

/** Operator sign-in, sessions, CSRF and the sign-in rate limit of the console's API (/console/api). */
describe('console sessions', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({
      simulators: false,
      env: { RATE_LIMIT_CONSOLE_SIGN_IN_FAILURES_PER_EMAIL: '3', NODE_ENV: 'test' },
    });
  });

  afterAll(() => stack.close());

  it('signs in with a session cookie that is HttpOnly, SameSite=Strict and scoped to /console; stores only its hash', async () => {
    const account = await newOperator(stack, 'operator');
    const response = await stack.request('POST', '/console/api/session', {
      body: { email: account.email.toUpperCase(), password: account.password },
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      operator: { id: account.id, email: account.email, role: 'operator' },
      csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      expires_at: expect.any(String),
    });
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^tender_console_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/console');
    expect(cookie).not.toContain('Secure'); // NODE_ENV=test; production adds it (below)
    expect(response.headers.get('cache-control')).toBe('no-store');

    const token = cookie.split(';')[0].split('=')[1];
    const stored = await stack.prisma.operatorSession.findMany({ where: { operatorId: account.id } });
    expect(stored.map((s) => s.tokenHash)).toEqual([hashSessionToken(token)]);
    expect(JSON.stringify(stored)).not.toContain(token);

    const session = new ConsoleSession(stack, cookie.split(';')[0], response.body.csrf_token);
    const current = await session.get('/session');
    expect(current.status).toBe(200);
    expect(current.body.operator).toEqual({ id: account.id, email: account.email, role: 'operator' });
  });

  it('refuses a wrong password or unknown email with 401, and requests without a session with 401', async () => {
    const account = await newOperator(stack, 'viewer');
    const wrong = await stack.request('POST', '/console/api/session', {
      body: { email: account.email, password: 'not-the-password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'invalid_credentials' });
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const unknown = await stack.request('POST', '/console/api/session', {
      body: { email: 'nobody@console.test', password: account.password },
    });
    expect(unknown.status).toBe(401);
    const anonymous = await stack.request('GET', '/console/api/session');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const forged = await stack.request('GET', '/console/api/session', {
      headers: { cookie: 'tender_console_session=forged' },
    });
    expect(forged.status).toBe(401);
  });

  it('names the invalid field of a malformed sign-in with 400, and refuses a non-JSON body with 415', async () => {
    const missing = await stack.request('POST', '/console/api/session', { body: { email: 'a@b.test' } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ field: 'password', code: 'required', message: 'is required' }]);
    const form = await stack.request('POST', '/console/api/session', {
      rawBody: 'email=a%40b.test&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
  });

  it('refuses a state-changing request without the CSRF token, or with a wrong one, with 403', async () => {
    const account = await newOperator(stack, 'operator');
    const session = await ConsoleSession.signIn(stack, account);
    const missing = await session.send('DELETE', '/session', {}, null);
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ code: 'csrf_token_invalid' });
    const wrong = await session.send('DELETE', '/session', {}, 'x'.repeat(32));
    expect(wrong.status).toBe(403);
    const other = await ConsoleSession.signIn(stack, account); // another session's token is not this one's
    expect((await session.send('DELETE', '/session', {}, other.csrf)).status).toBe(403);
    expect((await session.get('/session')).status).toBe(200); // still signed in
  });

  it('signs out: the session row is deleted and the cookie no longer works', async () => {
    const account = await newOperator(stack, 'viewer');
    const session = await ConsoleSession.signIn(stack, account);
    const out = await session.send('DELETE', '/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^tender_console_session=; .*Max-Age=0/);
    expect(await stack.prisma.operatorSession.count({ where: { operatorId: account.id } })).toBe(0);
    expect((await session.get('/session')).status).toBe(401);
  });

  it('is authenticated by the session cookie only: a merchant access token opens nothing', async () => {
    const token = await stack.token(['back_office', 'front_office']);
    const headers = { authorization: `Bearer ${token}` };
    for (const path of ['/session', '/payments', '/home', '/needs-attention']) {
      const response = await stack.request('GET', `/console/api${path}`, { headers });
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('serves its routes through Nest, declared @Public for merchant tokens and left out of the OpenAPI document', async () => {
    const internal = controllerRoutes(stack.api, { internal: true }).filter((r) => r.internal);
    expect(internal.map((r) => `${r.method.toUpperCase()} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /console',
        'POST /console/api/session',
        'GET /console/api/payments',
        'POST /console/api/payments/{id}/approve',
        'POST /console/api/unknown-outcomes/{id}/resolve',
      ]),
    );
    expect(internal.every((r) => r.isPublic && r.scopes === null && r.path.startsWith('/console'))).toBe(
      true,
    );
    expect(controllerRoutes(stack.api).some((r) => r.path.startsWith('/console'))).toBe(false);
    const doc = (await stack.request('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/console'))).toEqual([]);
  });

  it('refuses an expired session', async () => {
    const account = await newOperator(stack, 'viewer');
    const session = await ConsoleSession.signIn(stack, account);
    await stack.prisma.operatorSession.updateMany({
      where: { operatorId: account.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await session.get('/session')).status).toBe(401);
  });

  it('rate-limits refused sign-ins per email: 429 with Retry-After, even with the right password', async () => {
    const account = await newOperator(stack, 'operator');
    for (let i = 0; i < 3; i++) {
      const refused = await stack.request('POST', '/console/api/session', {
        body: { email: account.email, password: `wrong-${i}` },
      });
      expect(refused.status).toBe(401);
    }
    const blocked = await stack.request('POST', '/console/api/session', {
      body: { email: account.email, password: account.password },
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ code: 'rate_limited' });
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same IP is not blocked by this email's count.
    await ConsoleSession.signIn(stack, await newOperator(stack, 'viewer'));
  });
});

describe('console session cookie in production', () => {
  it('is Secure', async () => {
    const stack = await TestStack.start({
      simulators: false,
      env: {
        NODE_ENV: 'production',
        TOKEN_SIGNING_SECRET: 'a-production-secret-of-32-bytes!!',
      },
    });
    try {
      const account = await newOperator(stack, 'viewer');
      const response = await stack.request('POST', '/console/api/session', {
        body: { email: account.email, password: account.password },
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('set-cookie')).toMatch(/; Secure(;|$)/);
    } finally {
      await stack.close();
    }
  });
});
