import type { RouteSpec } from '../openapi/route-spec';
import * as examples from '../openapi/examples';
import { createPaymentBody, operationBody } from './payment.schemas';
import { AUTHORIZATION_STATUSES } from '@tender/domain';
import { PARTNERS } from '@tender/partners';
import { MAX_SEARCH_LIMIT } from '@tender/persistence';
import { DEFAULT_LIMIT } from './list-payments/list-payments.schemas';

export const PAYMENT_ID = { id: 'Payment ID.' };

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

/** The payment endpoints, as the OpenAPI document describes them. */
export const PAYMENT_ROUTES: readonly RouteSpec[] = [
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
    operationId: 'listPayments',
    method: 'get',
    path: '/v2/payments',
    summary: 'List payments',
    description:
      "The caller's entity's payments, newest first (creation time, then id), each as GET " +
      '/v2/payments/{id} presents it from stored data (no partner is asked). Filters combine (AND). ' +
      'Cursor pagination: pass `next_cursor` as `cursor` for the next page; payments created meanwhile ' +
      'never shift or repeat the pages that follow. Unknown parameters are refused.',
    tag: 'Payments',
    scopes: ['back_office'],
    parameters: [
      {
        name: 'status',
        in: 'query',
        required: false,
        description:
          'Authorization status; several as a comma-separated list (`AUTHORIZED,REFUSED`) or a repeated parameter.',
        schema: { type: 'array', items: { type: 'string', enum: [...AUTHORIZATION_STATUSES] } },
      },
      {
        name: 'partner',
        in: 'query',
        required: false,
        description: 'Payments with at least one tender at this partner.',
        schema: { type: 'string', enum: PARTNERS.map((partner) => partner.name) },
      },
      {
        name: 'created_from',
        in: 'query',
        required: false,
        description: 'Created at or after (inclusive), RFC 3339 with offset.',
        schema: { type: 'string', format: 'date-time' },
      },
      {
        name: 'created_to',
        in: 'query',
        required: false,
        description: 'Created before (exclusive), RFC 3339 with offset; after `created_from`.',
        schema: { type: 'string', format: 'date-time' },
      },
      {
        name: 'order_reference',
        in: 'query',
        required: false,
        description: 'Exact order reference.',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      },
      {
        name: 'amount',
        in: 'query',
        required: false,
        description: 'Exact amount, integer minor units.',
        schema: { type: 'integer', minimum: 0 },
      },
      {
        name: 'limit',
        in: 'query',
        required: false,
        description: `Page size, 1 to ${MAX_SEARCH_LIMIT}.`,
        schema: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_LIMIT, default: DEFAULT_LIMIT },
      },
      {
        name: 'cursor',
        in: 'query',
        required: false,
        description: '`next_cursor` of the previous page, as given (opaque).',
        schema: { type: 'string' },
      },
    ],
    responses: [{ status: 200, description: 'A page of payments.', schema: 'PaymentList' }],
    errors: {
      400:
        '`validation_error`: `errors` names every invalid parameter (a status or partner not in the list, a ' +
        'date that is not RFC 3339, `limit` outside 1–100, a `cursor` not issued by this list ' +
        '(`invalid_cursor`), an unknown parameter (`unknown_field`)).',
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
];
