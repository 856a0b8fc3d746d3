import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import {
  createPurseSimulator,
  PURSE_SIGNATURE_HEADER,
  verifyPurseWebhook,
  type PurseSimulator,
  type PurseSimulatorOptions,
} from '../../apps/simulators/src/purse';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(
  base: string,
  method: string,
  urlPath: string,
  init: {
    token?: string;
    json?: unknown;
    form?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  if (init.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  const response = await fetch(`${base}${urlPath}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const CLIENT = basic('tender-sim-purse', 'tender-sim-purse-secret');

function paymentRequest(
  overrides: Record<string, unknown> = {},
  tokens = ['purse-approve', 'purse-approve'],
) {
  return {
    entity_id: '5e3a0862-7cc3-4427-92ba-9e1e9595f571',
    amount: 4299,
    currency: 'EUR',
    capture_mode: 'MANUAL',
    order: {
      reference: `order-${Math.random().toString(36).slice(2)}`,
      additional_data: { payment_method_tokens: tokens },
    },
    split: [
      { partner: 'easy2play', method: 'giftcard', amount: 2000 },
      { partner: 'dalenys', method: 'creditcard', amount: 2299 },
    ],
    ...overrides,
  };
}

/**
 * The seed's own request examples (003, line N), which a strict simulator must accept. Changed only
 * where the export is broken: the scraped email, and line 67's split (its MIT entry and amounts that
 * do not add up) replaced by two new tenders adding up to `amount`.
 */
const SEED_ORDER_67 = {
  reference: '123456789',
  additional_data: { custom_field1: 'custom value', custom_field2: 123 },
  net_amount: 12000,
  tax_amount: 2000,
  billing_address: {
    gender: 'FEMALE',
    first_name: 'Emily',
    middle_name: 'Rose',
    last_name: 'PARKER',
    address_lines: ['NextNow', '67 Rue de Luxembourg'],
    city: 'Lille',
    postal_code: '59777',
    country_code: 'FR',
    province_code: 'FR-HDF',
    phone_number: '+33111111111',
    mobile_phone_number: '+33222222222',
    work_phone_number: '+33444444444',
  },
  shipments: [
    {
      net_amount: 12000,
      delivery_type: 'EXTERNAL_PICKUP',
      delivery_quickness: 'REGULAR',
      delivery_method_reference: '#1123-pickup',
      estimated_delivery_date_time: '2023-10-30T15:40:00+02:00',
      shipping_address: {
        gender: 'FEMALE',
        first_name: 'Rodriguez',
        middle_name: 'Eios',
        last_name: 'DESANTONS',
        address_lines: ['Av. de la roja 1676'],
        city: 'Porto',
        postal_code: '22000',
        country_code: 'PT',
        province_code: 'PT-13',
        phone_number: '+33555555555',
        mobile_phone_number: '+33666666666',
        work_phone_number: '+33777777777',
        delivery_point_name: 'home',
      },
      item_lines: [
        {
          type: 'PHYSICAL',
          sku_reference: '2600218',
          name: 'Camiseta100 niño GYM',
          brand: 'Quivio',
          unit_gross_price: 5000,
          net_amount: 12000,
          quantity: 2,
          tax_amount: 2000,
          tax_rate: 20,
          seller_reference: '#42-ACME',
          seller_name: 'Acme Corp',
          is_marketplace_seller: true,
        },
        {
          type: 'SHIPPING_FEES',
          name: 'Transporte',
          net_amount: 0,
          unit_gross_price: 0,
          quantity: 1,
          tax_amount: 0,
          tax_rate: 0,
        },
      ],
    },
  ],
};
const SEED_CUSTOMER_67 = {
  reference: '2090000000000',
  type: 'PERSON',
  email: 'emily.parker@example.org',
  gender: 'FEMALE',
  first_name: 'Emily',
  middle_name: 'Rose',
  last_name: 'PARKER',
  birth_date: '1995-08-25',
  ip_address: '203.0.113.195',
  locale: 'fr-FR',
  account: {
    creation_date_time: '2017-06-15T15:30:00+02:00',
    update_date_time: '2023-02-20T20:54:00+01:00',
    password_update_date_time: '2023-02-20T20:54:00+01:00',
    purchase_count_last_day: 0,
    purchase_count_last_six_months: 3,
    purchase_count_last_year: 8,
    authentication_method: 'MERCHANT_CREDENTIALS',
    authentication_date_time: '2023-10-30T15:33:00+02:00',
    age_indicator: 'MORE_60_DAYS',
    change_indicator: 'MORE_60_DAYS',
    password_change_indicator: 'MORE_60_DAYS',
  },
};
const SEED_BROWSER_67 = {
  user_agent: 'Mozilla/5.0 (Windows NT 6.1; WOW64; rv:47.0) Gecko/20100101 Firefox/47.0',
  referrer: 'https://your_shop.com/order?id=1234',
  accept_header: 'text/html',
  color_depth: 32,
  java_enabled: true,
  javascript_enabled: true,
  locale: 'fra',
  screen_height: 1200,
  screen_width: 1600,
  utc_time_zone: 60,
};
const SEED_THREE_DS_34 = { challenge_indicator: 'NO_CHALLENGE_REQUESTED' };
const SEED_WEBHOOK_34 = {
  url: 'https://www.example.org/payment-hook',
  headers: [{ name: 'x-order-id', values: ['123456789'] }],
};
/** The order of the payment at line 60 (discounts, company names). */
const SEED_ORDER_60 = {
  reference: 'order_01',
  additional_data: {},
  net_amount: 4299,
  discount_amount: 500,
  tax_amount: 3582,
  shipments: [
    {
      net_amount: 4299,
      delivery_type: 'USER_DELIVERY',
      delivery_quickness: 'EXPRESS',
      delivery_method_reference: 'DHL',
      estimated_delivery_date_time: '2020-08-25T10:42:59+02:00',
      shipping_address: {
        company_name: 'ACME',
        gender: 'MALE',
        first_name: 'Emily',
        middle_name: 'Rose',
        last_name: 'Parker',
        address_lines: ['1st Street'],
        city: 'New York',
        postal_code: '10001',
        country_code: 'US',
        province_code: 'NY',
        phone_number: '+526645951538',
        mobile_phone_number: '+526645951538',
        work_phone_number: '+526645951538',
        delivery_point_name: 'Le Trop Quai.',
      },
      item_lines: [
        {
          type: 'PHYSICAL',
          sku_reference: 'SKU_01',
          name: 'My awesome product',
          brand: 'My awesome brand',
          unit_gross_price: 1099,
          net_amount: 4299,
          discount_amount: 0,
          quantity: 4,
          tax_amount: 399,
          tax_rate: 20,
          seller_reference: 'SELLER_01',
          seller_name: 'My awesome seller',
          is_marketplace_seller: true,
        },
      ],
    },
  ],
  billing_address: {
    company_name: 'Company name',
    gender: 'MALE',
    first_name: 'Miles',
    middle_name: 'Eva',
    last_name: 'Morales',
    address_lines: ['1st Street'],
    city: 'New York',
    postal_code: '10001',
    country_code: 'US',
    province_code: 'NY',
    phone_number: '+526645951538',
    mobile_phone_number: '+526645951538',
    work_phone_number: '+526645951538',
  },
  discounts: [{ net_amount: 0, tax_amount: 0, coupon_code: 'BLACK_FRIDAY', seller_reference: 'SELLER_01' }],
};
/** The capture body at line 59. */
const SEED_CAPTURE_59 = {
  amount: 10,
  order: {
    shipments: [
      {
        net_amount: 4299,
        item_lines: [
          {
            type: 'PHYSICAL',
            sku_reference: 'SKU_01',
            name: 'My awesome product',
            brand: 'My awesome brand',
            unit_gross_price: 1099,
            net_amount: 4299,
            discount_amount: 0,
            quantity: 4,
            tax_amount: 399,
            tax_rate: 20,
            seller_reference: 'SELLER_01',
            seller_name: 'My awesome seller',
            is_marketplace_seller: true,
          },
        ],
      },
    ],
    additional_data: {},
  },
  merchant_reference: 'CAP#1223445',
};

/** Line 67 in full, with line 34's 3DS options and webhook: every field v2 shows for a create. */
function seedRequest(): Record<string, any> {
  return structuredClone({
    entity_id: '5e3a0862-7cc3-4427-92ba-9e1e9595f571',
    amount: 4299,
    currency: 'EUR',
    capture_mode: 'MANUAL',
    allow_future_usage: false,
    order: {
      ...SEED_ORDER_67,
      additional_data: {
        ...SEED_ORDER_67.additional_data,
        payment_method_tokens: ['purse-approve', 'purse-approve'],
      },
    },
    customer: SEED_CUSTOMER_67,
    split: [
      { amount: 1000, method: 'giftcard', partner: 'illicado' },
      { amount: 3299, method: 'creditcard', partner: 'dalenys' },
    ],
    browser: SEED_BROWSER_67,
    shopper_redirection_url: 'https://www.example.org/payment-callback?order_id=123456789',
    three_ds_authentication_options: SEED_THREE_DS_34,
    webhook: SEED_WEBHOOK_34,
  });
}

const names = (answer: Answer) => (answer.body.invalid_params ?? []).map((p: { name: string }) => p.name);

/** [what, change to seedRequest(), the fields the 400 names, the reason of the first]. */
const CREATE_REJECTIONS: Array<[string, (r: Record<string, any>) => void, string[], RegExp]> = [
  [
    'a top-level field v2 does not define',
    (r) => (r.payment_method_token = 'x'),
    ['payment_method_token'],
    /not a field of Purse v2/,
  ],
  [
    'payment_method in a split entry',
    (r) => (r.split[1].payment_method = { token: 'purse-approve' }),
    ['split[1].payment_method'],
    /not a field of Purse v2/,
  ],
  [
    'a field v2 does not define deep in the order',
    (r) => (r.order.shipments[0].item_lines[0].colour = 'red'),
    ['order.shipments[0].item_lines[0].colour'],
    /not a field of Purse v2/,
  ],
  [
    'delivery_point_name on a billing address (shipping addresses only)',
    (r) => (r.order.billing_address.delivery_point_name = 'home'),
    ['order.billing_address.delivery_point_name'],
    /not a field of Purse v2/,
  ],
  [
    'a customer.account field v2 does not define',
    (r) => (r.customer.account.loyalty_tier = 'gold'),
    ['customer.account.loyalty_tier'],
    /not a field of Purse v2/,
  ],
  [
    'a browser field v2 does not define',
    (r) => (r.browser.fingerprint = 'abc'),
    ['browser.fingerprint'],
    /not a field/,
  ],
  ['a webhook field v2 does not define', (r) => (r.webhook.secret = 's'), ['webhook.secret'], /not a field/],
  [
    'a three_ds_authentication_options field v2 does not define',
    (r) => (r.three_ds_authentication_options.exemption = 'LOW_VALUE'),
    ['three_ds_authentication_options.exemption'],
    /not a field/,
  ],
  [
    'allow_future_usage without three_ds_authentication_options',
    (r) => {
      r.allow_future_usage = true;
      delete r.three_ds_authentication_options;
    },
    ['three_ds_authentication_options.challenge_indicator'],
    /must be CHALLENGE_REQUESTED_BY_MERCHANT when allow_future_usage is true/,
  ],
  [
    'allow_future_usage with challenge_indicator NO_CHALLENGE_REQUESTED',
    (r) => (r.allow_future_usage = true),
    ['three_ds_authentication_options.challenge_indicator'],
    /must be CHALLENGE_REQUESTED_BY_MERCHANT/,
  ],
  ['no entity_id', (r) => delete r.entity_id, ['entity_id'], /is required/],
  ['an entity_id that is not a UUID', (r) => (r.entity_id = 'tender-sim-purse'), ['entity_id'], /UUID/],
  ['no capture_mode (v2 gives it no default)', (r) => delete r.capture_mode, ['capture_mode'], /is required/],
  [
    'a capture_mode other than MANUAL / AUTOMATIC',
    (r) => (r.capture_mode = 'LATER'),
    ['capture_mode'],
    /MANUAL/,
  ],
  ['no split', (r) => delete r.split, ['split'], /is required/],
  ['an empty split', (r) => (r.split = []), ['split'], /at least one/],
  ['a string amount', (r) => (r.amount = '4299'), ['amount'], /integer/],
  ['a fractional amount', (r) => (r.amount = 42.99), ['amount'], /integer/],
  ['a currency outside ISO 4217', (r) => (r.currency = 'XYZ'), ['currency'], /ISO 4217/],
  ['a string allow_future_usage', (r) => (r.allow_future_usage = 'false'), ['allow_future_usage'], /boolean/],
  [
    'a challenge_indicator v2 does not list',
    (r) => (r.three_ds_authentication_options.challenge_indicator = 'MAYBE'),
    ['three_ds_authentication_options.challenge_indicator'],
    /CHALLENGE_REQUESTED_BY_MERCHANT/,
  ],
  [
    'a partner/method pair the entity does not have',
    (r) => (r.split[1] = { amount: 3299, partner: 'purse', method: 'card' }),
    ['split[1].method'],
    /not a solution of this entity/,
  ],
  ['a split entry without method', (r) => delete r.split[0].method, ['split[0].method'], /is required/],
  ['a split entry amount of 0', (r) => (r.split[0].amount = 0), ['split[0].amount'], /greater than 0/],
  [
    'a split entry mixing the new-tender and MIT forms',
    (r) => (r.split[1].parent_payment_id = 'a1b2c3d4-abcd-1234-a1b2-123456abcdef'),
    ['split[1].method', 'split[1].partner'],
    /not a field of Purse v2/,
  ],
  ['a null field', (r) => (r.customer.first_name = null), ['customer.first_name'], /string/],
  ['an empty string', (r) => (r.order.reference = ''), ['order.reference'], /empty/],
  ['a string of 256 characters', (r) => (r.order.reference = 'x'.repeat(256)), ['order.reference'], /255/],
  ['a customer type v2 does not show', (r) => (r.customer.type = 'COMPANY'), ['customer.type'], /PERSON/],
  [
    'an age_indicator v2 does not show',
    (r) => (r.customer.account.age_indicator = 'LESS_30_DAYS'),
    ['customer.account.age_indicator'],
    /MORE_60_DAYS/,
  ],
  [
    'an item type v2 does not show',
    (r) => (r.order.shipments[0].item_lines[0].type = 'DIGITAL'),
    ['order.shipments[0].item_lines[0].type'],
    /PHYSICAL/,
  ],
  [
    'a delivery_type v2 does not show',
    (r) => (r.order.shipments[0].delivery_type = 'STORE_PICKUP'),
    ['order.shipments[0].delivery_type'],
    /EXTERNAL_PICKUP/,
  ],
  ['an email that is not one', (r) => (r.customer.email = '[email protected]'), ['customer.email'], /email/],
  [
    'a birth_date not YYYY-MM-DD',
    (r) => (r.customer.birth_date = '25/08/1995'),
    ['customer.birth_date'],
    /YYYY-MM-DD/,
  ],
  [
    'an ip_address that is not one',
    (r) => (r.customer.ip_address = '203.0.113'),
    ['customer.ip_address'],
    /IP/,
  ],
  [
    'a date-time without an offset',
    (r) => (r.customer.account.creation_date_time = '2017-06-15 15:30'),
    ['customer.account.creation_date_time'],
    /ISO 8601/,
  ],
  [
    'a country_code that is not alpha-2',
    (r) => (r.order.billing_address.country_code = 'FRA'),
    ['order.billing_address.country_code'],
    /alpha-2/,
  ],
  [
    'a phone number not in E.164',
    (r) => (r.order.billing_address.phone_number = '03 20 00 00 00'),
    ['order.billing_address.phone_number'],
    /E.164/,
  ],
  ['a negative order amount', (r) => (r.order.tax_amount = -1), ['order.tax_amount'], /negative/],
  [
    'an item quantity of 0',
    (r) => (r.order.shipments[0].item_lines[0].quantity = 0),
    ['order.shipments[0].item_lines[0].quantity'],
    /greater than 0/,
  ],
  [
    'a shopper_redirection_url that is not http(s)',
    (r) => (r.shopper_redirection_url = 'ftp://example.org/back'),
    ['shopper_redirection_url'],
    /http\(s\) URL/,
  ],
  ['a webhook without url', (r) => delete r.webhook.url, ['webhook.url'], /is required/],
  [
    'webhook header values that are numbers (as line 60 shows them)',
    (r) => (r.webhook.headers[0].values = [123456789]),
    ['webhook.headers[0].values[0]'],
    /string/,
  ],
];

/** [what, capture body, the fields the 400 names]. */
const OPERATION_REJECTIONS: Array<[string, Record<string, unknown>, string[]]> = [
  ['a field v2 does not define', { amount: 10, merchant_reference: 'CAP#1', currency: 'EUR' }, ['currency']],
  [
    'a field v2 does not define deep in the order',
    {
      amount: 10,
      merchant_reference: 'CAP#1',
      order: { shipments: [{ item_lines: [{ name: 'x', colour: 'red' }] }] },
    },
    ['order.shipments[0].item_lines[0].colour'],
  ],
  ['no amount and no merchant_reference', { amount: 0 }, ['amount', 'merchant_reference']],
  ['a string amount', { amount: '10', merchant_reference: 'CAP#1' }, ['amount']],
  ['an empty merchant_reference', { amount: 10, merchant_reference: '' }, ['merchant_reference']],
];

describe('Purse simulator (e2e)', () => {
  let sim: PurseSimulator;
  let server: RunningServer;
  let base: string;
  let token: string;
  let clock: number;

  async function start(options: PurseSimulatorOptions = {}) {
    sim = createPurseSimulator({ now: () => new Date(clock), ...options });
    server = await listen(sim.app);
    base = server.url;
    const answer = await call(base, 'POST', '/oauth2/token', {
      headers: { Authorization: CLIENT },
      form: { grant_type: 'client_credentials' },
    });
    token = answer.body.access_token;
  }

  async function stop() {
    sim.close();
    await server.close();
  }

  beforeEach(async () => {
    clock = Date.parse('2025-03-01T10:00:00Z');
    await start();
  });
  afterEach(stop);

  describe('OAuth2 token', () => {
    it('issues a bearer token for good Basic credentials, ignoring unrecognized parameters', async () => {
      const answer = await call(base, 'POST', '/oauth2/token', {
        headers: { Authorization: CLIENT },
        form: { grant_type: 'client_credentials', audience: 'ignored (RFC 6749 §3.2)' },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
      });
    });

    it('refuses a JSON body, a repeated parameter and any scope with 400', async () => {
      const json = await call(base, 'POST', '/oauth2/token', {
        headers: { Authorization: CLIENT },
        json: { grant_type: 'client_credentials' },
      });
      expect(json.status).toBe(400);
      expect(json.body).toEqual({
        error: 'invalid_request',
        error_description: 'the body must be application/x-www-form-urlencoded',
      });
      const repeated = await fetch(`${base}/oauth2/token`, {
        method: 'POST',
        headers: { Authorization: CLIENT, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&grant_type=client_credentials',
      });
      expect(repeated.status).toBe(400);
      expect(await repeated.json()).toEqual({
        error: 'invalid_request',
        error_description: 'grant_type is repeated',
      });
      const scoped = await call(base, 'POST', '/oauth2/token', {
        headers: { Authorization: CLIENT },
        form: { grant_type: 'client_credentials', scope: 'payments' },
      });
      expect(scoped.status).toBe(400);
      expect(scoped.body.error).toBe('invalid_scope');
      expect(Object.keys(sim.state.tokens)).toEqual([token]);
    });

    it('accepts credentials in the form body', async () => {
      const answer = await call(base, 'POST', '/oauth2/token', {
        form: {
          grant_type: 'client_credentials',
          client_id: 'tender-sim-purse',
          client_secret: 'tender-sim-purse-secret',
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.token_type).toBe('Bearer');
    });

    it('refuses bad credentials with 401 invalid_client', async () => {
      const answer = await call(base, 'POST', '/oauth2/token', {
        headers: { Authorization: basic('tender-sim-purse', 'wrong') },
        form: { grant_type: 'client_credentials' },
      });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(answer.body.error).toBe('invalid_client');
    });

    it('refuses another grant type with 400 unsupported_grant_type', async () => {
      const answer = await call(base, 'POST', '/oauth2/token', {
        headers: { Authorization: CLIENT },
        form: { grant_type: 'password' },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('unsupported_grant_type');
    });

    it('refuses the API without a token, with an unknown token and with an expired token', async () => {
      expect((await call(base, 'GET', '/v2/payments/x')).status).toBe(401);
      expect((await call(base, 'GET', '/v2/payments/x', { token: 'nope' })).status).toBe(401);
      expect((await call(base, 'GET', '/v2/payments/x', { token })).status).toBe(404);
      clock += 3600 * 1000;
      const expired = await call(base, 'GET', '/v2/payments/x', { token });
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
      expect(expired.body).toMatchObject({ status: 401, detail: 'access token expired' });
    });

    it('honours a tiny configured expires_in', async () => {
      await stop();
      await start({ tokenTtlSeconds: 2 });
      const issued = await call(base, 'POST', '/oauth2/token', {
        headers: { Authorization: CLIENT },
        form: { grant_type: 'client_credentials' },
      });
      expect(issued.body.expires_in).toBe(2);
      clock += 1999;
      expect((await call(base, 'GET', '/v2/payments/x', { token: issued.body.access_token })).status).toBe(
        404,
      );
      clock += 1;
      expect((await call(base, 'GET', '/v2/payments/x', { token: issued.body.access_token })).status).toBe(
        401,
      );
    });
  });

  describe('payments', () => {
    it('creates an authorized payment in the seed shape', async () => {
      const answer = await call(base, 'POST', '/v2/payments', { token, json: paymentRequest() });
      expect(answer.status).toBe(201);
      const payment = answer.body;
      expect(answer.headers.get('location')).toBe(`/v2/payments/${payment.id}`);
      expect(Object.keys(payment)).toEqual(
        expect.arrayContaining([
          'id',
          'version',
          'created_at',
          'entity_id',
          'amount',
          'currency',
          'capture_mode',
          'amounts',
          'overview',
          'split',
          'authorization',
          'captures',
          'voids',
          'refunds',
          'links',
        ]),
      );
      expect(payment).toMatchObject({
        version: 1,
        created_at: '2025-03-01T10:00:00.000Z',
        amount: 4299,
        currency: 'EUR',
        capture_mode: 'MANUAL',
        amounts: {
          authorize_pending: 0,
          total_authorized: 4299,
          total_captured: 0,
          total_voided: 0,
          total_refunded: 0,
          available_to_capture: 4299,
          available_to_void: 4299,
          available_to_refund: 0,
        },
        overview: { consumed: 'NOT', captured: 'NOT', voided: 'NOT', refunded: 'NOT' },
        split: [
          { partner: 'easy2play', method: 'giftcard', amount: 2000 },
          { partner: 'dalenys', method: 'creditcard', amount: 2299 },
        ],
        authorization: { status: 'AUTHORIZED' },
        captures: [],
        voids: [],
        refunds: [],
        links: {
          self: { href: `/v2/payments/${payment.id}`, method: 'GET' },
          capture: { href: `/v2/payments/${payment.id}/captures`, method: 'POST' },
          void: { href: `/v2/payments/${payment.id}/voids`, method: 'POST' },
        },
      });
      expect(payment.authorization.partner_transactions).toHaveLength(2);
      expect(payment.authorization.partner_transactions[0]).toMatchObject({
        status: 'AUTHORIZED',
        amount: 2000,
        partner: 'easy2play',
        method: 'giftcard',
        partner_status: '0000',
      });
      const fetched = await call(base, 'GET', `/v2/payments/${payment.id}`, { token });
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(payment);
    });

    it('answers a decline with 201 and authorization.status REFUSED', async () => {
      const answer = await call(base, 'POST', '/v2/payments', {
        token,
        json: paymentRequest({}, ['purse-approve', 'purse-decline']),
      });
      expect(answer.status).toBe(201);
      expect(answer.body.authorization.status).toBe('REFUSED');
      expect(answer.body.authorization.partner_transactions.map((t: { status: string }) => t.status)).toEqual(
        ['CANCELLED', 'REFUSED'],
      );
      expect(answer.body.authorization.partner_transactions[1]).toMatchObject({
        partner_status: '05',
        partner_status_description: 'Refused by issuer',
      });
      expect(answer.body.amounts.total_authorized).toBe(0);
      const capture = await call(base, 'POST', `/v2/payments/${answer.body.id}/captures`, {
        token,
        json: { amount: 100, merchant_reference: 'CAP#x' },
      });
      expect(capture.status).toBe(400);
      expect(capture.body.type).toBe('urn:purse:problem:payment-not-authorized');
    });

    it('declines an unknown token', async () => {
      const answer = await call(base, 'POST', '/v2/payments', {
        token,
        json: paymentRequest({}, ['who-knows', 'purse-approve']),
      });
      expect(answer.body.authorization.status).toBe('REFUSED');
    });

    it('captures immediately under capture_mode AUTOMATIC', async () => {
      const answer = await call(base, 'POST', '/v2/payments', {
        token,
        json: paymentRequest({ capture_mode: 'AUTOMATIC' }),
      });
      expect(answer.body.amounts).toMatchObject({ total_captured: 4299, available_to_refund: 4299 });
      expect(answer.body.overview.captured).toBe('FULLY');
      expect(answer.body.captures[0]).toMatchObject({ triggered_by: 'SYSTEM', status: 'SUCCESS' });
    });

    it('refuses a malformed request with a 400 problem listing the fields', async () => {
      const answer = await call(base, 'POST', '/v2/payments', {
        token,
        json: paymentRequest({ amount: 5000, currency: 'euro' }),
      });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({
        type: 'urn:purse:problem:invalid-request',
        title: 'Bad request',
        status: 400,
      });
      expect(answer.body.invalid_params.map((p: { name: string }) => p.name)).toEqual(['currency']);
      const sum = await call(base, 'POST', '/v2/payments', { token, json: paymentRequest({ amount: 5000 }) });
      expect(sum.body.invalid_params).toEqual([
        { name: 'split', reason: 'split amounts add up to 4299, amount is 5000' },
      ]);
      const broken = await fetch(`${base}/v2/payments`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{"amount":',
      });
      expect(broken.status).toBe(400);
      expect(((await broken.json()) as { title: string }).title).toBe('Bad request');
      const latin1 = await fetch(`${base}/v2/payments`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=latin1' },
        body: JSON.stringify(paymentRequest()),
      });
      expect(latin1.status).toBe(400); // express says 415, which the seed does not list
    });

    it('answers 404 for an unknown payment', async () => {
      const answer = await call(base, 'POST', '/v2/payments/nope/captures', {
        token,
        json: { amount: 1, merchant_reference: 'x' },
      });
      expect(answer.status).toBe(404);
      expect(answer.body.type).toBe('urn:purse:problem:not-found');
    });
  });

  describe('strict v2 requests', () => {
    const create = (json: unknown) => call(base, 'POST', '/v2/payments', { token, json });

    it("accepts the seed's own create example (line 67, with line 34's 3DS options and webhook)", async () => {
      const answer = await create(seedRequest());
      expect(answer.status).toBe(201);
      expect(answer.body.authorization.status).toBe('AUTHORIZED');
      expect(answer.body.order).toEqual(seedRequest().order);
    });

    it("accepts line 60's order (discounts, company names) and line 59's capture body", async () => {
      const request = seedRequest();
      request.order = { ...SEED_ORDER_60, additional_data: request.order.additional_data };
      const created = await create(request);
      expect(created.status).toBe(201);
      const capture = await call(base, 'POST', `/v2/payments/${created.body.id}/captures`, {
        token,
        json: SEED_CAPTURE_59,
      });
      expect(capture.status).toBe(201);
      expect(capture.body.captures[0]).toMatchObject({ amount: 10, merchant_reference: 'CAP#1223445' });
    });

    it('accepts allow_future_usage with challenge_indicator CHALLENGE_REQUESTED_BY_MERCHANT', async () => {
      const request = seedRequest();
      request.allow_future_usage = true;
      request.three_ds_authentication_options.challenge_indicator = 'CHALLENGE_REQUESTED_BY_MERCHANT';
      const answer = await create(request);
      expect(answer.status).toBe(201);
      expect(answer.body.allow_future_usage).toBe(true);
    });

    it.each(CREATE_REJECTIONS)(
      'refuses a create with %s, naming the field',
      async (_what, change, fields, reason) => {
        const request = seedRequest();
        change(request);
        const answer = await create(request);
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({
          type: 'urn:purse:problem:invalid-request',
          title: 'Bad request',
        });
        expect(names(answer)).toEqual(fields);
        expect(answer.body.invalid_params[0].reason).toMatch(reason);
        expect(sim.state.payments).toEqual({});
      },
    );

    it('names every problem of a request at once, split entries included', async () => {
      const request = seedRequest();
      request.currency = 'euro';
      request.split[0].payment_method = { token: 'purse-approve' };
      request.customer.account.loyalty_tier = 'gold';
      const answer = await create(request);
      expect(names(answer).sort()).toEqual([
        'currency',
        'customer.account.loyalty_tier',
        'split[0].payment_method',
      ]);
    });

    it("refuses with 403 an entity_id that is not the client's entity, naming it", async () => {
      const request = seedRequest();
      request.entity_id = '8161163a-f227-466f-bc01-090a01e80165';
      const answer = await create(request);
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ type: 'urn:purse:problem:forbidden', title: 'Forbidden' });
      expect(names(answer)).toEqual(['entity_id']);
      expect(sim.state.payments).toEqual({});
      await stop();
      await start({ entityId: '8161163a-f227-466f-bc01-090a01e80165' });
      expect((await create(request)).status).toBe(201);
    });

    it('refuses a body that is not a JSON object', async () => {
      const list = await create([seedRequest()]);
      expect(list.status).toBe(400);
      expect(names(list)).toEqual(['body']);
      const form = await call(base, 'POST', '/v2/payments', { token, form: { amount: '4299' } });
      expect(form.status).toBe(400);
      expect(names(form)).toEqual(['Content-Type']);
      expect(sim.state.payments).toEqual({});
    });

    it('refuses a split entry without a test instrument as an unknown card (201, REFUSED "14")', async () => {
      const request = seedRequest();
      delete request.order.additional_data.payment_method_tokens;
      const answer = await create(request);
      expect(answer.status).toBe(201);
      expect(answer.body.authorization.status).toBe('REFUSED');
      expect(answer.body.authorization.partner_transactions[0].partner_status).toBe('14');
    });

    it.each(OPERATION_REJECTIONS)(
      'refuses a capture with %s, naming the field',
      async (_what, body, fields) => {
        const created = await create(seedRequest());
        const answer = await call(base, 'POST', `/v2/payments/${created.body.id}/captures`, {
          token,
          json: body,
        });
        expect(answer.status).toBe(400);
        expect(names(answer)).toEqual(fields);
        expect(sim.state.payments[created.body.id].captures).toEqual([]);
      },
    );

    it('checks void and refund bodies the same way', async () => {
      const created = await create(seedRequest());
      for (const path of ['voids', 'refunds']) {
        const answer = await call(base, 'POST', `/v2/payments/${created.body.id}/${path}`, {
          token,
          json: { amount: 10, merchant_reference: `${path}#1`, reason: 'customer asked' },
        });
        expect(answer.status).toBe(400);
        expect(names(answer)).toEqual(['reason']);
      }
      expect(sim.state.payments[created.body.id].version).toBe(1);
    });
  });

  describe('merchant-initiated payments (split entries with parent_payment_id)', () => {
    const create = (json: unknown) => call(base, 'POST', '/v2/payments', { token, json });

    /** A one-tender payment made for future use, as a MIT parent must be. */
    async function parent(tokenName = 'purse-approve', overrides: Record<string, unknown> = {}) {
      const request = paymentRequest(
        {
          amount: 2299,
          allow_future_usage: true,
          three_ds_authentication_options: { challenge_indicator: 'CHALLENGE_REQUESTED_BY_MERCHANT' },
          split: [{ partner: 'dalenys', method: 'creditcard', amount: 2299 }],
          ...overrides,
        },
        [tokenName],
      );
      return (await create(request)).body;
    }

    it("reuses the parent's tender, with line 67's mixed split and line 60's resolved parent fields", async () => {
      const first = await parent();
      const stored = first.authorization.partner_transactions[0];
      expect(stored.partner_token).toEqual(expect.any(String));
      const request = seedRequest();
      request.split = [
        { amount: 3299, parent_payment_id: first.id },
        { amount: 1000, method: 'giftcard', partner: 'illicado' },
      ];
      const answer = await create(request);
      expect(answer.status).toBe(201);
      expect(answer.body.authorization.status).toBe('AUTHORIZED');
      expect(answer.body.split).toEqual([
        {
          partner: 'dalenys',
          method: 'creditcard',
          amount: 3299,
          parent_payment_id: first.id,
          parent_partner_transaction_id: stored.id,
          parent_partner_token: stored.partner_token,
          parent_partner_reference: stored.partner_reference,
        },
        { partner: 'illicado', method: 'giftcard', amount: 1000 },
      ]);
    });

    it("takes the parent's instrument: a MIT on a capture-fail card fails its capture", async () => {
      const first = await parent('purse-capture-fail');
      const mit = await create(
        paymentRequest({ amount: 500, split: [{ amount: 500, parent_payment_id: first.id }] }, []),
      );
      expect(mit.body.authorization.status).toBe('AUTHORIZED');
      const capture = await call(base, 'POST', `/v2/payments/${mit.body.id}/captures`, {
        token,
        json: { amount: 500, merchant_reference: 'CAP#mit' },
      });
      expect(capture.body.captures[0].status).toBe('FAILED');
    });

    it.each([
      [
        'an unknown payment',
        () => Promise.resolve('0b9f4a51-6a0e-4d0f-9d7e-4b0f6a1c2d3e'),
        /no payment of this entity/,
      ],
      [
        'a payment made without allow_future_usage',
        async () => (await parent('purse-approve', { allow_future_usage: false })).id,
        /allow_future_usage/,
      ],
      ['a refused payment', async () => (await parent('purse-decline')).id, /not authorized/],
      [
        'a payment of two tenders',
        async () =>
          (
            await create(
              paymentRequest({
                allow_future_usage: true,
                three_ds_authentication_options: { challenge_indicator: 'CHALLENGE_REQUESTED_BY_MERCHANT' },
              }),
            )
          ).body.id as string,
        /2 tenders, not one/,
      ],
    ])('refuses a parent that is %s, naming split[0].parent_payment_id', async (_what, parentId, reason) => {
      const id = await parentId();
      const before = Object.keys(sim.state.payments).length;
      const answer = await create(
        paymentRequest({ amount: 100, split: [{ amount: 100, parent_payment_id: id }] }, []),
      );
      expect(answer.status).toBe(400);
      expect(answer.body.invalid_params).toEqual([
        { name: 'split[0].parent_payment_id', reason: expect.stringMatching(reason) },
      ]);
      expect(Object.keys(sim.state.payments)).toHaveLength(before);
    });
  });

  describe('captures, voids, refunds and amount rules', () => {
    it('walks a payment through partial capture, void, refund with the seed amounts', async () => {
      const created = (await call(base, 'POST', '/v2/payments', { token, json: paymentRequest() })).body;
      const id = created.id;

      const tooMuch = await call(base, 'POST', `/v2/payments/${id}/captures`, {
        token,
        json: { amount: 4300, merchant_reference: 'CAP#0' },
      });
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body).toMatchObject({
        type: 'urn:purse:problem:amount-not-available',
        status: 400,
        detail: 'capture amount 4300 exceeds available_to_capture 4299',
      });

      const refundBeforeCapture = await call(base, 'POST', `/v2/payments/${id}/refunds`, {
        token,
        json: { amount: 1, merchant_reference: 'REF#0' },
      });
      expect(refundBeforeCapture.status).toBe(400);

      const captured = await call(base, 'POST', `/v2/payments/${id}/captures`, {
        token,
        json: { amount: 3000, merchant_reference: 'CAP#1223445', order: { additional_data: {} } },
      });
      expect(captured.status).toBe(201);
      // the seed's line-53 example, exactly
      expect(captured.body.amounts).toEqual({
        authorize_pending: 0,
        total_authorized: 4299,
        total_voided: 0,
        available_to_void: 1299,
        total_captured: 3000,
        available_to_capture: 1299,
        total_refunded: 0,
        available_to_refund: 3000,
      });
      expect(captured.body.overview).toEqual({
        consumed: 'PARTIALLY',
        captured: 'PARTIALLY',
        voided: 'NOT',
        refunded: 'NOT',
      });
      expect(captured.body.version).toBe(2);
      const capture = captured.body.captures[0];
      expect(capture).toMatchObject({
        id: expect.any(String),
        amount: 3000,
        created_at: expect.any(String),
        updated_at: expect.any(String),
        triggered_by: 'MERCHANT',
        merchant_reference: 'CAP#1223445',
        status: 'SUCCESS',
        order: { additional_data: {} },
      });
      expect(
        capture.partner_transactions.map((t: { partner: string; amount: number }) => [t.partner, t.amount]),
      ).toEqual([
        ['easy2play', 2000],
        ['dalenys', 1000],
      ]);

      const voidTooMuch = await call(base, 'POST', `/v2/payments/${id}/voids`, {
        token,
        json: { amount: 1300, merchant_reference: 'VOID#0' },
      });
      expect(voidTooMuch.status).toBe(400);
      const voided = await call(base, 'POST', `/v2/payments/${id}/voids`, {
        token,
        json: { amount: 1299, merchant_reference: 'VOID#1' },
      });
      expect(voided.status).toBe(201);
      expect(voided.body.amounts).toMatchObject({
        total_voided: 1299,
        available_to_capture: 0,
        available_to_void: 0,
      });
      expect(voided.body.overview).toMatchObject({ consumed: 'FULLY', voided: 'PARTIALLY' });
      expect(voided.body.links.capture).toBeUndefined();

      const refundTooMuch = await call(base, 'POST', `/v2/payments/${id}/refunds`, {
        token,
        json: { amount: 3001, merchant_reference: 'REF#0' },
      });
      expect(refundTooMuch.status).toBe(400);
      expect(refundTooMuch.body.detail).toBe('refund amount 3001 exceeds available_to_refund 3000');
      await call(base, 'POST', `/v2/payments/${id}/refunds`, {
        token,
        json: { amount: 1000, merchant_reference: 'REF#1' },
      });
      const refunded = await call(base, 'POST', `/v2/payments/${id}/refunds`, {
        token,
        json: { amount: 2000, merchant_reference: 'REF#2' },
      });
      expect(refunded.body.amounts).toMatchObject({ total_refunded: 3000, available_to_refund: 0 });
      expect(refunded.body.overview.refunded).toBe('FULLY');
      expect(refunded.body.refunds).toHaveLength(2);
      expect(refunded.body.version).toBe(5);

      const books = await call(base, 'GET', `/_sim/purse/transactions?reference=${created.order.reference}`);
      expect(books.body.transactions).toHaveLength(1);
      expect(books.body.transactions[0]).toMatchObject({
        payment_id: id,
        held: 0,
        authorized: 4299,
        captured: 3000,
        voided: 1299,
        refunded: 3000,
      });
      const byOperation = await call(
        base,
        'GET',
        `/_sim/purse/transactions?reference=${encodeURIComponent('REF#2')}`,
      );
      expect(byOperation.body.transactions.map((t: { payment_id: string }) => t.payment_id)).toEqual([id]);
    });

    it('refuses with 409 a merchant_reference already used on the payment, by any operation', async () => {
      const created = (await call(base, 'POST', '/v2/payments', { token, json: paymentRequest() })).body;
      const capture = { amount: 1000, merchant_reference: 'CAP#1' };
      const path = `/v2/payments/${created.id}`;
      expect((await call(base, 'POST', `${path}/captures`, { token, json: capture })).status).toBe(201);
      for (const [operation, body] of [
        ['captures', capture],
        ['refunds', { amount: 500, merchant_reference: 'CAP#1' }],
      ] as const) {
        const again = await call(base, 'POST', `${path}/${operation}`, { token, json: body });
        expect(again.status).toBe(409);
        expect(again.body).toMatchObject({
          type: 'urn:purse:problem:idempotency-violation',
          title: 'Conflict - Idempotency violation',
          invalid_params: [{ name: 'merchant_reference', reason: 'is already used on this payment' }],
        });
      }
      const books = sim.state.payments[created.id];
      expect([books.captures.length, books.refunds.length]).toEqual([1, 0]);
    });

    it('rejects an operation without amount or merchant_reference with 400', async () => {
      const created = (await call(base, 'POST', '/v2/payments', { token, json: paymentRequest() })).body;
      const answer = await call(base, 'POST', `/v2/payments/${created.id}/captures`, {
        token,
        json: { amount: 0 },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.invalid_params.map((p: { name: string }) => p.name)).toEqual([
        'amount',
        'merchant_reference',
      ]);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the same answer for the same key and body, and answers 409 for a different body', async () => {
      const body = paymentRequest();
      const headers = { 'Idempotency-Key': 'create-1' };
      const first = await call(base, 'POST', '/v2/payments', { token, json: body, headers });
      const second = await call(base, 'POST', '/v2/payments', { token, json: body, headers });
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('idempotent-replayed')).toBe('true');

      const conflict = await call(base, 'POST', '/v2/payments', {
        token,
        json: { ...body, amount: 4298, split: [{ ...body.split[0], amount: 1999 }, body.split[1]] },
        headers,
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body).toMatchObject({
        type: 'urn:purse:problem:idempotency-violation',
        title: 'Conflict - Idempotency violation',
        status: 409,
      });

      const captureHeaders = { 'Idempotency-Key': 'capture-1' };
      const capture = { amount: 1000, merchant_reference: 'CAP#1' };
      const c1 = await call(base, 'POST', `/v2/payments/${first.body.id}/captures`, {
        token,
        json: capture,
        headers: captureHeaders,
      });
      const c2 = await call(base, 'POST', `/v2/payments/${first.body.id}/captures`, {
        token,
        json: capture,
        headers: captureHeaders,
      });
      expect(c2.body).toEqual(c1.body);
      expect(c2.body.amounts.total_captured).toBe(1000);
      const c3 = await call(base, 'POST', `/v2/payments/${first.body.id}/captures`, {
        token,
        json: { ...capture, amount: 999 },
        headers: captureHeaders,
      });
      expect(c3.status).toBe(409);

      const books = await call(base, 'GET', `/_sim/purse/transactions?reference=${body.order.reference}`);
      expect(books.body.transactions).toHaveLength(1);
      expect(books.body.transactions[0]).toMatchObject({ captured: 1000, idempotency_hits: 2 });
      expect((await call(base, 'GET', '/_sim/purse/stats')).body).toMatchObject({
        payments: 1,
        idempotency_hits: 2,
      });
    });

    it('books twice without a key', async () => {
      const body = paymentRequest();
      await call(base, 'POST', '/v2/payments', { token, json: body });
      await call(base, 'POST', '/v2/payments', { token, json: body });
      const books = await call(base, 'GET', `/_sim/purse/transactions?reference=${body.order.reference}`);
      expect(books.body.transactions).toHaveLength(2);
    });
  });

  describe('simulator controls', () => {
    it('resets the books', async () => {
      const body = paymentRequest();
      const created = await call(base, 'POST', '/v2/payments', { token, json: body });
      expect((await call(base, 'POST', '/_sim/reset')).status).toBe(200);
      expect((await call(base, 'GET', `/_sim/purse/payments/${created.body.id}`)).status).toBe(404);
      expect((await call(base, 'GET', '/_sim/purse/stats')).body.payments).toBe(0);
      // tokens are books too
      expect((await call(base, 'GET', `/v2/payments/${created.body.id}`, { token })).status).toBe(401);
    });

    it('keeps its books (payments and tokens) across a restart with a snapshot file', async () => {
      await stop();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'purse-sim-'));
      const snapshotFile = path.join(dir, 'purse.json');
      try {
        await start({ snapshotFile });
        const created = await call(base, 'POST', '/v2/payments', { token, json: paymentRequest() });
        await call(base, 'POST', `/v2/payments/${created.body.id}/captures`, {
          token,
          json: { amount: 500, merchant_reference: 'CAP#1' },
          headers: { 'Idempotency-Key': 'k' },
        });
        const savedToken = token;
        await stop(); // close() flushes the snapshot

        await start({ snapshotFile });
        const again = await call(base, 'GET', `/v2/payments/${created.body.id}`, { token: savedToken });
        expect(again.status).toBe(200);
        expect(again.body.amounts.total_captured).toBe(500);
        const replay = await call(base, 'POST', `/v2/payments/${created.body.id}/captures`, {
          token: savedToken,
          json: { amount: 500, merchant_reference: 'CAP#1' },
          headers: { 'Idempotency-Key': 'k' },
        });
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.body.amounts.total_captured).toBe(500);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('injects a transient 502 Bad Gateway before doing anything when failureRate is 1', async () => {
      await stop();
      await start({ failureRate: 1 });
      const answer = await call(base, 'POST', '/v2/payments', { token: 'whatever', json: paymentRequest() });
      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({ type: 'urn:purse:problem:bad-gateway', title: 'Bad Gateway' });
      expect((await call(base, 'GET', '/_sim/purse/stats')).body.payments).toBe(0);
    });
  });

  describe('webhooks', () => {
    it('posts a signed event for each payment change', async () => {
      const received: { headers: http.IncomingHttpHeaders; raw: string }[] = [];
      let expected = 0;
      let done: () => void = () => undefined;
      const receiver = http.createServer((req, res) => {
        let raw = '';
        req.on('data', (chunk) => (raw += chunk));
        req.on('end', () => {
          received.push({ headers: req.headers, raw });
          res.writeHead(204).end();
          if (received.length >= expected) done();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      try {
        await stop();
        await start({ webhookUrl: hookUrl, webhookSecret: 'whsec' });
        expected = 2;
        const arrived = new Promise<void>((resolve) => (done = resolve));
        const created = await call(base, 'POST', '/v2/payments', { token, json: paymentRequest() });
        await call(base, 'POST', `/v2/payments/${created.body.id}/captures`, {
          token,
          json: { amount: 100, merchant_reference: 'CAP#1' },
        });
        await arrived;
        await sim.webhooksIdle();
        const events = received
          .map((r) => JSON.parse(r.raw))
          .sort((a, b) => a.payment_version - b.payment_version);
        expect(events.map((e) => e.type)).toEqual(['PAYMENT_AUTHORIZATION', 'PAYMENT_CAPTURE']);
        expect(events[1]).toMatchObject({ payment_id: created.body.id, payment_version: 2 });
        expect(events[1].payment.amounts.total_captured).toBe(100);
        for (const r of received) {
          const signature = r.headers[PURSE_SIGNATURE_HEADER.toLowerCase()] as string;
          expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
          expect(verifyPurseWebhook('whsec', r.raw, signature)).toBe(true);
          expect(verifyPurseWebhook('other', r.raw, signature)).toBe(false);
        }
        expect(sim.webhookDeliveries().map((d) => d.status)).toEqual(['delivered', 'delivered']);
      } finally {
        await new Promise((resolve) => receiver.close(resolve));
      }
    });
  });
});
