import type { RouteSpec } from '../openapi/route-spec';
import * as examples from '../openapi/examples';
import { PAYMENT_ID } from '../payments/payments.routes';

/** The shopper's return and the keys that sign its token, as the OpenAPI document describes them. */
export const REDIRECTION_ROUTES: readonly RouteSpec[] = [
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
];
