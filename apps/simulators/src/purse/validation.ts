import { isIP } from 'node:net';
import { z } from 'zod';
import type { InvalidParam } from './problems';

/**
 * Purse v2 request bodies as the seed (003) gives them; "line N" is the seed's line. Every object is
 * strict: a field v2 does not define is refused by name, at any depth. The only free map is
 * `order.additional_data` (line 34: `custom_field1`, `custom_field2`).
 *
 * The seed marks no field required and gives no lengths or formats, only descriptions, examples and
 * a few enum lists. Where it is silent we take the stricter plausible rule (README lists which):
 * formats its examples all follow (UUID ids, alpha-2 countries, E.164 phones, ISO dates), enums
 * limited to the values it shows, strings of 1 to 255 characters (2048 for URLs and browser headers),
 * no `null`. Where its own examples disagree (locales `fr-FR` / `fra`, province codes `FR-HDF` /
 * `NY`) any string is accepted.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const text = (max = 255) => z.string().min(1, 'must not be empty').max(max);
const uuid = z.string().regex(UUID, 'must be a UUID');
const httpUrl = text(2048).refine((value) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL');
const dateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });
/** An amount in minor units (line 10). */
const amount = z
  .int({ error: 'must be an integer amount in minor units' })
  .positive('must be greater than 0');
/** Order and item amounts: integers in minor units too, 0 allowed (line 34's shipping fees line). */
const orderAmount = z
  .int({ error: 'must be an integer amount in minor units' })
  .min(0, 'must not be negative');
const count = z.int({ error: 'must be an integer' }).min(0, 'must not be negative');
const phone = z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 phone number');
const gender = z.enum(['FEMALE', 'MALE']);

export const CHALLENGE_INDICATORS = ['NO_CHALLENGE_REQUESTED', 'CHALLENGE_REQUESTED_BY_MERCHANT'] as const;

/**
 * Partner/method pairs the seed shows (line 35's eligible_solutions, lines 53 and 60's splits): the
 * solutions of the simulated entity.
 */
export const PURSE_SOLUTIONS = [
  'illicado/giftcard',
  'easy2play/giftcard',
  'dalenys/creditcard',
  'ingenico/creditcard',
  'paypal/wallet',
  'oney/cb3x',
] as const;

const addressFields = {
  company_name: text().optional(),
  gender: gender.optional(),
  first_name: text().optional(),
  middle_name: text().optional(),
  last_name: text().optional(),
  address_lines: z.array(text()).min(1).optional(),
  city: text().optional(),
  postal_code: text().optional(),
  country_code: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
    .optional(),
  province_code: text().optional(),
  phone_number: phone.optional(),
  mobile_phone_number: phone.optional(),
  work_phone_number: phone.optional(),
};

const itemLine = z.strictObject({
  type: z.enum(['PHYSICAL', 'SHIPPING_FEES']).optional(),
  sku_reference: text().optional(),
  name: text().optional(),
  brand: text().optional(),
  unit_gross_price: orderAmount.optional(),
  net_amount: orderAmount.optional(),
  discount_amount: orderAmount.optional(),
  quantity: z.int({ error: 'must be an integer' }).positive('must be greater than 0').optional(),
  tax_amount: orderAmount.optional(),
  tax_rate: z.number().min(0).max(100).optional(),
  seller_reference: text().optional(),
  seller_name: text().optional(),
  is_marketplace_seller: z.boolean().optional(),
});

/** Lines 34, 59, 60. Shipping addresses alone have `delivery_point_name`. */
export const orderSchema = z.strictObject({
  reference: text().optional(),
  additional_data: z.record(z.string(), z.unknown()).optional(),
  net_amount: orderAmount.optional(),
  tax_amount: orderAmount.optional(),
  discount_amount: orderAmount.optional(),
  billing_address: z.strictObject(addressFields).optional(),
  shipments: z
    .array(
      z.strictObject({
        net_amount: orderAmount.optional(),
        delivery_type: z.enum(['EXTERNAL_PICKUP', 'USER_DELIVERY']).optional(),
        delivery_quickness: z.enum(['REGULAR', 'EXPRESS']).optional(),
        delivery_method_reference: text().optional(),
        estimated_delivery_date_time: dateTime.optional(),
        shipping_address: z
          .strictObject({ ...addressFields, delivery_point_name: text().optional() })
          .optional(),
        item_lines: z.array(itemLine).optional(),
      }),
    )
    .optional(),
  discounts: z
    .array(
      z.strictObject({
        net_amount: orderAmount.optional(),
        tax_amount: orderAmount.optional(),
        coupon_code: text().optional(),
        seller_reference: text().optional(),
      }),
    )
    .optional(),
});

/** Lines 34 and 67. */
const customer = z.strictObject({
  reference: text().optional(),
  type: z.enum(['PERSON']).optional(),
  email: z.email('must be an email address').max(254).optional(),
  gender: gender.optional(),
  first_name: text().optional(),
  middle_name: text().optional(),
  last_name: text().optional(),
  national_identifier: text().optional(),
  birth_date: z.iso.date('must be a date YYYY-MM-DD').optional(),
  ip_address: z
    .string()
    .refine((value) => isIP(value) !== 0, 'must be an IP address')
    .optional(),
  locale: text().optional(),
  account: z
    .strictObject({
      creation_date_time: dateTime.optional(),
      update_date_time: dateTime.optional(),
      password_update_date_time: dateTime.optional(),
      purchase_count_last_day: count.optional(),
      purchase_count_last_six_months: count.optional(),
      purchase_count_last_year: count.optional(),
      authentication_method: z.enum(['MERCHANT_CREDENTIALS']).optional(),
      authentication_date_time: dateTime.optional(),
      age_indicator: z.enum(['MORE_60_DAYS']).optional(),
      change_indicator: z.enum(['MORE_60_DAYS']).optional(),
      password_change_indicator: z.enum(['MORE_60_DAYS']).optional(),
    })
    .optional(),
});

/** Lines 66 and 67. `utc_time_zone` is an offset in minutes. */
const browser = z.strictObject({
  user_agent: text(2048).optional(),
  referrer: text(2048).optional(),
  accept_header: text(2048).optional(),
  color_depth: z.int({ error: 'must be an integer' }).positive('must be greater than 0').optional(),
  java_enabled: z.boolean().optional(),
  javascript_enabled: z.boolean().optional(),
  locale: text().optional(),
  screen_height: count.optional(),
  screen_width: count.optional(),
  utc_time_zone: z.int({ error: 'must be an integer' }).min(-720).max(840).optional(),
});

/** Lines 26, 34, 60. */
const webhook = z.strictObject({
  url: httpUrl,
  headers: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name'),
        values: z.array(text(1024)).min(1),
      }),
    )
    .optional(),
  event_types: z
    .array(z.string().regex(/^[A-Z_]{1,64}$/, 'must be an event type such as PAYMENT_CAPTURE'))
    .optional(),
});

/** Line 67. Required: entity_id, amount, currency, capture_mode (no default given), split. */
const createPaymentSchema = z.strictObject({
  entity_id: uuid,
  amount,
  currency: z.string().refine((code) => CURRENCIES.has(code), 'must be an ISO 4217 currency code'),
  capture_mode: z.enum(['MANUAL', 'AUTOMATIC']),
  allow_future_usage: z.boolean().optional(),
  three_ds_authentication_options: z
    .strictObject({ challenge_indicator: z.enum(CHALLENGE_INDICATORS) })
    .optional(),
  order: orderSchema.optional(),
  customer: customer.optional(),
  browser: browser.optional(),
  shopper_redirection_url: httpUrl.optional(),
  webhook: webhook.optional(),
  split: z.array(z.unknown()).min(1, 'must have at least one entry'),
});

/** Line 67's two forms of a split entry. */
const newTenderSchema = z.strictObject({ amount, partner: text(), method: text() });
const parentTenderSchema = z.strictObject({ amount, parent_payment_id: uuid });

/** Line 59 (refunds and voids take the same body: the export dropped their duplicate lines). */
const operationSchema = z.strictObject({
  amount,
  order: orderSchema.optional(),
  merchant_reference: text(),
});

export type CreatePaymentBody = z.output<typeof createPaymentSchema>;
export type NewTender = z.output<typeof newTenderSchema>;
export type ParentTender = z.output<typeof parentTenderSchema>;
export type OperationBody = z.output<typeof operationSchema>;

/** `split[0].amount` from `['split', 0, 'amount']`. */
function fieldName(path: PropertyKey[]): string {
  return path.reduce<string>((name, key) => {
    if (typeof key === 'number') return `${name}[${key}]`;
    return name ? `${name}.${String(key)}` : String(key);
  }, '');
}

function invalidParams(error: z.ZodError, prefix: PropertyKey[] = []): InvalidParam[] {
  return error.issues.flatMap((issue): InvalidParam[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        name: fieldName([...path, key]),
        reason: 'is not a field of Purse v2',
      }));
    }
    const missing = 'input' in issue && issue.input === undefined;
    return [{ name: fieldName(path) || 'body', reason: missing ? 'is required' : issue.message }];
  });
}

function check<T>(schema: z.ZodType<T>, value: unknown, prefix: PropertyKey[] = []): T | InvalidParam[] {
  const result = schema.safeParse(value, { reportInput: true });
  return result.success ? result.data : invalidParams(result.error, prefix);
}

export interface CheckedCreatePayment {
  body: CreatePaymentBody;
  split: Array<NewTender | ParentTender>;
}

/**
 * The create-payment body, or every problem found. Besides the schema: Σ split.amount = amount
 * (the seed's consistent example, line 53), a partner/method pair of PURSE_SOLUTIONS, and
 * allow_future_usage ⇒ three_ds_authentication_options.challenge_indicator =
 * CHALLENGE_REQUESTED_BY_MERCHANT (line 64).
 */
export function checkCreatePayment(input: unknown): CheckedCreatePayment | InvalidParam[] {
  const body = check(createPaymentSchema, input);
  if (Array.isArray(body)) {
    // The split entries are reported too when the rest is wrong, so one answer names everything.
    const entries = (input as { split?: unknown } | null)?.split;
    return [...body, ...(Array.isArray(entries) ? checkSplit(entries).invalid : [])];
  }
  const { split, invalid } = checkSplit(body.split);
  if (
    body.allow_future_usage === true &&
    body.three_ds_authentication_options?.challenge_indicator !== 'CHALLENGE_REQUESTED_BY_MERCHANT'
  ) {
    invalid.push({
      name: 'three_ds_authentication_options.challenge_indicator',
      reason: 'must be CHALLENGE_REQUESTED_BY_MERCHANT when allow_future_usage is true',
    });
  }
  if (invalid.length > 0) return invalid;
  const total = split.reduce((sum, entry) => sum + entry.amount, 0);
  if (total !== body.amount) {
    return [{ name: 'split', reason: `split amounts add up to ${total}, amount is ${body.amount}` }];
  }
  return { body, split };
}

function checkSplit(entries: unknown[]): { split: Array<NewTender | ParentTender>; invalid: InvalidParam[] } {
  const split: Array<NewTender | ParentTender> = [];
  const invalid: InvalidParam[] = [];
  entries.forEach((entry, index) => {
    const isParent = typeof entry === 'object' && entry !== null && 'parent_payment_id' in entry;
    const checked = check<NewTender | ParentTender>(isParent ? parentTenderSchema : newTenderSchema, entry, [
      'split',
      index,
    ]);
    if (Array.isArray(checked)) return void invalid.push(...checked);
    if (
      'partner' in checked &&
      !(PURSE_SOLUTIONS as readonly string[]).includes(`${checked.partner}/${checked.method}`)
    ) {
      invalid.push({
        name: `split[${index}].method`,
        reason: `${checked.partner}/${checked.method} is not a solution of this entity (${PURSE_SOLUTIONS.join(', ')})`,
      });
    }
    split.push(checked);
  });
  return { split, invalid };
}

export function checkOperation(input: unknown): OperationBody | InvalidParam[] {
  return check(operationSchema, input);
}
