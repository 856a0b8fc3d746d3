import { z } from 'zod';
import {
  AUTHORIZATION_STATUSES,
  CLIENT_SESSION_STATUSES,
  OPERATION_LEG_STATUSES,
  OPERATION_STATUSES,
  TENDER_STATUSES,
} from '@tender/domain';
import { WRITE_ONLY_MASK } from '@tender/payments/webhook-view';
import { captureMode, order } from '../validation/fields';

/**
 * Zod schemas of what the API answers, written against the presenters that build the answers
 * (`libs/payments/src/presenter.ts`, `client-session.presenter.ts`, `api-error.ts`, the token,
 * health and JWKS controllers). The OpenAPI document converts them to JSON Schema, and the
 * end-to-end tests parse real answers with them: objects are strict, so a field a presenter adds
 * without documenting it here fails those tests.
 *
 * No `.default()` / `.transform()` here: a response schema describes exactly what is sent.
 */

const id = z.uuid();
const timestamp = z.iso.datetime({ offset: true });
const minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const currency = z.string().regex(/^[A-Z]{3}$/);

export const linkSchema = z
  .strictObject({
    href: z.string().meta({ description: 'Relative to the API base URL, or absolute (hosted pages).' }),
    method: z.enum(['GET', 'POST']),
  })
  .meta({ description: 'A hypermedia link: what the client may do next with the object.' });

export const amountsSchema = z
  .strictObject({
    authorize_pending: minor.meta({
      description: 'Authorizations still in progress (in flight, redirect, fraud review).',
    }),
    total_authorized: minor,
    total_captured: minor,
    total_voided: minor,
    total_refunded: minor,
    available_to_capture: minor.meta({ description: 'total_authorized − total_captured − total_voided' }),
    available_to_void: minor.meta({ description: 'The uncaptured part of the authorization.' }),
    available_to_refund: minor.meta({ description: 'total_captured − total_refunded' }),
  })
  .meta({ description: 'Derived from the partner transactions and operations on every read, never stored.' });

const consumption = z.enum(['NOT', 'PARTIALLY', 'FULLY']);

export const overviewSchema = z.strictObject({
  consumed: consumption.meta({ description: '(captured + voided) compared with authorized.' }),
  captured: consumption,
  voided: consumption,
  refunded: consumption.meta({ description: 'refunded compared with captured.' }),
});

/** Masked card data only. Partners differ in what they give (and in number vs string for expiry). */
export const cardSchema = z
  .looseObject({
    bin: z.string().optional(),
    last_four_digits: z.string().optional(),
    expiry_month: z.union([z.string(), z.number().int()]).optional(),
    expiry_year: z.union([z.string(), z.number().int()]).optional(),
    selected_network: z.string().optional(),
    country_code: z.string().optional(),
  })
  .meta({ description: 'Masked card data (never the PAN or a reusable token).' });

const failure = z
  .record(z.string(), z.unknown())
  .meta({ description: 'Why it failed: the failing tender, its partner and the partner status.' });

export const partnerTransactionSchema = z
  .strictObject({
    id,
    created_at: timestamp,
    updated_at: timestamp,
    status: z.enum(TENDER_STATUSES),
    amount: minor,
    partner: z.string(),
    method: z.string(),
    partner_reference: z.string().optional(),
    partner_status: z.string().optional().meta({ description: 'The raw status code of the partner.' }),
    partner_status_description: z.string().optional(),
    partner_token: z.string().optional(),
    partner_additional_data: z.record(z.string(), z.unknown()).optional(),
    card: cardSchema.optional(),
    parent_payment_id: id.optional(),
    parent_partner_transaction_id: id.optional(),
  })
  .meta({ description: 'One tender of the split: its authorization at a partner.' });

export const operationLegSchema = z
  .strictObject({
    id,
    created_at: timestamp,
    updated_at: timestamp,
    status: z.enum(OPERATION_LEG_STATUSES),
    amount: minor,
    partner: z.string().optional(),
    method: z.string().optional(),
    authorization_partner_transaction_id: id,
    partner_reference: z.string().optional(),
    partner_status: z.string().optional(),
    partner_status_description: z.string().optional(),
  })
  .meta({ description: "One tender's share of an operation (one partner call)." });

export const operationSchema = z
  .strictObject({
    id,
    amount: minor,
    created_at: timestamp,
    updated_at: timestamp,
    triggered_by: z.enum(['MERCHANT', 'SYSTEM']),
    merchant_reference: z.string().optional(),
    status: z.enum(OPERATION_STATUSES),
    failure: failure.optional(),
    partner_transactions: z.array(operationLegSchema),
    order: order.optional(),
  })
  .meta({ description: 'A capture, void or refund.' });

export const webhookViewSchema = z
  .strictObject({
    url: z.string(),
    headers: z
      .array(
        z.strictObject({
          name: z.string(),
          values: z.array(z.literal(WRITE_ONLY_MASK)).meta({
            description: `Write-only: always one \`${WRITE_ONLY_MASK}\`. Deliveries send the values given.`,
          }),
        }),
      )
      .optional(),
    event_types: z.array(z.string()).optional(),
  })
  .meta({ description: 'The webhook configuration, header values masked (write-only).' });

export const paymentSchema = z
  .strictObject({
    id,
    version: z.number().int().min(1).meta({ description: 'Incremented on every change of the payment.' }),
    created_at: timestamp,
    updated_at: timestamp,
    entity_id: id,
    amount: minor,
    currency,
    capture_mode: captureMode,
    allow_future_usage: z.boolean(),
    client_session_id: id.optional(),
    order_reference: z.string().optional(),
    order: order.optional(),
    shopper_redirection_url: z.string().optional(),
    webhook: webhookViewSchema.optional(),
    amounts: amountsSchema,
    overview: overviewSchema,
    split: z.array(
      z.strictObject({
        partner: z.string(),
        method: z.string(),
        amount: minor,
        parent_payment_id: id.optional(),
      }),
    ),
    authorization: z.strictObject({
      status: z.enum(AUTHORIZATION_STATUSES),
      updated_at: timestamp.optional(),
      failure: failure.optional(),
      partner_transactions: z.array(partnerTransactionSchema),
    }),
    captures: z.array(operationSchema),
    voids: z.array(operationSchema),
    refunds: z.array(operationSchema),
    redirection: linkSchema.optional().meta({
      description: 'Where to send the shopper when a tender requires action (3-D Secure, hosted page).',
    }),
    links: z.strictObject({
      self: linkSchema,
      capture: linkSchema.optional(),
      void: linkSchema.optional(),
      refund: linkSchema.optional(),
      approve: linkSchema.optional(),
      events: linkSchema,
    }),
  })
  .meta({ description: 'A payment (Purse v2 shape). `links` offer only what its status and amounts allow.' });

export const paymentListSchema = z
  .strictObject({
    data: z.array(paymentSchema).meta({ description: 'Newest first.' }),
    next_cursor: z.string().nullable().meta({
      description: 'Opaque: pass it as `cursor` for the next page. Null on the last page.',
    }),
  })
  .meta({ description: 'A page of payments, each as GET /v2/payments/{id} presents it.' });

export const clientSessionSchema = z
  .strictObject({
    id,
    version: z.number().int().min(1),
    status: z.enum(CLIENT_SESSION_STATUSES),
    amount: minor,
    currency,
    entity_id: id,
    capture_mode: captureMode,
    integration_mode: z.enum(['EMBEDDED', 'HOSTED_PAGE']),
    allow_future_usage: z.boolean(),
    order: order.optional(),
    created_at: timestamp,
    expires_at: timestamp,
    shopper_redirection_url: z.string().optional(),
    payment_id: id.optional().meta({ description: 'Present once a payment was created for the session.' }),
    widget: z.strictObject({
      data: z.string().meta({
        description:
          'The shopper credential: a session-scoped token for the drop-in (`Tender.mount(el, { session })`). ' +
          'It reads this session, checks gift card balances and submits its payment, nothing else, and ' +
          'expires with the session.',
      }),
      js_url: z.string(),
    }),
    eligible_solutions: z.array(z.strictObject({ partner: z.string(), method: z.string() })),
    links: z.strictObject({
      self: linkSchema,
      abort: linkSchema.optional(),
      payment: linkSchema.optional(),
      checkout: linkSchema.optional().meta({
        description:
          'HOSTED_PAGE sessions: the absolute URL of Tender’s payment page to send the shopper to.',
      }),
    }),
  })
  .meta({ description: 'A client session: what the front office needs to build a payment page.' });

export const fieldErrorSchema = z
  .strictObject({
    field: z.string().meta({ description: 'Path of the field in the body, e.g. `split[1].amount`.' }),
    code: z.string().meta({ description: 'Stable machine-readable code, e.g. `required`, `too_small`.' }),
    message: z.string(),
  })
  .meta({ description: 'One invalid field of a request.' });

export const problemSchema = z
  .looseObject({
    type: z.string().meta({ description: '`https://tender.dev/problems/<code>`' }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional(),
    code: z.string().meta({ description: 'Stable machine-readable error code.' }),
    errors: z.array(fieldErrorSchema).optional(),
    request_id: z.string().optional().meta({ description: 'The X-Request-Id of the request.' }),
  })
  .meta({
    description:
      'RFC 9457 problem details. Extension members may appear for some codes (e.g. `available_to_capture`).',
  });

export const oauthErrorSchema = z
  .strictObject({
    error: z.enum(['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope']),
    error_description: z.string(),
  })
  .meta({ description: 'RFC 6749 §5.2 error of the token endpoint (not problem+json).' });

/**
 * Body of `POST /oauth2/token` (RFC 6749 §4.4.2). The controller reads it by hand (token-request.ts)
 * because OAuth2 errors are not validation problems; this schema only documents it.
 */
export const tokenRequestSchema = z
  .strictObject({
    grant_type: z.literal('client_credentials'),
    scope: z
      .string()
      .optional()
      .meta({ description: 'Space-separated subset of the client scopes; absent means all of them.' }),
    client_id: z.string().optional().meta({ description: 'With client_secret, when not using HTTP Basic.' }),
    client_secret: z.string().optional(),
  })
  .meta({
    description: 'Client credentials grant. Authenticate with HTTP Basic or client_id + client_secret.',
  });

export const tokenResponseSchema = z.strictObject({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().min(1).meta({ description: 'Lifetime in seconds.' }),
  scope: z.string(),
});

export const healthSchema = z.strictObject({ status: z.literal('ok') });

export const readinessSchema = z.strictObject({
  status: z.literal('ok'),
  checks: z.record(z.string(), z.literal('ok')),
});

export const jwkSchema = z
  .strictObject({
    kty: z.literal('RSA'),
    kid: z.string(),
    alg: z.literal('RS256'),
    use: z.literal('sig'),
    n: z.string().meta({ description: 'Modulus, base64url.' }),
    e: z.string().meta({ description: 'Public exponent, base64url.' }),
  })
  .meta({ description: 'An RFC 7517 public key.' });

export const jwksSchema = z
  .strictObject({ keys: z.array(jwkSchema) })
  .meta({ description: 'Keys that sign `purse-redirection-data` tokens, including recently retired ones.' });

/** Claims of the `purse-redirection-data` JWS (not a response body: documented for verifiers). */
export const redirectionClaimsSchema = z
  .strictObject({
    iss: z.literal('tender'),
    sub: id.meta({ description: 'The payment id.' }),
    aud: id.meta({
      description:
        'The entity id: verify that it is yours (a token for another entity is no answer for you).',
    }),
    payment_id: id,
    client_session_id: id.optional(),
    entity_id: id,
    status: z.enum(AUTHORIZATION_STATUSES).meta({ description: 'Authorization status of the payment.' }),
    amount: minor,
    currency,
    iat: z.number().int(),
    exp: z.number().int(),
    jti: z.string(),
  })
  .meta({
    description:
      'Claims of the `purse-redirection-data` compact JWS (RS256, `kid` in the header) appended to ' +
      'shopper_redirection_url. Verify it with /.well-known/jwks.json, then confirm the status with GET /v2/payments/{id}.',
  });

export const merchantEventSchema = z
  .strictObject({
    id,
    type: z.string().meta({ description: 'PAYMENT_AUTHORIZATION, PAYMENT_CAPTURE, CLIENT_SESSION_STATUS…' }),
    action: z.string().nullable(),
    created_at: timestamp,
    status: z.enum(['PENDING', 'DELIVERED', 'FAILED', 'SKIPPED']).meta({
      description: 'SKIPPED: never to be sent (no webhook URL, or its type filtered out). FAILED: gave up.',
    }),
    url: z.string().nullable(),
    attempts: z.number().int().min(0).meta({ description: 'Attempts of the current delivery cycle.' }),
    next_attempt_at: timestamp.nullable(),
    delivered_at: timestamp.nullable(),
    last_error: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()).meta({ description: 'The webhook body, as sent.' }),
    delivery_attempts: z.array(
      z.strictObject({
        attempted_at: timestamp,
        response_status: z.number().int().nullable(),
        error: z.string().nullable(),
        duration_ms: z.number().int().min(0),
      }),
    ),
  })
  .meta({ description: 'A webhook event of a payment, with its delivery state and every attempt.' });

export const merchantEventListSchema = z.strictObject({ data: z.array(merchantEventSchema) });

export const webhookReceiptSchema = z.strictObject({
  received: z.literal(true),
  duplicate: z
    .boolean()
    .meta({ description: 'The partner sent this event before: acknowledged, not processed again.' }),
});

/** A partner's webhook: its own format, authenticated by its signature over the raw bytes (documentation only). */
export const partnerWebhookSchema = z
  .record(z.string(), z.unknown())
  .meta({ description: "The partner's own event format (Connect, Purse), signed as the partner specifies." });

export const checkoutSessionSchema = z
  .strictObject({
    id,
    status: z.enum(CLIENT_SESSION_STATUSES),
    merchant_name: z.string(),
    amount: minor,
    currency,
    integration_mode: z.enum(['EMBEDDED', 'HOSTED_PAGE']),
    expires_at: timestamp,
    solutions: z.array(
      z.strictObject({
        partner: z.string(),
        method: z.string(),
        kind: z.enum(['giftcard', 'hosted_card']).meta({
          description:
            '`giftcard`: number (and PIN) entered here; `hosted_card`: card entered on the partner’s page.',
        }),
        pin: z.enum(['none', 'optional', 'required']),
      }),
    ),
    payment: z.strictObject({ id, status: z.string() }).optional(),
  })
  .meta({
    description: 'What the shopper’s checkout shows: the session’s amount and the solutions it offers.',
  });

export const giftCardBalanceSchema = z
  .strictObject({
    partner: z.string(),
    method: z.string(),
    last_four_digits: z
      .string()
      .meta({ description: 'The card’s last four digits: never the whole number.' }),
    balance: minor,
    currency,
  })
  .meta({ description: 'A gift card’s available balance.' });

export const sessionPaymentSchema = z
  .strictObject({
    payment_id: id,
    status: z.string().meta({ description: 'The authorization status of the payment.' }),
    redirect_url: z
      .string()
      .optional()
      .meta({ description: 'The partner’s hosted page the shopper goes to next.' }),
    return_url: z
      .string()
      .optional()
      .meta({ description: 'Decided without the shopper: where the browser goes on (the merchant’s page).' }),
  })
  .meta({ description: 'The session’s payment as submitted, and where the shopper goes next.' });

/** Component names of the response schemas. */
export const RESPONSE_SCHEMAS = {
  Link: linkSchema,
  Amounts: amountsSchema,
  Overview: overviewSchema,
  Card: cardSchema,
  PartnerTransaction: partnerTransactionSchema,
  OperationPartnerTransaction: operationLegSchema,
  Operation: operationSchema,
  WebhookView: webhookViewSchema,
  Payment: paymentSchema,
  PaymentList: paymentListSchema,
  ClientSession: clientSessionSchema,
  FieldError: fieldErrorSchema,
  Problem: problemSchema,
  OAuthError: oauthErrorSchema,
  TokenResponse: tokenResponseSchema,
  Health: healthSchema,
  Readiness: readinessSchema,
  Jwk: jwkSchema,
  Jwks: jwksSchema,
  RedirectionTokenClaims: redirectionClaimsSchema,
  MerchantEvent: merchantEventSchema,
  MerchantEventList: merchantEventListSchema,
  WebhookReceipt: webhookReceiptSchema,
  CheckoutSession: checkoutSessionSchema,
  GiftCardBalance: giftCardBalanceSchema,
  SessionPayment: sessionPaymentSchema,
} as const;

export type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;
