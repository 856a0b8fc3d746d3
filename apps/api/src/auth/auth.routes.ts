import type { RouteSpec } from '../openapi/route-spec';
import { tokenRequestSchema } from '../openapi/response-schemas';
import * as examples from '../openapi/examples';

/** The OAuth2 token endpoint, as the OpenAPI document describes it. */
export const AUTH_ROUTES: readonly RouteSpec[] = [
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
];
