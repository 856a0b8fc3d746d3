import { PartnerRejectedError, type AuthorizeRequest } from '../adapter';
import type { PurseCreatePaymentBody, PurseCredentials, PurseSplitEntry } from './client';

/**
 * The `POST /v2/payments` body, holding only what Purse v2 defines (seed 003, lines 34 and 64–67):
 *
 * - `split`: one entry, `{partner, method, amount}` or, for a merchant-initiated payment,
 *   `{amount, parent_payment_id}`. v2 has no credential field, so our instrument token rides in
 *   `order.additional_data` (v2's free map) as `payment_method_tokens: [token]`.
 * - `allow_future_usage: true` comes with `three_ds_authentication_options.challenge_indicator =
 *   CHALLENGE_REQUESTED_BY_MERCHANT`, which v2 requires then (line 64).
 * - `customer` and `browser` keep only v2's fields; an enum value v2 does not show (our API accepts
 *   more, e.g. customer `type: COMPANY`) is left out rather than have Purse refuse the payment over
 *   an optional hint.
 *
 * Deterministic for a given request, so a re-send under the same Idempotency-Key is recognised as
 * the same request (Purse refuses a key reused with another body).
 */

/** Purse's own names of the tender it routes downstream (its `split[].partner` / `method`). */
const DEFAULT_SPLIT_PARTNER = 'dalenys';
const DEFAULT_SPLIT_METHOD = 'creditcard';

const CUSTOMER_FIELDS = [
  'reference',
  'type',
  'email',
  'gender',
  'first_name',
  'middle_name',
  'last_name',
  'national_identifier',
  'birth_date',
  'ip_address',
  'locale',
];
const ACCOUNT_FIELDS = [
  'creation_date_time',
  'update_date_time',
  'password_update_date_time',
  'purchase_count_last_day',
  'purchase_count_last_six_months',
  'purchase_count_last_year',
  'authentication_method',
  'authentication_date_time',
  'age_indicator',
  'change_indicator',
  'password_change_indicator',
];
const BROWSER_FIELDS = [
  'user_agent',
  'referrer',
  'accept_header',
  'color_depth',
  'java_enabled',
  'javascript_enabled',
  'locale',
  'screen_height',
  'screen_width',
  'utc_time_zone',
];
/** The values v2 shows for its enum fields (customer and customer.account). */
const V2_VALUES: Record<string, readonly string[]> = {
  type: ['PERSON'],
  gender: ['FEMALE', 'MALE'],
  authentication_method: ['MERCHANT_CREDENTIALS'],
  age_indicator: ['MORE_60_DAYS'],
  change_indicator: ['MORE_60_DAYS'],
  password_change_indicator: ['MORE_60_DAYS'],
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The listed fields of `source` that are set, minus enum values v2 does not show; undefined when none. */
function v2Fields(source: unknown, fields: string[]): Record<string, unknown> | undefined {
  if (!isObject(source)) return undefined;
  const kept = Object.entries(source).filter(
    ([name, value]) =>
      fields.includes(name) &&
      value !== undefined &&
      value !== null &&
      (V2_VALUES[name] === undefined || V2_VALUES[name].includes(value as string)),
  );
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

export function purseCustomer(customer: unknown): Record<string, unknown> | undefined {
  if (!isObject(customer)) return undefined;
  const account = v2Fields(customer.account, ACCOUNT_FIELDS);
  const fields = { ...v2Fields(customer, CUSTOMER_FIELDS), ...(account ? { account } : {}) };
  return Object.keys(fields).length > 0 ? fields : undefined;
}

export function purseBrowser(browser: unknown): Record<string, unknown> | undefined {
  return v2Fields(browser, BROWSER_FIELDS);
}

function stringSetting(config: Record<string, unknown>, name: string, fallback: string): string {
  const value = config[name];
  return typeof value === 'string' && value.length > 0 ? value : fallback;
}

export function createPaymentBody(
  request: AuthorizeRequest,
  credentials: PurseCredentials,
): PurseCreatePaymentBody {
  if (request.method !== 'card') {
    throw new PartnerRejectedError(
      `Purse adapter does not handle method ${request.method}`,
      'unsupported_method',
    );
  }
  if (!credentials.entityId) {
    throw new PartnerRejectedError(
      'Purse account credentials have no entityId (the entity UUID Purse provides)',
      'invalid_account_credentials',
    );
  }
  const token = request.instrument.token;
  let entry: PurseSplitEntry;
  let order: PurseCreatePaymentBody['order'] = { reference: request.reference };
  if (request.parentPartnerToken) {
    entry = { amount: request.amount, parent_payment_id: request.parentPartnerToken };
  } else if (typeof token === 'string' && token.length > 0) {
    entry = {
      partner: stringSetting(request.account.config, 'splitPartner', DEFAULT_SPLIT_PARTNER),
      method: stringSetting(request.account.config, 'splitMethod', DEFAULT_SPLIT_METHOD),
      amount: request.amount,
    };
    order = { ...order, additional_data: { payment_method_tokens: [token] } };
  } else {
    throw new PartnerRejectedError('card instrument without a token', 'invalid_instrument');
  }
  const customer = purseCustomer(request.customer);
  const browser = purseBrowser(request.browser);
  return {
    entity_id: credentials.entityId,
    amount: request.amount,
    currency: request.currency,
    // Tender always captures explicitly (AUTOMATIC = Tender captures right after).
    capture_mode: 'MANUAL',
    allow_future_usage: request.allowFutureUsage,
    ...(request.allowFutureUsage
      ? { three_ds_authentication_options: { challenge_indicator: 'CHALLENGE_REQUESTED_BY_MERCHANT' } }
      : {}),
    order,
    split: [entry],
    ...(request.returnUrl ? { shopper_redirection_url: request.returnUrl } : {}),
    ...(customer ? { customer } : {}),
    ...(browser ? { browser } : {}),
  };
}
