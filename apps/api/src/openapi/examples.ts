/**
 * Examples shown in the OpenAPI document and the /docs page. `openapi.spec.ts` parses each one with
 * the schema it illustrates (request zod schema or response zod schema), so they cannot drift.
 */

const ENTITY = '0192f0a1-3c4d-7e5f-8a6b-7c8d9e0f1a2b';
const SESSION = '0192f0c4-7b1e-7c3a-9d4e-2f6a8b1c3d5e';
const PAYMENT = '0192f0c5-1a2b-7c3d-8e4f-5a6b7c8d9e0f';
const GIFT_TX = '0192f0c5-1a2c-7d3e-9f40-6b7c8d9e0f1a';
const CARD_TX = '0192f0c5-1a2d-7e4f-a051-7c8d9e0f1a2b';
const CAPTURE = '0192f0d2-4b5c-7d6e-8f70-8a9b0c1d2e3f';
const CREATED = '2026-03-02T10:12:03.120Z';
const UPDATED = '2026-03-02T10:12:04.480Z';

export const tokenRequest = {
  grant_type: 'client_credentials',
  client_id: 'cli_4f1b2c3d4e5f',
  client_secret: 's3cr3t-from-the-cli',
  scope: 'back_office',
};

export const tokenResponse = {
  access_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJpc3MiOiJ0ZW5kZXIifQ.c2lnbmF0dXJl',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'back_office',
};

const order = {
  reference: 'order-123456789',
  net_amount: 4299,
  tax_amount: 717,
  billing_address: {
    first_name: 'Ada',
    last_name: 'Lovelace',
    address_lines: ['12 rue de la Paix'],
    city: 'Paris',
    postal_code: '75002',
    country_code: 'FR',
  },
};

export const createClientSessionRequest = {
  amount: 4299,
  currency: 'EUR',
  capture_mode: 'MANUAL',
  integration_mode: 'EMBEDDED',
  shopper_redirection_url: 'https://shop.example.org/checkout/done?cart=42',
  order,
  customer: { reference: 'cust-42', email: 'ada@example.org', locale: 'fr-FR' },
  webhook: {
    url: 'https://shop.example.org/payment-hook',
    headers: [{ name: 'x-order-id', values: ['123456789'] }],
  },
};

export const clientSession = {
  id: SESSION,
  version: 1,
  status: 'CREATED',
  amount: 4299,
  currency: 'EUR',
  entity_id: ENTITY,
  capture_mode: 'MANUAL',
  integration_mode: 'EMBEDDED',
  allow_future_usage: false,
  order,
  created_at: CREATED,
  expires_at: '2026-03-02T11:12:03.120Z',
  shopper_redirection_url: 'https://shop.example.org/checkout/done?cart=42',
  widget: { data: 'w9R5pLx2E7fqA3B1cV8z0YeL', js_url: 'https://cdn.tender.dev/dropin/v1/tender.js' },
  eligible_solutions: [
    { partner: 'paytronix', method: 'giftcard' },
    { partner: 'connect', method: 'card' },
  ],
  links: {
    self: { href: `/v2/client-sessions/${SESSION}`, method: 'GET' },
    abort: { href: `/v2/client-sessions/${SESSION}/abort`, method: 'POST' },
  },
};

export const createPaymentRequest = {
  client_session_id: SESSION,
  amount: 4299,
  currency: 'EUR',
  capture_mode: 'MANUAL',
  order_reference: 'order-123456789',
  shopper_redirection_url: 'https://shop.example.org/checkout/done?cart=42',
  split: [
    {
      partner: 'paytronix',
      method: 'giftcard',
      amount: 2000,
      payment_method: { card_number: '6000000000000500' },
    },
    { partner: 'connect', method: 'card', amount: 2299, payment_method: { token: 'tok_visa_4242' } },
  ],
};

export const captureRequest = { amount: 3000, merchant_reference: 'CAP#1223445' };

const split = [
  { partner: 'paytronix', method: 'giftcard', amount: 2000 },
  { partner: 'connect', method: 'card', amount: 2299 },
];

const paymentBase = {
  id: PAYMENT,
  created_at: CREATED,
  entity_id: ENTITY,
  amount: 4299,
  currency: 'EUR',
  capture_mode: 'MANUAL',
  allow_future_usage: false,
  client_session_id: SESSION,
  order_reference: 'order-123456789',
  shopper_redirection_url: 'https://shop.example.org/checkout/done?cart=42',
  split,
};

const tender = (id: string, status: string, partner: string, method: string, amount: number, extra = {}) => ({
  id,
  created_at: CREATED,
  updated_at: UPDATED,
  status,
  amount,
  partner,
  method,
  ...extra,
});

export const pendingPayment = {
  ...paymentBase,
  version: 1,
  updated_at: CREATED,
  amounts: {
    authorize_pending: 4299,
    total_authorized: 0,
    total_captured: 0,
    total_voided: 0,
    total_refunded: 0,
    available_to_capture: 0,
    available_to_void: 0,
    available_to_refund: 0,
  },
  overview: { consumed: 'NOT', captured: 'NOT', voided: 'NOT', refunded: 'NOT' },
  authorization: {
    status: 'PENDING',
    partner_transactions: [
      tender(GIFT_TX, 'PENDING', 'paytronix', 'giftcard', 2000),
      tender(CARD_TX, 'PENDING', 'connect', 'card', 2299),
    ],
  },
  captures: [],
  voids: [],
  refunds: [],
  links: {
    self: { href: `/v2/payments/${PAYMENT}`, method: 'GET' },
    events: { href: `/v2/payments/${PAYMENT}/events`, method: 'GET' },
  },
};

export const capturedPayment = {
  ...paymentBase,
  version: 4,
  updated_at: '2026-03-02T10:20:41.003Z',
  amounts: {
    authorize_pending: 0,
    total_authorized: 4299,
    total_captured: 3000,
    total_voided: 0,
    total_refunded: 0,
    available_to_capture: 1299,
    available_to_void: 1299,
    available_to_refund: 3000,
  },
  overview: { consumed: 'PARTIALLY', captured: 'PARTIALLY', voided: 'NOT', refunded: 'NOT' },
  authorization: {
    status: 'AUTHORIZED',
    updated_at: UPDATED,
    partner_transactions: [
      tender(GIFT_TX, 'AUTHORIZED', 'paytronix', 'giftcard', 2000, {
        partner_reference: '884213',
        partner_status: '1',
        card: { last_four_digits: '0500' },
      }),
      tender(CARD_TX, 'AUTHORIZED', 'connect', 'card', 2299, {
        partner_reference: '000000170010000123450000100001',
        partner_status: 'PENDING_CAPTURE',
        card: {
          bin: '424242',
          last_four_digits: '4242',
          expiry_month: 12,
          expiry_year: 2030,
          selected_network: 'VISA',
        },
      }),
    ],
  },
  captures: [
    {
      id: CAPTURE,
      amount: 3000,
      created_at: '2026-03-02T10:20:40.210Z',
      updated_at: '2026-03-02T10:20:41.003Z',
      triggered_by: 'MERCHANT',
      merchant_reference: 'CAP#1223445',
      status: 'SUCCESS',
      partner_transactions: [
        {
          id: '0192f0d2-4b5d-7e6f-9071-9b0c1d2e3f40',
          created_at: '2026-03-02T10:20:40.210Z',
          updated_at: '2026-03-02T10:20:40.650Z',
          status: 'SUCCESS',
          amount: 2000,
          partner: 'paytronix',
          method: 'giftcard',
          authorization_partner_transaction_id: GIFT_TX,
        },
        {
          id: '0192f0d2-4b5e-7f70-a182-ac1d2e3f4051',
          created_at: '2026-03-02T10:20:40.210Z',
          updated_at: '2026-03-02T10:20:41.003Z',
          status: 'SUCCESS',
          amount: 1000,
          partner: 'connect',
          method: 'card',
          authorization_partner_transaction_id: CARD_TX,
        },
      ],
    },
  ],
  voids: [],
  refunds: [],
  links: {
    self: { href: `/v2/payments/${PAYMENT}`, method: 'GET' },
    capture: { href: `/v2/payments/${PAYMENT}/captures`, method: 'POST' },
    void: { href: `/v2/payments/${PAYMENT}/voids`, method: 'POST' },
    refund: { href: `/v2/payments/${PAYMENT}/refunds`, method: 'POST' },
    events: { href: `/v2/payments/${PAYMENT}/events`, method: 'GET' },
  },
};

export const validationProblem = {
  type: 'https://tender.dev/problems/validation_error',
  title: 'Invalid request',
  status: 400,
  detail: 'split[1].amount: must be greater than 0',
  code: 'validation_error',
  errors: [{ field: 'split[1].amount', code: 'too_small', message: 'must be greater than 0' }],
  request_id: '6f1c3a52-93f4-4f3c-9a55-0c5e2d7b8a91',
};

export const rateLimitedProblem = {
  type: 'https://tender.dev/problems/rate_limited',
  title: 'Too many requests',
  status: 429,
  detail: 'Too many requests: try again in 12 s.',
  code: 'rate_limited',
  retry_after_seconds: 12,
  request_id: '6f1c3a52-93f4-4f3c-9a55-0c5e2d7b8a91',
};

export const oauthError = {
  error: 'invalid_client',
  error_description: 'Client authentication failed.',
};

export const jwks = {
  keys: [
    {
      kty: 'RSA',
      kid: '0192ef00-0000-7000-8000-000000000001',
      alg: 'RS256',
      use: 'sig',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
    },
  ],
};
