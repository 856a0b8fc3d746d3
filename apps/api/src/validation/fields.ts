import { z } from 'zod';
import { isCurrency } from '@tender/domain';
import { isForbiddenWebhookHeader } from '@tender/infra/webhook-headers';

export const AMOUNT_DESCRIPTION = 'Amount in currency minor units: 4299 is 42.99 EUR.';
export const ENTITY_ID_DESCRIPTION = 'Optional; when given, must be the entity of the client.';
export const CURRENCY_DESCRIPTION = 'ISO 4217 currency code.';

/** An amount in minor units: a positive integer that JavaScript and Postgres both hold exactly. */
export const minorAmount = z
  .number({ error: 'must be an integer amount in minor units' })
  .int('must be an integer amount in minor units')
  .positive('must be greater than 0')
  .max(Number.MAX_SAFE_INTEGER, 'is too large');

export const currencyCode = z.string().refine((code) => isCurrency(code), {
  message: 'must be an ISO 4217 currency code',
  params: { code: 'unknown_currency' },
});

export const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');

export const httpUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');

const text = (max = 255) => z.string().max(max);
const amount = z.number().int('must be an integer amount in minor units').min(0).max(Number.MAX_SAFE_INTEGER);

export const address = z
  .strictObject({
    company_name: text().optional(),
    gender: z.enum(['FEMALE', 'MALE']).optional(),
    first_name: text().optional(),
    middle_name: text().optional(),
    last_name: text().optional(),
    address_lines: z.array(text()).max(5).optional(),
    city: text().optional(),
    postal_code: text(32).optional(),
    country_code: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
      .optional(),
    province_code: text(16).optional(),
    phone_number: text(32).optional(),
    mobile_phone_number: text(32).optional(),
    work_phone_number: text(32).optional(),
    delivery_point_name: text().optional(),
  })
  .meta({ description: 'Billing or shipping address.' });

export const itemLine = z
  .strictObject({
    type: z.enum(['PHYSICAL', 'DIGITAL', 'SERVICE', 'SHIPPING_FEES', 'DISCOUNT']).optional(),
    sku_reference: text().optional(),
    name: text().optional(),
    brand: text().optional(),
    unit_gross_price: amount.optional(),
    net_amount: amount.optional(),
    discount_amount: amount.optional(),
    quantity: z.number().int().min(0).optional(),
    tax_amount: amount.optional(),
    tax_rate: z.number().min(0).max(100).optional(),
    seller_reference: text().optional(),
    seller_name: text().optional(),
    is_marketplace_seller: z.boolean().optional(),
  })
  .meta({ description: 'One line of a shipment. Amounts in minor units.' });

export const order = z
  .strictObject({
    reference: text().optional(),
    additional_data: z.record(z.string(), z.unknown()).optional(),
    net_amount: amount.optional(),
    tax_amount: amount.optional(),
    discount_amount: amount.optional(),
    billing_address: address.optional(),
    shipments: z
      .array(
        z.strictObject({
          net_amount: amount.optional(),
          delivery_type: z.enum(['EXTERNAL_PICKUP', 'USER_DELIVERY', 'STORE_PICKUP', 'DIGITAL']).optional(),
          delivery_quickness: z.enum(['REGULAR', 'EXPRESS']).optional(),
          delivery_method_reference: text().optional(),
          estimated_delivery_date_time: z.iso.datetime({ offset: true }).optional(),
          shipping_address: address.optional(),
          item_lines: z.array(itemLine).max(500).optional(),
        }),
      )
      .max(50)
      .optional(),
    discounts: z
      .array(
        z.strictObject({
          net_amount: amount.optional(),
          tax_amount: amount.optional(),
          coupon_code: text().optional(),
          seller_reference: text().optional(),
        }),
      )
      .max(50)
      .optional(),
  })
  .meta({ description: 'Information regarding the order and the items to be purchased.' });

const accountIndicator = z.enum([
  'THIS_TRANSACTION',
  'LESS_30_DAYS',
  'FROM_30_TO_60_DAYS',
  'MORE_60_DAYS',
  'NO_ACCOUNT',
]);

export const customer = z
  .strictObject({
    reference: text().optional(),
    type: z.enum(['PERSON', 'COMPANY']).optional(),
    email: z.email('must be an email address').max(254).optional(),
    gender: z.enum(['FEMALE', 'MALE']).optional(),
    first_name: text().optional(),
    middle_name: text().optional(),
    last_name: text().optional(),
    national_identifier: text(64).optional(),
    birth_date: z.iso.date('must be a date YYYY-MM-DD').optional(),
    ip_address: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IP address' }).optional(),
    locale: text(16).optional(),
    account: z
      .strictObject({
        creation_date_time: z.iso.datetime({ offset: true }).optional(),
        update_date_time: z.iso.datetime({ offset: true }).optional(),
        password_update_date_time: z.iso.datetime({ offset: true }).optional(),
        purchase_count_last_day: z.number().int().min(0).optional(),
        purchase_count_last_six_months: z.number().int().min(0).optional(),
        purchase_count_last_year: z.number().int().min(0).optional(),
        authentication_method: z
          .enum(['GUEST', 'MERCHANT_CREDENTIALS', 'FEDERATED_ID', 'THIRD_PARTY', 'FIDO'])
          .optional(),
        authentication_date_time: z.iso.datetime({ offset: true }).optional(),
        age_indicator: accountIndicator.optional(),
        change_indicator: accountIndicator.optional(),
        password_change_indicator: accountIndicator.optional(),
      })
      .optional(),
  })
  .meta({ description: 'Information regarding the customer purchasing the order (3-D Secure risk data).' });

export const browser = z
  .strictObject({
    user_agent: text(2048).optional(),
    referrer: text(2048).optional(),
    accept_header: text(2048).optional(),
    color_depth: z.number().int().min(1).max(64).optional(),
    java_enabled: z.boolean().optional(),
    javascript_enabled: z.boolean().optional(),
    locale: text(16).optional(),
    screen_height: z.number().int().min(0).optional(),
    screen_width: z.number().int().min(0).optional(),
    utc_time_zone: z.number().int().min(-840).max(840).optional(),
  })
  .meta({ description: 'Browser information collected by the partner front component.' });

export const CHALLENGE_INDICATORS = ['NO_CHALLENGE_REQUESTED', 'CHALLENGE_REQUESTED_BY_MERCHANT'] as const;

export const threeDsOptions = z
  .strictObject({
    challenge_indicator: z.enum(CHALLENGE_INDICATORS),
  })
  .meta({ description: 'Options for 3-D Secure authentication.' });

export const webhookConfig = z
  .strictObject({
    url: httpUrl,
    headers: z
      .array(
        z.strictObject({
          name: z
            .string()
            .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name')
            .refine((name) => !isForbiddenWebhookHeader(name), {
              error: (issue) =>
                `${String(issue.input)} may not be set: a transport, proxy, metadata or signature header`,
              params: { code: 'forbidden_header' },
            }),
          values: z.array(text(1024).regex(/^\P{Cc}*$/u, 'must not contain control characters')).max(10),
        }),
      )
      .max(20)
      .optional(),
    event_types: z
      .array(z.string().regex(/^[A-Z_]{1,64}$/, 'must be an event type such as PAYMENT_CAPTURE'))
      .max(50)
      .optional(),
  })
  .meta({ description: 'Where to send webhooks about this object, with custom headers to add.' });

export const captureMode = z.enum(['AUTOMATIC', 'MANUAL']);
