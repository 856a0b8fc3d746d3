import { createClient } from '../../apps/cli/src/provisioning';
import type { OpenApiDocument } from '../../apps/api/src/openapi/document';
import { RESPONSE_SCHEMAS, type ResponseSchemaName } from '../../apps/api/src/openapi/response-schemas';
import {
  controllerRoutes,
  routeCoverage,
  servedMounts,
  servedRoutes,
} from '../../apps/api/src/openapi/route-discovery';
import { ROUTES, UNDOCUMENTED_MOUNTS } from '../../apps/api/src/openapi/routes';
import { checkOpenApiDocument, responseProblems } from '../support/openapi';
import { TestStack, type HttpResult } from '../support/stack';
import { giftCardAndCard } from '../support/payloads';

/**
 * The OpenAPI document against the running API: it documents exactly the routes Nest serves (with
 * their scopes and status codes), and real answers match the schemas it declares for them.
 */
describe('OpenAPI document (/openapi.json, /docs)', () => {
  let stack: TestStack;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    // ADMIN_PASSWORD: the queue dashboard is mounted too, so the mount check below sees it.
    stack = await TestStack.start({
      simulators: true,
      env: { API_WAIT_FOR_OUTCOME_MS: '0', ADMIN_PASSWORD: 'openapi-test-admin-password' },
    });
    const response = await stack.request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    doc = response.body;
  });
  afterAll(() => stack.close());

  /**
   * The answer's status is documented for the operation, its media type too, and its body is
   * valid against the document's JSON Schema AND the response zod schema (strict: no undocumented field).
   */
  function expectDocumented(method: string, path: string, response: HttpResult): void {
    expect({
      method,
      path,
      status: response.status,
      problems: responseProblems(doc, { method, path, ...response }),
    }).toEqual({ method, path, status: response.status, problems: [] });
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0];
    const schema = (doc.paths[path] as any)[method].responses[response.status].content?.[mediaType]?.schema;
    const name = schema?.$ref?.split('/').pop() as ResponseSchemaName | undefined;
    if (name && name in RESPONSE_SCHEMAS) {
      const parsed = RESPONSE_SCHEMAS[name].safeParse(response.body);
      expect(parsed.error?.issues).toBeUndefined();
    }
  }

  it('is served publicly as JSON, and is a sound OpenAPI 3.1 document', async () => {
    const response = await stack.request('GET', '/openapi.json');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(checkOpenApiDocument(doc)).toEqual([]);
  });

  describe('route coverage', () => {
    it('documents every route the API serves, and nothing it does not serve', () => {
      const served = servedRoutes(stack.api);
      expect(served).toContainEqual({ method: 'get', path: '/health' }); // the router was really read
      const table = ROUTES.map((route) => ({ method: route.method, path: route.path }));
      expect(routeCoverage(served, table)).toEqual({ undocumented: [], unserved: [] });
      const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => ({ method, path })),
      );
      expect(routeCoverage(served, documented)).toEqual({ undocumented: [], unserved: [] });
    });

    it('knows every sub-application mounted beside the routes (left out of the document on purpose)', () => {
      const mounts = servedMounts(stack.api);
      expect(mounts).toContain('/admin/queues'); // the router's mounts were really read
      expect(mounts.filter((mount) => !(mount in UNDOCUMENTED_MOUNTS))).toEqual([]);
      for (const mount of mounts) expect(doc.paths[mount]).toBeUndefined();
    });

    it('gives every controller handler the scopes of its @Scopes, the status of its @HttpCode and its @RateLimit', () => {
      const handlers = controllerRoutes(stack.api);
      expect(handlers.length).toBeGreaterThanOrEqual(15); // the controllers were really read
      for (const handler of handlers) {
        const route = ROUTES.find((r) => r.method === handler.method && r.path === handler.path);
        const where = `${handler.controller}.${handler.handler} (${handler.method.toUpperCase()} ${handler.path})`;
        expect({ where, documented: !!route }).toEqual({ where, documented: true });
        expect({ where, scopes: route!.scopes }).toEqual({ where, scopes: handler.scopes });
        // Deny by default: a handler is @Public() exactly when the table says no token is needed.
        expect({ where, isPublic: handler.isPublic }).toEqual({ where, isPublic: route!.scopes === null });
        expect({ where, rateLimit: route!.rateLimit }).toEqual({ where, rateLimit: handler.rateLimit });
        if (handler.status !== undefined) {
          expect({ where, status: route!.responses[0].status }).toEqual({ where, status: handler.status });
        }
      }
    });
  });

  describe('real answers match the document', () => {
    const payment = () => ({ ...giftCardAndCard({ gift: 2000, card: 2299 }), capture_mode: 'MANUAL' });

    it('token endpoint: a token (form body) and an RFC 6749 error', async () => {
      const client = await createClient(stack.prisma, stack.entityId, ['back_office']);
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.client_id,
        client_secret: client.client_secret,
      });
      const token = await stack.request('POST', '/oauth2/token', {
        rawBody: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(token.status).toBe(200);
      expectDocumented('post', '/oauth2/token', token);
      const refused = await stack.request('POST', '/oauth2/token', {
        body: { grant_type: 'client_credentials', client_id: client.client_id, client_secret: 'wrong' },
      });
      expect(refused.status).toBe(400);
      expectDocumented('post', '/oauth2/token', refused);
    });

    it('client sessions: create, get, abort', async () => {
      const created = await stack.request('POST', '/v2/client-sessions', {
        token: stack.frontOffice,
        body: {
          amount: 4299,
          currency: 'EUR',
          order: { reference: 'o-1', net_amount: 4299 },
          shopper_redirection_url: 'https://shop.example.org/done',
        },
      });
      expect(created.status).toBe(201);
      expectDocumented('post', '/v2/client-sessions', created);
      const fetched = await stack.request('GET', `/v2/client-sessions/${created.body.id}`, {
        token: stack.backOffice,
      });
      expectDocumented('get', '/v2/client-sessions/{id}', fetched);
      const aborted = await stack.request('POST', `/v2/client-sessions/${created.body.id}/abort`, {
        token: stack.frontOffice,
        body: { status: 'ABORTED_BY_MERCHANT' },
      });
      expect(aborted.status).toBe(200);
      expectDocumented('post', '/v2/client-sessions/{id}/abort', aborted);
      const again = await stack.request('POST', `/v2/client-sessions/${created.body.id}/abort`, {
        token: stack.frontOffice,
      });
      expect(again.status).toBe(409);
      expectDocumented('post', '/v2/client-sessions/{id}/abort', again);
    });

    it('payments: create, get (with Cache-Control), an operation refused, idempotent replay', async () => {
      const headers = { 'idempotency-key': `openapi-${Date.now()}` };
      const created = await stack.request('POST', '/v2/payments', {
        token: stack.frontOffice,
        body: payment(),
        headers,
      });
      expect(created.status).toBe(201);
      expectDocumented('post', '/v2/payments', created);
      const replay = await stack.request('POST', '/v2/payments', {
        token: stack.frontOffice,
        body: payment(),
        headers,
      });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expectDocumented('post', '/v2/payments', replay);

      const fetched = await stack.request('GET', `/v2/payments/${created.body.id}`, {
        token: stack.backOffice,
        headers: { 'cache-control': 'max-age=60' },
      });
      expect(fetched.status).toBe(200);
      expectDocumented('get', '/v2/payments/{id}', fetched);

      const capture = await stack.request('POST', `/v2/payments/${created.body.id}/captures`, {
        token: stack.backOffice,
        body: { amount: 100 },
      });
      expect(capture.status).toBe(409);
      expectDocumented('post', '/v2/payments/{id}/captures', capture);
      const approve = await stack.request('POST', `/v2/payments/${created.body.id}/approve`, {
        token: stack.backOffice,
      });
      expect(approve.status).toBe(409);
      expectDocumented('post', '/v2/payments/{id}/approve', approve);
    });

    it('errors: validation (400), unknown id (404), no token (401), wrong scope (403), bad media type (415)', async () => {
      const invalid = await stack.request('POST', '/v2/payments', {
        token: stack.frontOffice,
        body: { ...payment(), amount: -1, surprise: true },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(invalid.body.errors.length).toBeGreaterThan(0);
      expectDocumented('post', '/v2/payments', invalid);

      const unknown = await stack.request('GET', '/v2/payments/0192f0c5-1a2b-7c3d-8e4f-5a6b7c8d9e0f', {
        token: stack.backOffice,
      });
      expect(unknown.status).toBe(404);
      expectDocumented('get', '/v2/payments/{id}', unknown);

      const anonymous = await stack.request('GET', '/v2/payments/0192f0c5-1a2b-7c3d-8e4f-5a6b7c8d9e0f');
      expect(anonymous.status).toBe(401);
      expectDocumented('get', '/v2/payments/{id}', anonymous);

      const frontOffice = await stack.request(
        'POST',
        '/v2/payments/0192f0c5-1a2b-7c3d-8e4f-5a6b7c8d9e0f/refunds',
        {
          token: stack.frontOffice,
        },
      );
      expect(frontOffice.status).toBe(403);
      expectDocumented('post', '/v2/payments/{id}/refunds', frontOffice);

      const text = await stack.request('POST', '/v2/client-sessions', {
        token: stack.frontOffice,
        rawBody: 'amount=1',
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.status).toBe(415);
      expectDocumented('post', '/v2/client-sessions', text);
    });

    it('payment events, shopper return (303 and page), partner webhook endpoints', async () => {
      const created = await stack.request('POST', '/v2/payments', {
        token: stack.frontOffice,
        body: { ...payment(), shopper_redirection_url: 'https://shop.example.org/done?cart=1' },
      });
      const events = await stack.request('GET', `/v2/payments/${created.body.id}/events`, {
        token: stack.backOffice,
      });
      expect(events.status).toBe(200);
      expectDocumented('get', '/v2/payments/{id}/events', events);

      const manual = async (path: string): Promise<HttpResult> => {
        const response = await fetch(stack.apiUrl + path, { redirect: 'manual' });
        const text = await response.text();
        return { status: response.status, headers: response.headers, text, body: undefined };
      };
      const redirected = await manual(`/v2/payments/${created.body.id}/return`);
      expect(redirected.status).toBe(303);
      expect(redirected.headers.get('location')).toMatch(
        /^https:\/\/shop\.example\.org\/done\?cart=1&purse-redirection-data=/,
      );
      expectDocumented('get', '/v2/payments/{id}/return', redirected);
      const page = await manual(
        `/v2/payments/${(await stack.request('POST', '/v2/payments', { token: stack.frontOffice, body: payment() })).body.id}/return`,
      );
      expect(page.status).toBe(200);
      expectDocumented('get', '/v2/payments/{id}/return', page);

      const verification = await stack.request('GET', '/v2/webhooks/connect', {
        headers: { 'x-gcs-webhooks-endpoint-verification': 'echo-me' },
      });
      expect(verification.text).toBe('echo-me');
      expectDocumented('get', '/v2/webhooks/{partner}', verification);
      const unsigned = await stack.request('POST', '/v2/webhooks/connect', { body: { id: 'evt-1' } });
      expect([400, 401]).toContain(unsigned.status);
      expectDocumented('post', '/v2/webhooks/{partner}', unsigned);
      const named = await stack.request('POST', `/v2/webhooks/purse/${stack.entityId}`, {
        body: { id: 'evt-1' },
      });
      expect([400, 401]).toContain(named.status);
      expectDocumented('post', '/v2/webhooks/{partner}/{entityId}', named);
    });

    it('public endpoints: health, readiness, JWKS, metrics', async () => {
      const metrics = await stack.request('GET', '/metrics');
      expect(metrics.status).toBe(200);
      expectDocumented('get', '/metrics', metrics);
      expectDocumented('get', '/health', await stack.request('GET', '/health'));
      expectDocumented('get', '/health/ready', await stack.request('GET', '/health/ready'));
      const jwks = await stack.request('GET', '/.well-known/jwks.json');
      expect(jwks.status).toBe(200);
      expectDocumented('get', '/.well-known/jwks.json', jwks);
    });
  });

  it('serves /docs: Swagger UI on /openapi.json, its assets from the API, under a strict CSP', async () => {
    const page = await stack.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('data-openapi-url="/openapi.json"');
    expectDocumented('get', '/docs', page);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-eval|https?:|\*/);

    const urls = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(urls).toEqual(
      expect.arrayContaining(['/docs/assets/swagger-ui-bundle.js', '/docs/assets/init.js']),
    );
    for (const url of urls) {
      const asset = await stack.request('GET', url);
      expect({ url, status: asset.status }).toEqual({ url, status: 200 });
      expect(asset.headers.get('content-security-policy')).toBe(csp);
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
      expectDocumented('get', '/docs/assets/{file}', asset);
    }
    const init = await stack.request('GET', '/docs/assets/init.js');
    expect(init.text).toContain('SwaggerUIBundle(');
    const bundle = await stack.request('GET', '/docs/assets/swagger-ui-bundle.js');
    expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
    const unknown = await stack.request('GET', '/docs/assets/package.json');
    expect(unknown.status).toBe(404);
    expectDocumented('get', '/docs/assets/{file}', unknown);
  });
});
