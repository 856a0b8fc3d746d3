import type { RouteSpec } from '../openapi/route-spec';
import { partnerWebhookSchema } from '../openapi/response-schemas';
import { PAYMENT_ID } from '../payments/payments.routes';

/** Merchant events and partner webhooks, as the OpenAPI document describes them. */
export const WEBHOOK_ROUTES: readonly RouteSpec[] = [
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
];
