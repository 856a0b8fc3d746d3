import { buildOpenApiDocument, problemResponses } from './document';
import { checkOpenApiDocument, responseProblems, validateAgainst } from '../../../../test/support/openapi';
import * as examples from './examples';
import { DOCS_CSP, DOCS_PAGE, loadDocsAssets } from './docs-ui';
import { RESPONSE_SCHEMAS } from './response-schemas';
import { routeCoverage, toTemplate } from './route-discovery';
import { ROUTES } from './routes';

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument({ serverUrl: 'https://api.example.org' });

  it('is a structurally sound OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.1');
    expect(checkOpenApiDocument(doc)).toEqual([]);
  });

  it('has one operation per route of the table, with every required header', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m} ${path}`),
    );
    expect(operations.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    const op = (method: string, path: string) => doc.paths[path][method] as any;
    const params = (method: string, path: string) =>
      op(method, path).parameters.map((p: any) => p.$ref ?? p.name);
    expect(params('post', '/v2/payments')).toContain('#/components/parameters/IdempotencyKey');
    expect(params('post', '/v2/payments/{id}/captures')).toContain('#/components/parameters/IdempotencyKey');
    expect(params('post', '/oauth2/token')).not.toContain('#/components/parameters/IdempotencyKey');
    expect(params('get', '/v2/payments/{id}')).toContain('#/components/parameters/CacheControl');
    for (const route of ROUTES) {
      expect(params(route.method, route.path)).toContain('#/components/parameters/RequestId');
      for (const response of Object.values<any>(op(route.method, route.path).responses)) {
        expect(response.headers['X-Request-Id']).toBeDefined();
        expect(response.headers['Server-Timing']).toBeDefined();
      }
    }
    expect(op('post', '/v2/payments').responses['201'].headers['Idempotent-Replayed']).toBeDefined();
    expect(op('post', '/v2/payments/{id}/approve')).toBeDefined();
    expect(op('get', '/v2/payments/{id}/return').responses['303'].headers.Location).toBeDefined();
  });

  it('describes security: OAuth2 client credentials with the two scopes, public routes explicitly public', () => {
    expect((doc.components as any).securitySchemes.oauth2).toMatchObject({
      type: 'oauth2',
      flows: {
        clientCredentials: {
          tokenUrl: '/oauth2/token',
          scopes: { front_office: expect.any(String), back_office: expect.any(String) },
        },
      },
    });
    expect((doc.paths['/v2/payments/{id}'].get as any).security).toEqual([
      { oauth2: ['front_office'] },
      { oauth2: ['back_office'] },
    ]);
    for (const path of [
      '/openapi.json',
      '/docs',
      '/.well-known/jwks.json',
      '/health',
      '/v2/payments/{id}/return',
    ]) {
      expect((doc.paths[path].get as any).security).toEqual([]);
    }
  });

  it('documents errors as problem+json, except the RFC 6749 errors of the token endpoint', () => {
    const payment = doc.paths['/v2/payments'].post as any;
    expect(Object.keys(payment.responses)).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '422',
      '429',
    ]);
    for (const status of ['400', '401', '403', '404', '409', '413', '415', '422', '429']) {
      expect(Object.keys(payment.responses[status].content)).toEqual(['application/problem+json']);
      expect(payment.responses[status].content['application/problem+json'].schema).toEqual({
        $ref: '#/components/schemas/Problem',
      });
    }
    const token = doc.paths['/oauth2/token'].post as any;
    expect(Object.keys(token.requestBody.content)).toEqual([
      'application/x-www-form-urlencoded',
      'application/json',
    ]);
    expect(token.responses['400'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/OAuthError',
    });
    expect(token.responses['401'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/OAuthError',
    });
    expect(problemResponses(ROUTES.find((r) => r.operationId === 'getLiveness')!).size).toBe(0);
  });

  it('documents a 429 problem with Retry-After on the rate-limited routes, and only there', () => {
    const limited = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries<any>(item)
        .filter(([, op]) => op.responses['429'])
        .map(([method]) => `${method} ${path}`),
    );
    expect(limited.sort()).toEqual(
      [
        'post /checkout/v1/session/giftcard-balance',
        'post /oauth2/token',
        'post /v2/client-sessions',
        'post /v2/client-sessions/{id}/abort',
        'post /v2/payments',
        'post /v2/payments/{id}/captures',
        'post /v2/payments/{id}/voids',
        'post /v2/payments/{id}/refunds',
        'post /v2/payments/{id}/approve',
        'post /v2/webhooks/{partner}',
        'post /v2/webhooks/{partner}/{entityId}',
      ].sort(),
    );
    for (const entry of limited) {
      const [method, path] = entry.split(' ');
      const response = (doc.paths[path] as any)[method].responses['429'];
      expect(response.headers['Retry-After']).toEqual({ $ref: '#/components/headers/Retry-After' });
      expect(response.content['application/problem+json'].schema).toEqual({
        $ref: '#/components/schemas/Problem',
      });
      expect(response.description).toContain('`rate_limited`');
    }
  });

  it('takes request schemas from the zod schemas of the controllers (input side: defaults are optional)', () => {
    const schemas = doc.components.schemas as any;
    expect(schemas.CreatePaymentRequest.required).toEqual(['amount', 'currency', 'split']);
    expect(schemas.CreatePaymentRequest.additionalProperties).toBe(false);
    expect(schemas.CreatePaymentRequest.properties.capture_mode).toMatchObject({
      default: 'MANUAL',
      enum: ['AUTOMATIC', 'MANUAL'],
    });
    expect(schemas.CreatePaymentRequest.properties.split.items).toEqual({
      oneOf: [{ $ref: '#/components/schemas/NewTender' }, { $ref: '#/components/schemas/ReusedTender' }],
    });
    expect(schemas.CreatePaymentRequest.properties.order).toEqual({ $ref: '#/components/schemas/Order' });
    expect(schemas.Payment.properties.order).toEqual({ $ref: '#/components/schemas/Order' });
  });

  it('has examples that the zod schemas of the code accept', () => {
    let checked = 0;
    for (const route of ROUTES) {
      if (route.requestBody?.example !== undefined) {
        expect(route.requestBody.schema.safeParse(route.requestBody.example).error).toBeUndefined();
        checked += 1;
      }
      for (const response of route.responses) {
        if (response.example === undefined) continue;
        expect(response.schema).toBeDefined();
        expect(RESPONSE_SCHEMAS[response.schema!].safeParse(response.example).error).toBeUndefined();
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  describe('the structural checker', () => {
    it('reports an unresolvable $ref, a required property that does not exist, a bad path parameter', () => {
      const broken = clone(doc) as any;
      broken.components.schemas.Payment.properties.amounts = { $ref: '#/components/schemas/Nope' };
      broken.components.schemas.Problem.required.push('ghost');
      broken.paths['/v2/payments/{id}'].get.parameters = broken.paths[
        '/v2/payments/{id}'
      ].get.parameters.filter((p: any) => p.in !== 'path');
      broken.paths['/health'].get.security = [{ oauth2: ['root'] }];
      const problems = checkOpenApiDocument(broken);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/components\.schemas\.Payment: .*Nope/),
          expect.stringMatching(/components\.schemas\.Problem: .*"ghost"/),
          expect.stringContaining('{id} has no path parameter'),
          expect.stringContaining('unknown scope root'),
        ]),
      );
    });

    it('reports an example that does not match its schema, and a keyword JSON Schema does not know', () => {
      const broken = clone(doc) as any;
      broken.paths['/v2/payments'].post.requestBody.content['application/json'].example.amount = 'a lot';
      broken.components.schemas.Health.minimun = 1; // a typo: no such keyword
      expect(checkOpenApiDocument(broken)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/components\.schemas\.Health: .*unknown keyword: "minimun"/),
          expect.stringMatching(/requestBody\.application\/json: example: \$\.amount: must be integer/),
        ]),
      );
    });

    it('validates values against the schemas of the document', () => {
      const schema = { $ref: '#/components/schemas/CreatePaymentRequest' };
      const body = { amount: 100, currency: 'EUR', split: [{ partner: 'p', method: 'card', amount: 100 }] };
      expect(validateAgainst(doc, schema, body)).toEqual([]);
      expect(validateAgainst(doc, schema, { ...body, extra: 1 })).toEqual([
        '$: must NOT have additional properties',
      ]);
      expect(validateAgainst(doc, schema, { ...body, split: [{ amount: 100 }] })).toContain(
        '$.split.0: must match exactly one schema in oneOf',
      );
    });
  });

  it('says how a real answer differs from the document (used on the e2e answers)', () => {
    const headers = (extra: Record<string, string> = {}) =>
      new Headers({ 'x-request-id': 'r-1', 'content-type': 'application/json', ...extra });
    const answer = {
      method: 'GET',
      path: '/health',
      status: 200,
      headers: headers(),
      text: '{"status":"ok"}',
    };
    expect(responseProblems(doc, answer)).toEqual([]);
    expect(responseProblems(doc, { ...answer, text: '{"status":"ok","extra":1}' })).toEqual([
      '$: must NOT have additional properties',
    ]);
    expect(responseProblems(doc, { ...answer, status: 418 })).toEqual(['status 418 is not documented']);
    expect(
      responseProblems(doc, { ...answer, headers: new Headers({ 'content-type': 'text/plain' }) }),
    ).toEqual(['no X-Request-Id header', 'media type text/plain is not documented for 200']);
    const limited = {
      method: 'POST',
      path: '/v2/payments',
      status: 429,
      headers: headers({ 'content-type': 'application/problem+json' }),
      text: JSON.stringify(examples.rateLimitedProblem),
    };
    expect(responseProblems(doc, limited)).toEqual(['no Retry-After header (seconds)']);
    expect(
      responseProblems(doc, {
        ...limited,
        headers: headers({ 'content-type': 'application/problem+json', 'retry-after': '12' }),
      }),
    ).toEqual([]);
  });

  describe('route coverage', () => {
    it('names served routes missing from the table and table routes nothing serves', () => {
      const table = ROUTES.map((r) => ({ method: r.method, path: r.path }));
      const served = [...table.slice(1), { method: 'get', path: toTemplate('/v2/payments/:id/notes/') }];
      expect(routeCoverage(served, table)).toEqual({
        undocumented: ['GET /v2/payments/{id}/notes'],
        unserved: [`${table[0].method.toUpperCase()} ${table[0].path}`],
      });
      expect(routeCoverage(table, table)).toEqual({ undocumented: [], unserved: [] });
    });
  });
});

describe('/docs page', () => {
  it('loads Swagger UI from the API itself and points it at /openapi.json', () => {
    const assets = loadDocsAssets();
    const loaded = [...DOCS_PAGE.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(loaded.length).toBeGreaterThanOrEqual(3);
    for (const url of loaded) expect(assets.has(url.replace('/docs/assets/', ''))).toBe(true);
    expect(DOCS_PAGE).toContain('data-openapi-url="/openapi.json"');
    expect(DOCS_PAGE).not.toMatch(/<script>|<style|\son\w+=/i); // nothing inline for the CSP to allow
    expect(assets.get('swagger-ui-bundle.js')!.body.length).toBeGreaterThan(100_000);
    expect(DOCS_CSP).toContain("script-src 'self'");
    expect(DOCS_CSP).not.toMatch(/unsafe-eval|https?:|\*/);
  });
});
