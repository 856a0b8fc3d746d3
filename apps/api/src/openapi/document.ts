import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { newTender, reusedTender, splitEntry } from '../payments/payment.schemas';
import {
  address,
  browser,
  customer,
  itemLine,
  order,
  threeDsOptions,
  webhookConfig,
} from '../validation/fields';
import type { RateLimitKind } from '../rate-limits';
import * as examples from './examples';
import { RESPONSE_SCHEMAS } from './response-schemas';
import { ROUTES, type ProblemStatus, type RouteResponse, type RouteSpec } from './routes';

/**
 * Builds the OpenAPI 3.1 document from the route table (routes.ts) and the zod schemas:
 *
 * - request bodies: the very schemas the controllers parse with, converted by `z.toJSONSchema`
 *   with `io: 'input'` (what a client may send: defaults make a field optional) and
 *   `unrepresentable: 'throw'` (a schema JSON Schema cannot express stops the build instead of
 *   silently becoming `{}`). The one hand-written piece is `split[]`, parsed by a transform that
 *   picks one of two strict forms: it is documented as `oneOf` those two (exported) forms;
 * - response bodies: the schemas of response-schemas.ts, converted with `io: 'output'`;
 * - shared sub-schemas (Order, Customer…) become components referenced by `$ref`; a component
 *   produced by both conversions must come out identical, or the build throws.
 *
 * OpenAPI 3.1 schemas are JSON Schema draft 2020-12 (its default dialect), zod's default target.
 */

export type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, JsonSchema> } & Record<string, unknown>;
};

export const SCHEMA_REF_PREFIX = '#/components/schemas/';
const ref = (name: string) => ({ $ref: SCHEMA_REF_PREFIX + name });

/** Request sub-schemas shown as components of their own. */
const SHARED_REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  Order: order,
  Address: address,
  ItemLine: itemLine,
  Customer: customer,
  Browser: browser,
  WebhookConfig: webhookConfig,
  ThreeDsOptions: threeDsOptions,
  NewTender: newTender,
  ReusedTender: reusedTender,
};

function convert(
  schemas: Record<string, z.ZodType>,
  io: 'input' | 'output',
  override?: z.core.ToJSONSchemaParams['override'],
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'throw',
    cycles: 'throw',
    uri: (id) => SCHEMA_REF_PREFIX + id,
    override,
  });
  const result: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(out)) {
    if (id === '__shared')
      throw new Error('OpenAPI: zod extracted shared $defs; give those schemas a component name');
    const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
    result[id] = rest;
  }
  return result;
}

/** Every component schema: request bodies (input), responses (output), shared sub-schemas. */
export function buildComponentSchemas(routes: readonly RouteSpec[] = ROUTES): Record<string, JsonSchema> {
  const requestSchemas: Record<string, z.ZodType> = { ...SHARED_REQUEST_SCHEMAS };
  for (const route of routes) {
    const body = route.requestBody;
    if (!body) continue;
    const existing = requestSchemas[body.name];
    if (existing && existing !== body.schema)
      throw new Error(`OpenAPI: two request schemas named ${body.name}`);
    requestSchemas[body.name] = body.schema;
  }
  const requests = convert(requestSchemas, 'input', ({ zodSchema, jsonSchema }) => {
    if ((zodSchema as unknown) === splitEntry) {
      for (const key of Object.keys(jsonSchema)) delete (jsonSchema as JsonSchema)[key];
      Object.assign(jsonSchema, { oneOf: [ref('NewTender'), ref('ReusedTender')] });
    }
  });
  // Responses embed some request sub-schemas (the stored order): name them the same way.
  const responses = convert({ ...SHARED_REQUEST_SCHEMAS, ...RESPONSE_SCHEMAS }, 'output');

  const merged: Record<string, JsonSchema> = { ...requests };
  for (const [name, schema] of Object.entries(responses)) {
    if (merged[name] && !isDeepStrictEqual(merged[name], schema)) {
      throw new Error(`OpenAPI: component ${name} differs between its request and response forms`);
    }
    merged[name] = schema;
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}

const PROBLEM = 'application/problem+json';

const HEADERS = {
  'X-Request-Id': {
    description: 'The id of the request: the caller’s `X-Request-Id` when sane, otherwise a new one.',
    schema: { type: 'string' },
  },
  'Idempotent-Replayed': {
    description:
      '`true` when this answer is the stored answer of an earlier request with the same `Idempotency-Key`.',
    schema: { type: 'string', enum: ['true'] },
  },
  'Server-Timing': {
    description:
      'Where the time went, in ms: `total`, `partner` (waiting on payment partners), `queue` and `tender` ' +
      '(total − partner: Tender’s own time).',
    schema: { type: 'string' },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again (RFC 9110 §10.2.3).',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  'WWW-Authenticate': {
    description: 'RFC 6750 Bearer challenge (`error="invalid_token"` or `"insufficient_scope"`).',
    schema: { type: 'string' },
  },
} as const;

const PARAMETERS = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes the POST safe to retry: the same key with the same request replays the first answer ' +
      '(`Idempotent-Replayed: true`); with another request it is a 409 `idempotency_violation`; while ' +
      'the first request runs, 409 `request_in_progress`. Keys are scoped to the client and kept IDEMPOTENCY_KEY_TTL_HOURS (24 by default).',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]{1,255}$' },
  },
  RequestId: {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description:
      'Your id for this request (1–128 of `A-Z a-z 0-9 _ . : -`), echoed in the response and in problems.',
    schema: { type: 'string', pattern: '^[\\w.:-]{1,128}$' },
  },
  CacheControl: {
    name: 'Cache-Control',
    in: 'header',
    required: false,
    description:
      '`max-age=N`: serve the stored payment if it is at most N seconds old instead of asking the partners first.',
    schema: { type: 'string' },
    example: 'max-age=60',
  },
} as const;

const headerRef = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });
const paramRef = (name: keyof typeof PARAMETERS) => ({ $ref: `#/components/parameters/${name}` });

const RATE_LIMITED: Record<RateLimitKind, string> = {
  token:
    '`rate_limited`: too many token requests from this IP, or too many refused ones for this client id ' +
    'or IP. Try again after `Retry-After` seconds.',
  'payment-write':
    '`rate_limited`: too many money-moving requests (client sessions, payments, captures, voids, refunds, ' +
    'approvals: one count) from this API client. Try again after `Retry-After` seconds.',
  'partner-webhook': '`rate_limited`: too many webhooks from this IP. Try again after `Retry-After` seconds.',
  'giftcard-balance':
    '`rate_limited`: too many gift card checks in this checkout session. Try again after `Retry-After` seconds.',
};

/** A protected POST goes through the idempotency interceptor. */
export function isIdempotent(route: RouteSpec): boolean {
  return route.method === 'post' && route.scopes !== null;
}

/** The problem statuses a route can answer, with their descriptions: the shared rules + the route's own. */
export function problemResponses(route: RouteSpec): Map<ProblemStatus, string> {
  const out = new Map<ProblemStatus, string[]>();
  const add = (status: ProblemStatus, text: string) => out.set(status, [...(out.get(status) ?? []), text]);
  if (route.requestBody && !route.requestBody.unparsed) {
    add(400, '`validation_error` (`errors` names every invalid field) or `invalid_json`.');
  }
  if (route.requestBody?.unparsed) add(400, '`invalid_json`: the JSON body is malformed (problem+json).');
  if (isIdempotent(route)) add(400, '`invalid_idempotency_key`.');
  if (route.scopes) {
    add(401, '`unauthorized`: missing, malformed, tampered or expired access token.');
    add(403, `\`insufficient_scope\`: the token needs the scope ${route.scopes.join(' or ')}.`);
  }
  if (route.path.includes('{id}')) add(404, '`not_found`: unknown id, or an object of another entity.');
  if (isIdempotent(route)) add(409, '`idempotency_violation` or `request_in_progress` (Idempotency-Key).');
  if (route.requestBody) {
    const limit = route.path.startsWith('/v2/webhooks/') ? '64 KB' : '1 MB';
    add(413, `\`payload_too_large\`: the body exceeds ${limit}.`);
    add(415, '`unsupported_media_type`: send application/json.');
  }
  if (route.rateLimit) add(429, RATE_LIMITED[route.rateLimit]);
  for (const [status, text] of Object.entries(route.errors ?? {})) add(Number(status) as ProblemStatus, text);
  return new Map(
    [...out.entries()].sort(([a], [b]) => a - b).map(([status, texts]) => [status, texts.join(' ')]),
  );
}

function successResponse(route: RouteSpec, response: RouteResponse): Record<string, unknown> {
  const headers: Record<string, unknown> = { 'X-Request-Id': headerRef('X-Request-Id') };
  if (isIdempotent(route)) headers['Idempotent-Replayed'] = headerRef('Idempotent-Replayed');
  Object.assign(headers, response.headers ?? {});
  const out: Record<string, unknown> = { description: response.description, headers };
  if (response.schema) {
    out.content = {
      'application/json': {
        schema: ref(response.schema),
        ...(response.example !== undefined ? { example: response.example } : {}),
      },
    };
  } else if (response.mediaType) {
    const types = [response.mediaType].flat();
    out.content = Object.fromEntries(types.map((type) => [type, { schema: { type: 'string' } }]));
  }
  return out;
}

function operation(route: RouteSpec): Record<string, unknown> {
  const parameters: unknown[] = Object.entries(route.pathParams ?? {}).map(([name, description]) => ({
    name,
    in: 'path',
    required: true,
    description,
    schema: { type: 'string', format: 'uuid' },
  }));
  parameters.push(...(route.parameters ?? []));
  if (route.cacheControl) parameters.push(paramRef('CacheControl'));
  if (isIdempotent(route)) parameters.push(paramRef('IdempotencyKey'));
  parameters.push(paramRef('RequestId'));

  const responses: Record<string, unknown> = {};
  for (const response of route.responses)
    responses[String(response.status)] = successResponse(route, response);
  const requestId = { 'X-Request-Id': headerRef('X-Request-Id') };
  const replayable = isIdempotent(route) ? { 'Idempotent-Replayed': headerRef('Idempotent-Replayed') } : {};
  for (const [status, description] of problemResponses(route)) {
    const headers: Record<string, unknown> = { ...requestId };
    if (status === 401 || status === 403) headers['WWW-Authenticate'] = headerRef('WWW-Authenticate');
    else if (status === 429) headers['Retry-After'] = headerRef('Retry-After');
    else if (status !== 413 && status !== 415) Object.assign(headers, replayable);
    const example =
      status === 400 && !route.oauthErrors
        ? { example: examples.validationProblem }
        : status === 429
          ? { example: examples.rateLimitedProblem }
          : {};
    responses[String(status)] = {
      description,
      headers,
      content: { [PROBLEM]: { schema: ref('Problem'), ...example } },
    };
  }
  if (route.oauthErrors) {
    const oauth = { schema: ref('OAuthError'), example: examples.oauthError };
    const existing400 = responses['400'] as { content?: Record<string, unknown> } | undefined;
    responses['400'] = {
      description:
        'RFC 6749 error: `invalid_request`, `unsupported_grant_type`, `invalid_scope`, or `invalid_client` ' +
        '(credentials in the body). A malformed JSON body is a problem+json `invalid_json`.',
      headers: requestId,
      content: { 'application/json': oauth, ...(existing400?.content ?? {}) },
    };
    responses['401'] = {
      description: '`invalid_client` when the client used (or omitted) HTTP Basic.',
      headers: {
        ...requestId,
        'WWW-Authenticate': { description: 'Basic challenge.', schema: { type: 'string' } },
      },
      content: { 'application/json': oauth },
    };
  }

  const security = route.security
    ? route.security.map((requirement) => ({ ...requirement }))
    : route.scopes
      ? route.scopes.map((scope) => ({ oauth2: [scope] }))
      : route.oauthErrors
        ? [{ clientBasic: [] }, {}]
        : [];
  const out: Record<string, unknown> = {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    security,
    parameters,
  };
  if (route.requestBody) {
    const body = route.requestBody;
    const mediaTypes = body.mediaTypes ?? ['application/json'];
    out.requestBody = {
      required: body.required,
      content: Object.fromEntries(
        mediaTypes.map((type) => [
          type,
          { schema: ref(body.name), ...(body.example !== undefined ? { example: body.example } : {}) },
        ]),
      ),
    };
  }
  for (const response of Object.values(responses) as Array<{ headers?: Record<string, unknown> }>) {
    response.headers = { ...response.headers, 'Server-Timing': headerRef('Server-Timing') };
  }
  out.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)));
  return out;
}

export interface DocumentOptions {
  /** Public base URL of the API (PUBLIC_URL); relative `/` when unknown. */
  serverUrl?: string;
  routes?: readonly RouteSpec[];
}

export const TAGS: ReadonlyArray<{ name: RouteSpec['tag']; description: string }> = [
  { name: 'OAuth2', description: 'Access tokens (client credentials).' },
  {
    name: 'Client sessions',
    description:
      'Resources used by the merchant front office to build a payment page and get authorization status.',
  },
  { name: 'Payments', description: 'Payment management: create, capture, refund, void, approve.' },
  {
    name: 'Webhooks',
    description: 'Webhook events sent to merchants, and the endpoints where partners send theirs.',
  },
  {
    name: 'Shopper redirection',
    description: 'Bringing the shopper back to the merchant with a signed token.',
  },
  {
    name: 'Checkout',
    description:
      'The shopper’s browser: the drop-in script, the hosted payment page, and what they may do with a ' +
      'session’s `widget.data`.',
  },
  { name: 'Discovery', description: 'This document, its API reference page and the signing keys.' },
  { name: 'Health', description: 'Probes for orchestrators and load balancers.' },
  { name: 'Operations', description: 'For the people and tools running Tender.' },
];

export function buildOpenApiDocument(options: DocumentOptions = {}): OpenApiDocument {
  const routes = options.routes ?? ROUTES;
  const paths: OpenApiDocument['paths'] = {};
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new Error(`OpenAPI: ${key} is twice in the route table`);
    seen.add(key);
    (paths[route.path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'Tender API',
      version: '0.1.0',
      summary: 'Payment orchestration: one API in front of several payment service providers.',
      description:
        'The merchant API of Tender, in the shape of the Purse v2 API. Amounts are integers in currency ' +
        'minor units. Errors are RFC 9457 `application/problem+json` with a stable `code` (except the ' +
        'OAuth2 token endpoint, which follows RFC 6749). Every response carries `X-Request-Id`. Response ' +
        'objects may gain properties in later versions: ignore the ones you do not know.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: options.serverUrl ?? '/' }],
    tags: TAGS.map((tag) => ({ ...tag })),
    paths,
    components: {
      schemas: buildComponentSchemas(routes),
      parameters: PARAMETERS,
      headers: HEADERS,
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description: 'Access tokens from POST /oauth2/token, sent as `Authorization: Bearer <token>`.',
          flows: {
            clientCredentials: {
              tokenUrl: '/oauth2/token',
              scopes: {
                front_office:
                  'Code close to the shopper (checkout pages): client sessions, payment creation.',
                back_office: 'The merchant server: captures, voids, refunds, approvals, reads.',
              },
            },
          },
        },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'GET /metrics, when the METRICS_TOKEN setting is set.',
        },
        clientBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'Client authentication at the token endpoint: `client_id:client_secret`.',
        },
        shopperCredential: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A client session’s `widget.data`: the shopper’s browser may use it on `/checkout/v1/session…` ' +
            'only, until the session expires.',
        },
      },
    },
  };
}
