import type { RouteSpec } from '../openapi/route-spec';

/** Health, metrics and the API reference, as the OpenAPI document describes them. */
export const OPS_ROUTES: readonly RouteSpec[] = [
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
