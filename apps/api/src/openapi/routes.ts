import type { z } from 'zod';
import type { Scope } from '@tender/auth';
import type { RateLimitKind } from '../rate-limits';
import { abortClientSessionBody, createClientSessionBody } from '../client-sessions/client-session.schemas';
import { createPaymentBody, operationBody } from '../payments/payment.schemas';
import { partnerWebhookSchema, tokenRequestSchema, type ResponseSchemaName } from './response-schemas';
import * as examples from './examples';

/**
 * THE route table of the API: every endpoint, with what the OpenAPI document says about it.
 * `document.ts` builds the document from it; tests compare it with the routes Nest registered
 * (method + path, `@Scopes`, `@HttpCode`), so an endpoint missing here, or described with the
 * wrong scopes or status, fails the build.
 *
 * Request bodies are the zod schemas the controllers parse with; response bodies name a schema of
 * `response-schemas.ts`. Errors common to a kind of route are added by the document builder:
 * 401/403 on protected routes, 404 on routes with an `{id}`, 400/413/415 on routes with a body,
 * 400/409 for the `Idempotency-Key` of protected POSTs. `errors` below adds the route's own.
 */

export type HttpMethod = 'get' | 'post';
export type Tag =
  | 'OAuth2'
  | 'Client sessions'
  | 'Payments'
  | 'Webhooks'
  | 'Shopper redirection'
  | 'Discovery'
  | 'Health'
  | 'Operations';
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

export interface HeaderDoc {
  description: string;
  schema?: Record<string, unknown>;
}

export interface RouteResponse {
  status: number;
  description: string;
  /** JSON body (application/json), by component name. */
  schema?: ResponseSchemaName;
  /** Other media types, without a schema (HTML pages, files). */
  mediaType?: string | readonly string[];
  headers?: Record<string, HeaderDoc>;
  example?: unknown;
}

export interface RequestBodyDoc {
  /** The zod schema the controller parses the body with (or, when `unparsed`, a documentation-only schema). */
  schema: z.ZodType;
  /** The handler reads the body itself (no zod validation, so no `validation_error`). */
  unparsed?: boolean;
  /** Its component name. */
  name: string;
  required: boolean;
  mediaTypes?: readonly string[];
  example?: unknown;
}

export interface ParameterDoc {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description: string;
  schema: Record<string, unknown>;
}

export interface RouteSpec {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI template: `/v2/payments/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: Tag;
  /** Any ONE of these scopes is enough (like `@Scopes`); null: public, no token. */
  scopes: readonly Scope[] | null;
  /** The `@RateLimit` of the handler: it may answer 429 with `Retry-After`. */
  rateLimit?: RateLimitKind;
  /** Descriptions of the path parameters that are UUIDs. */
  pathParams?: Record<string, string>;
  /** Other parameters (a path parameter that is not a UUID, query, headers of the route). */
  parameters?: readonly ParameterDoc[];
  /** Takes `Cache-Control: max-age=N` (GET payment). */
  cacheControl?: boolean;
  requestBody?: RequestBodyDoc;
  /** Successful answers; the first is the one `@HttpCode` (or Nest's default) sets. */
  responses: readonly [RouteResponse, ...RouteResponse[]];
  /** problem+json answers specific to this route, with the codes they carry. */
  errors?: Partial<Record<ProblemStatus, string>>;
  /** The token endpoint: 400/401 are RFC 6749 errors, not problems. */
  oauthErrors?: boolean;
  /** Security requirements other than OAuth2 scopes (alternatives; `{}` = none needed). */
  security?: ReadonlyArray<Record<string, string[]>>;
}

const PAYMENT_ID = { id: 'Payment ID.' };
const SESSION_ID = { id: 'Client session ID.' };

const operationResponse = (what: string) =>
  [
    {
      status: 201,
      description: `The payment, with the ${what} in its list (status PENDING while partners have not answered).`,
      schema: 'Payment',
      example: examples.capturedPayment,
    },
  ] as const;

const OPERATION_ERRORS = {
  409: '`payment_status_incompatible`: the authorization status does not allow it.',
  422:
    '`amount_exceeds_available` (with the available amount as an extension member), ' +
    '`tender_outcome_unknown`, or an allocation code.',
} as const;

export const ROUTES: readonly RouteSpec[] = [
  {
    operationId: 'createToken',
    method: 'post',
    path: '/oauth2/token',
    summary: 'OAuth2 client credentials authentication',
    description:
      'RFC 6749 §4.4 client credentials grant. Authenticate with HTTP Basic (`client_id:client_secret`) ' +
      'or with `client_id` and `client_secret` in the body, as a form (`application/x-www-form-urlencoded`) ' +
      'or JSON. The access token is a JWT to send as `Authorization: Bearer <token>`.\n\n' +
      'Errors follow RFC 6749 §5.2 (`{error, error_description}`), not problem+json: `invalid_client` is ' +
      '401 with a Basic challenge when the client used (or omitted) HTTP Basic, 400 otherwise.',
    tag: 'OAuth2',
    scopes: null,
    rateLimit: 'token',
    requestBody: {
      schema: tokenRequestSchema,
      unparsed: true,
      name: 'TokenRequest',
      required: true,
      mediaTypes: ['application/x-www-form-urlencoded', 'application/json'],
      example: examples.tokenRequest,
    },
    responses: [
      {
        status: 200,
        description: 'An access token.',
        schema: 'TokenResponse',
        headers: {
          'Cache-Control': { description: '`no-store` (RFC 6749 §5.1).', schema: { type: 'string' } },
        },
        example: examples.tokenResponse,
      },
    ],
    oauthErrors: true,
  },
  {
    operationId: 'createClientSession',
    method: 'post',
    path: '/v2/client-sessions',
    summary: 'Create a client session',
    description:
      'Resources used by the merchant front office to build a payment page and get the authorization ' +
      'status. `allow_future_usage: true` requires `three_ds_authentication_options.challenge_indicator` ' +
      '= `CHALLENGE_REQUESTED_BY_MERCHANT`.',
    tag: 'Client sessions',
    scopes: ['front_office'],
    rateLimit: 'payment-write',
    requestBody: {
      schema: createClientSessionBody,
      name: 'CreateClientSessionRequest',
      required: true,
      example: examples.createClientSessionRequest,
    },
    responses: [
      {
        status: 201,
        description: 'The new session.',
        schema: 'ClientSession',
        example: examples.clientSession,
      },
    ],
    errors: { 403: '`entity_mismatch`: `entity_id` is not the entity of the client.' },
  },
  {
    operationId: 'getClientSession',
    method: 'get',
    path: '/v2/client-sessions/{id}',
    summary: 'Get a client session by ID',
    tag: 'Client sessions',
    scopes: ['front_office', 'back_office'],
    pathParams: SESSION_ID,
    responses: [
      { status: 200, description: 'The session.', schema: 'ClientSession', example: examples.clientSession },
    ],
  },
  {
    operationId: 'abortClientSession',
    method: 'post',
    path: '/v2/client-sessions/{id}/abort',
    summary: 'Abort a client session by ID',
    tag: 'Client sessions',
    scopes: ['front_office', 'back_office'],
    rateLimit: 'payment-write',
    pathParams: { id: 'ID of the client session to abort.' },
    requestBody: {
      schema: abortClientSessionBody,
      name: 'AbortClientSessionRequest',
      required: false,
      example: { status: 'ABORTED_BY_MERCHANT' },
    },
    responses: [{ status: 200, description: 'The aborted session.', schema: 'ClientSession' }],
    errors: { 409: '`client_session_not_abortable`: the session status does not allow an abort.' },
  },
  {
    operationId: 'createPayment',
    method: 'post',
    path: '/v2/payments',
    summary: 'Create a new payment',
    description:
      'Authorizes the tenders of `split` at their partners (in saga order: gift cards first). The answer ' +
      'comes once the partners answered or after a short wait, so the authorization may still be PENDING: ' +
      'follow it with GET /v2/payments/{id} or webhooks. A split entry is either a new tender ' +
      '(`partner`, `method`, `amount`, `payment_method`) or a merchant-initiated reuse of a stored ' +
      'credential (`parent_payment_id`, `amount`), which requires the scope `back_office` (403 ' +
      '`insufficient_scope` otherwise). The amounts of `split` must add up to `amount`.',
    tag: 'Payments',
    scopes: ['front_office', 'back_office'],
    rateLimit: 'payment-write',
    requestBody: {
      schema: createPaymentBody,
      name: 'CreatePaymentRequest',
      required: true,
      example: examples.createPaymentRequest,
    },
    responses: [
      {
        status: 201,
        description: 'The payment, as far as the partners answered in time.',
        schema: 'Payment',
        example: examples.pendingPayment,
      },
    ],
    errors: {
      403:
        '`entity_mismatch`: `entity_id` is not the entity of the client; `insufficient_scope`: a ' +
        'merchant-initiated charge (`parent_payment_id`) without the scope `back_office`.',
      404: '`not_found`: no such client session (`client_session_id`).',
      409: '`client_session_not_open`, `client_session_expired`.',
      422:
        '`invalid_split` (field codes such as `tender_not_eligible`, `invalid_payment_method`) or ' +
        '`session_mismatch` (the payment differs from its client session); `errors` names the fields.',
    },
  },
  {
    operationId: 'getPayment',
    method: 'get',
    path: '/v2/payments/{id}',
    summary: 'Get a payment by ID',
    description:
      'Without `Cache-Control: max-age=N`, open partner transactions are refreshed from the partners ' +
      'first (bounded wait). With it, stored data at most N seconds old is served as is.',
    tag: 'Payments',
    scopes: ['front_office', 'back_office'],
    pathParams: PAYMENT_ID,
    cacheControl: true,
    responses: [
      { status: 200, description: 'The payment.', schema: 'Payment', example: examples.capturedPayment },
    ],
  },
  {
    operationId: 'capturePayment',
    method: 'post',
    path: '/v2/payments/{id}/captures',
    summary: 'Capture a payment',
    description: 'Without `amount`, captures everything available to capture.',
    tag: 'Payments',
    scopes: ['back_office'],
    rateLimit: 'payment-write',
    pathParams: PAYMENT_ID,
    requestBody: {
      schema: operationBody,
      name: 'OperationRequest',
      required: false,
      example: examples.captureRequest,
    },
    responses: operationResponse('capture'),
    errors: OPERATION_ERRORS,
  },
  {
    operationId: 'voidPayment',
    method: 'post',
    path: '/v2/payments/{id}/voids',
    summary: 'Void a payment',
    description: 'Releases the uncaptured part of the authorization. Without `amount`, all of it.',
    tag: 'Payments',
    scopes: ['back_office'],
    rateLimit: 'payment-write',
    pathParams: PAYMENT_ID,
    requestBody: { schema: operationBody, name: 'OperationRequest', required: false },
    responses: operationResponse('void'),
    errors: OPERATION_ERRORS,
  },
  {
    operationId: 'refundPayment',
    method: 'post',
    path: '/v2/payments/{id}/refunds',
    summary: 'Refund a payment',
    description: 'Without `amount`, refunds everything captured and not yet refunded.',
    tag: 'Payments',
    scopes: ['back_office'],
    rateLimit: 'payment-write',
    pathParams: PAYMENT_ID,
    requestBody: { schema: operationBody, name: 'OperationRequest', required: false },
    responses: operationResponse('refund'),
    errors: OPERATION_ERRORS,
  },
  {
    operationId: 'approvePayment',
    method: 'post',
    path: '/v2/payments/{id}/approve',
    summary: 'Approve a payment held for fraud review',
    description: 'For a payment whose authorization is PENDING_FRAUD_APPROVAL. No body.',
    tag: 'Payments',
    scopes: ['back_office'],
    rateLimit: 'payment-write',
    pathParams: PAYMENT_ID,
    responses: [{ status: 200, description: 'The payment after the partners answered.', schema: 'Payment' }],
    errors: { 409: '`payment_status_incompatible`: the payment is not held for fraud review.' },
  },
  {
    operationId: 'listPaymentEvents',
    method: 'get',
    path: '/v2/payments/{id}/events',
    summary: 'List the webhook events of a payment',
    description: 'In creation order, each with its delivery state and every delivery attempt.',
    tag: 'Webhooks',
    scopes: ['front_office', 'back_office'],
    pathParams: PAYMENT_ID,
    responses: [{ status: 200, description: 'The events.', schema: 'MerchantEventList' }],
  },
  {
    operationId: 'redeliverPaymentEvent',
    method: 'post',
    path: '/v2/payments/{id}/events/{eventId}/redeliver',
    summary: 'Send a webhook event again',
    description:
      'Starts a fresh delivery cycle now (the retry schedule starts over; `delivery_attempts` keeps the ' +
      'history). A disabled webhook endpoint is re-enabled. No body.',
    tag: 'Webhooks',
    scopes: ['back_office'],
    pathParams: { ...PAYMENT_ID, eventId: 'Event ID.' },
    responses: [{ status: 202, description: 'The event, PENDING again.', schema: 'MerchantEvent' }],
    errors: {
      404: 'No such event for this payment.',
      422: '`event_not_deliverable`: the event was never to be sent (no webhook URL, or type filtered out).',
    },
  },
  {
    operationId: 'receivePartnerWebhook',
    method: 'post',
    path: '/v2/webhooks/{partner}',
    summary: 'Receive a partner webhook',
    description:
      'Called by the partners, not by merchants. No bearer token: each request is authenticated by its ' +
      'signature (partner-specific headers) over the exact bytes received, then stored once and ' +
      'acknowledged; a redelivered event is acknowledged and ignored.',
    tag: 'Webhooks',
    scopes: null,
    rateLimit: 'partner-webhook',
    parameters: [
      {
        name: 'partner',
        in: 'path',
        required: true,
        description: 'The partner sending webhooks: `connect` or `purse`.',
        schema: { type: 'string' },
      },
    ],
    requestBody: { schema: partnerWebhookSchema, unparsed: true, name: 'PartnerWebhook', required: true },
    responses: [{ status: 200, description: 'Stored (or a known duplicate).', schema: 'WebhookReceipt' }],
    errors: {
      400: '`invalid_webhook`: malformed body (nothing stored).',
      401: '`invalid_webhook_signature`: missing or wrong signature, unknown key, stale timestamp.',
      404: '`not_found`: unknown partner, or a partner that sends no webhooks.',
    },
  },
  {
    operationId: 'receivePartnerWebhookForEntity',
    method: 'post',
    path: '/v2/webhooks/{partner}/{entityId}',
    summary: 'Receive a partner webhook for one entity',
    description:
      "The URL to configure at the partner: it names the Tender entity, so only that entity's " +
      "account is tried (the unnamed `/v2/webhooks/{partner}` tries a few of the partner's oldest " +
      'accounts only: 10 for Purse). Authenticated like the unnamed form.',
    tag: 'Webhooks',
    scopes: null,
    rateLimit: 'partner-webhook',
    pathParams: {
      partner: 'The partner sending webhooks: `connect` or `purse`.',
      entityId: 'The Tender entity whose partner account sends the webhook.',
    },
    requestBody: { schema: partnerWebhookSchema, unparsed: true, name: 'PartnerWebhook', required: true },
    responses: [{ status: 200, description: 'Stored (or a known duplicate).', schema: 'WebhookReceipt' }],
    errors: {
      400: '`invalid_webhook`: malformed body (nothing stored).',
      401: '`invalid_webhook_signature`: missing or wrong signature, unknown key, stale timestamp, or no webhook secret.',
      404: '`not_found`: unknown partner, a partner that sends no webhooks, or not an entity id.',
    },
  },
  {
    operationId: 'answerPartnerEndpointCheck',
    method: 'get',
    path: '/v2/webhooks/{partner}',
    summary: 'Partner webhook endpoint check',
    description:
      'Answers the check a partner makes before sending webhooks to a URL. Connect: ' +
      '`X-GCS-Webhooks-Endpoint-Verification` echoed as text/plain.',
    tag: 'Webhooks',
    scopes: null,
    parameters: [
      {
        name: 'partner',
        in: 'path',
        required: true,
        description: 'The partner checking its webhook URL: `connect`.',
        schema: { type: 'string' },
      },
      {
        name: 'X-GCS-Webhooks-Endpoint-Verification',
        in: 'header',
        required: false,
        description: 'Connect: the value to echo.',
        schema: { type: 'string' },
      },
    ],
    responses: [{ status: 200, description: 'The answer the partner expects.', mediaType: 'text/plain' }],
    errors: {
      400: '`bad_request`: not the check this partner sends (Connect: the header is missing).',
      404: '`not_found`: a partner without an endpoint check.',
    },
  },
  {
    operationId: 'returnFromPayment',
    method: 'get',
    path: '/v2/payments/{id}/return',
    summary: 'Send the shopper back to the merchant',
    description:
      'Where hosted payment pages send the shopper back. Public (the shopper has no token) and carrying ' +
      'no payment data itself: it answers `303 See Other` to the payment’s `shopper_redirection_url`, ' +
      'with a `purse-redirection-data` query parameter: a compact JWS (RS256, 10 minutes) whose claims ' +
      'are `RedirectionTokenClaims`, to verify with `/.well-known/jwks.json`.',
    tag: 'Shopper redirection',
    scopes: null,
    pathParams: PAYMENT_ID,
    responses: [
      {
        status: 303,
        description: 'To `shopper_redirection_url`, with `purse-redirection-data=<JWS>` added to its query.',
        headers: {
          Location: { description: 'The merchant URL with the token.', schema: { type: 'string' } },
        },
      },
      {
        status: 200,
        description: 'The payment has no `shopper_redirection_url`: a small page with its status.',
        mediaType: 'text/html',
      },
    ],
  },
  {
    operationId: 'getJwks',
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'Retrieve public signing keys (JWKS)',
    description:
      'A list of public signing keys (RFC 7517 JSON Web Key Set) of the `purse-redirection-data` tokens. ' +
      'A new key is published before it signs anything, and a retired key stays published until every ' +
      'token it signed has expired: pick the key by the `kid` of the token header.',
    tag: 'Discovery',
    scopes: null,
    responses: [{ status: 200, description: 'The key set.', schema: 'Jwks', example: examples.jwks }],
  },
  {
    operationId: 'getOpenApiDocument',
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tag: 'Discovery',
    scopes: null,
    responses: [{ status: 200, description: 'The OpenAPI document.', mediaType: 'application/json' }],
  },
  {
    operationId: 'getDocs',
    method: 'get',
    path: '/docs',
    summary: 'API reference (HTML)',
    tag: 'Discovery',
    scopes: null,
    description:
      'Swagger UI on this document, with "try it out". Its assets are served by the API itself, under a ' +
      'Content-Security-Policy that allows scripts from the API only.',
    responses: [{ status: 200, description: 'The HTML page.', mediaType: 'text/html' }],
  },
  {
    operationId: 'getDocsAsset',
    method: 'get',
    path: '/docs/assets/{file}',
    summary: 'A file of the API reference page (script, style sheet, icon)',
    tag: 'Discovery',
    scopes: null,
    parameters: [
      {
        name: 'file',
        in: 'path',
        required: true,
        description: 'One of the files the page loads.',
        schema: { type: 'string' },
      },
    ],
    responses: [
      { status: 200, description: 'The file.', mediaType: ['text/javascript', 'text/css', 'image/png'] },
    ],
    errors: { 404: '`not_found`: no such file.' },
  },
  {
    operationId: 'getLiveness',
    method: 'get',
    path: '/health',
    summary: 'Liveness: the process answers',
    tag: 'Health',
    scopes: null,
    responses: [{ status: 200, description: 'Alive.', schema: 'Health' }],
  },
  {
    operationId: 'getReadiness',
    method: 'get',
    path: '/health/ready',
    summary: 'Readiness: Postgres and Redis are reachable',
    tag: 'Health',
    scopes: null,
    responses: [{ status: 200, description: 'Ready.', schema: 'Readiness' }],
    errors: {
      503: '`unavailable`: a dependency is unreachable; `checks` says which (`ok` or `down`, never why).',
    },
  },
  {
    operationId: 'getMetrics',
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    description:
      'The process metrics in the Prometheus text format, with backlog gauges (payments by status, ' +
      'webhook events, unknown outcomes, outbox, queues) read at scrape time. Public unless the ' +
      '`METRICS_TOKEN` setting is set: then `Authorization: Bearer <METRICS_TOKEN>`. In production ' +
      'without `METRICS_TOKEN` it is not served (404).',
    tag: 'Operations',
    scopes: null,
    security: [{}, { metricsToken: [] }],
    responses: [
      { status: 200, description: 'The metrics.', mediaType: 'text/plain' },
      {
        status: 401,
        description: '`METRICS_TOKEN` is set and the request does not carry it (no body).',
        headers: { 'WWW-Authenticate': { description: 'Bearer challenge.', schema: { type: 'string' } } },
      },
    ],
  },
];

/**
 * Paths where something other than a route is mounted on Express (a sub-application with its own
 * routes), deliberately left out of the document, with the reason. The route coverage test fails
 * on any other mount.
 */
export const UNDOCUMENTED_MOUNTS: Readonly<Record<string, string>> = {
  '/admin/queues':
    'The BullMQ dashboard (bull-board) for operators: an HTML UI and its internal XHR API behind HTTP ' +
    'Basic (ADMIN_PASSWORD), served only when configured. Not part of the merchant API.',
};
