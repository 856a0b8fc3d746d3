import type { RouteSpec } from '../openapi/route-spec';
import * as examples from '../openapi/examples';
import { abortClientSessionBody, createClientSessionBody } from './client-session.schemas';

const SESSION_ID = { id: 'Client session ID.' };

/** The client session endpoints, as the OpenAPI document describes them. */
export const CLIENT_SESSION_ROUTES: readonly RouteSpec[] = [
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
];
