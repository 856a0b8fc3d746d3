import { isEncrypted, type DataCipher } from './encryption';

/**
 * What is encrypted at rest, column by column (the name is the associated data of each value):
 *
 * - `partner_account.credentials`: every secret leaf (deny by default: a leaf stays in clear only
 *   when its key names something public, an endpoint, an id, a user name; so `webhookKeyId`,
 *   `merchantId`, `apiKeyId` stay queryable) is replaced by the encryption of its JSON;
 * - `webhook_secret.secret`: the merchant's `whsec_` signing secret, as text;
 * - `partner_transaction.instrument`: the whole instrument (gift card number, PIN, card or partner
 *   token), as the JSON string of its encrypted JSON;
 * - `signing_key.private_jwk`: the API's JWS private keys, likewise;
 * - merchant webhook header values (below).
 *
 * Values stored in clear before encryption are read as they are; `tender keys reencrypt` encrypts
 * them, and moves every value to the first key of DATA_ENCRYPTION_KEYS.
 */
export const PARTNER_CREDENTIALS_COLUMN = 'partner_account.credentials';
export const WEBHOOK_SECRET_COLUMN = 'webhook_secret.secret';
export const INSTRUMENT_COLUMN = 'partner_transaction.instrument';
export const SIGNING_KEY_COLUMN = 'signing_key.private_jwk';

const SECRET_KEY = /secret|passw|pwd|token|private|signing|credential|cert|salt|key$/i;
const PUBLIC_KEY =
  /^(endpoint|url|host|port|environment|env|region|mode|currency|name|username|user|login|store_?code|.*(Url|_url|Id|_id|Ids|_ids|Code|_code))$|^id$/;

/** Whether a credentials key names something public (shown by the CLI, stored in clear). */
export function isPublicCredentialKey(key: string): boolean {
  return PUBLIC_KEY.test(key) && !SECRET_KEY.test(key);
}

/**
 * `value` with every secret leaf replaced by `leaf(value)`: the leaves not under a public key
 * (objects and arrays are walked, `null` is kept).
 */
export function mapSecretLeaves(
  value: unknown,
  leaf: (value: unknown) => unknown,
  isPublic = false,
): unknown {
  if (Array.isArray(value)) return value.map((item) => mapSecretLeaves(item, leaf, isPublic));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        mapSecretLeaves(item, leaf, isPublicCredentialKey(key)),
      ]),
    );
  }
  if (value === null || isPublic) return value;
  return leaf(value);
}

/** Credentials as stored: each secret leaf encrypted (values already encrypted are re-encrypted). */
export function sealCredentials(
  cipher: DataCipher,
  credentials: Record<string, unknown>,
): Record<string, unknown> {
  const clear = openCredentials(cipher, credentials);
  return mapSecretLeaves(clear, (leaf) => cipher.sealJson(leaf, PARTNER_CREDENTIALS_COLUMN)) as Record<
    string,
    unknown
  >;
}

/** Stored credentials in clear (leaves stored in clear before encryption are read as they are). */
export function openCredentials(cipher: DataCipher, stored: unknown): Record<string, unknown> {
  const open = (value: unknown): unknown => {
    if (isEncrypted(value)) return cipher.openJson(value, PARTNER_CREDENTIALS_COLUMN);
    if (Array.isArray(value)) return value.map(open);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, open(item)]));
    }
    return value;
  };
  const value = open(stored ?? {});
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Whether every secret leaf of stored credentials is encrypted with the current key. */
export function credentialsAreSealed(cipher: DataCipher, stored: unknown): boolean {
  let sealed = true;
  mapSecretLeaves(stored ?? {}, (leaf) => {
    if (!cipher.isCurrent(leaf)) sealed = false;
    return leaf;
  });
  return sealed;
}

/** An instrument as stored (the JSON string of its encrypted JSON); null stays null. */
export function sealInstrument(cipher: DataCipher, instrument: unknown): string | null {
  if (instrument === null || instrument === undefined) return null;
  return cipher.sealJson(cipher.openJson(instrument, INSTRUMENT_COLUMN), INSTRUMENT_COLUMN);
}

/** A stored instrument in clear (one stored in clear before encryption as it is). */
export function openInstrument(cipher: DataCipher, stored: unknown): Record<string, unknown> | undefined {
  const value = cipher.openJson(stored, INSTRUMENT_COLUMN);
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

export function sealWebhookSecret(cipher: DataCipher, secret: string): string {
  return cipher.encrypt(cipher.openText(secret, WEBHOOK_SECRET_COLUMN), WEBHOOK_SECRET_COLUMN);
}

export function openWebhookSecret(cipher: DataCipher, stored: string): string {
  return cipher.openText(stored, WEBHOOK_SECRET_COLUMN);
}

/**
 * Merchant webhook header values (`payment.webhook`, `client_session.webhook`: `{ url, headers:
 * [{ name, values }] }`; `merchant_event.headers`: the list). The values are copied as they are
 * from a session to its payments and from a payment to its events, so they share one binding,
 * this name, rather than one per column. Header names stay in clear.
 */
export const WEBHOOK_HEADER_VALUE = 'merchant_webhook.header_value';

/** A webhook config or a headers list with `value` applied to each header value (other shapes as they are). */
function mapHeaderValues(value: unknown, map: (headerValue: string) => string): unknown {
  if (Array.isArray(value)) {
    return value.map((header: unknown) => {
      const values = (header as { values?: unknown } | null)?.values;
      if (!Array.isArray(values)) return header;
      return {
        ...(header as object),
        values: values.map((v: unknown) => (typeof v === 'string' ? map(v) : v)),
      };
    });
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { headers?: unknown }).headers)
  ) {
    return { ...value, headers: mapHeaderValues((value as { headers: unknown }).headers, map) };
  }
  return value;
}

/** A webhook config or headers list as stored: every header value encrypted with the current key. */
export function sealWebhookHeaders<T>(cipher: DataCipher, webhook: T): T {
  return mapHeaderValues(webhook, (v) =>
    cipher.isCurrent(v) ? v : cipher.encrypt(cipher.openText(v, WEBHOOK_HEADER_VALUE), WEBHOOK_HEADER_VALUE),
  ) as T;
}

/** A stored webhook config or headers list with its header values in clear. */
export function openWebhookHeaders<T>(cipher: DataCipher, stored: T): T {
  return mapHeaderValues(stored, (v) => cipher.openText(v, WEBHOOK_HEADER_VALUE)) as T;
}

/** Whether every header value of a stored webhook config or headers list is encrypted with the current key. */
export function webhookHeadersAreSealed(cipher: DataCipher, stored: unknown): boolean {
  let sealed = true;
  mapHeaderValues(stored, (v) => {
    if (!cipher.isCurrent(v)) sealed = false;
    return v;
  });
  return sealed;
}

/** The API's JWS private key (a JWK) as stored: the JSON string of its encrypted JSON. */
export function sealSigningKey(cipher: DataCipher, privateJwk: unknown): string {
  return cipher.sealJson(cipher.openJson(privateJwk, SIGNING_KEY_COLUMN), SIGNING_KEY_COLUMN);
}

/** A stored private JWK in clear (one stored in clear before encryption as it is). */
export function openSigningKey(cipher: DataCipher, stored: unknown): unknown {
  return cipher.openJson(stored, SIGNING_KEY_COLUMN);
}

/**
 * A stored instrument without its PIN, encrypted, or undefined when it has none. The PIN only
 * serves the authorization: it is erased once the authorization is final.
 */
export function instrumentWithoutPin(cipher: DataCipher, stored: unknown): string | undefined {
  const instrument = openInstrument(cipher, stored);
  if (!instrument || !('pin' in instrument)) return undefined;
  const { pin: _pin, ...rest } = instrument;
  return sealInstrument(cipher, rest) ?? undefined;
}
