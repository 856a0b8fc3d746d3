import { createHash } from 'node:crypto';

/**
 * Our references and idempotence keys in Connect's limits, deterministic and, for our own ids,
 * lossless: `merchantReference` (30 characters) and `X-GCS-Idempotence-Key` (40).
 */

/** 32 hex digits (our ids) ↔ 25 base-36 digits: 36^25 > 16^32, so nothing is lost. */
function hexToBase36(hex: string): string {
  return BigInt(`0x${hex}`).toString(36).padStart(25, '0');
}

function base36ToHex(digits: string): string {
  let value = 0n;
  for (const digit of digits) value = value * 36n + BigInt(parseInt(digit, 36));
  return value.toString(16).padStart(32, '0');
}

/**
 * `merchantReference` is at most 30 characters on the GlobalCollect platform, for payments
 * ([000] OrderReferences.merchant_reference) and refunds ([000] RefundReferences, [002]
 * `refundReferences.merchantReference` string(30)); our tender and leg references are 32 hex digits.
 */
export const MERCHANT_REFERENCE_MAX = 30;
const COMPACT_REFERENCE = /^r[0-9a-z]{25}$/;

/**
 * Our reference (tender or leg) as a Connect merchantReference, deterministic (the find after a
 * timeout looks it up again): ≤ 30 characters as is; 32 hex digits (our ids) losslessly as
 * 'r' + 25 base-36 digits; anything else longer as 'h' + 29 hex digits of its SHA-256.
 */
export function toConnectReference(reference: string): string {
  if (reference.length <= MERCHANT_REFERENCE_MAX && !COMPACT_REFERENCE.test(reference)) return reference;
  if (/^[0-9a-fA-F]{32}$/.test(reference)) return `r${hexToBase36(reference)}`;
  return `h${createHash('sha256')
    .update(reference)
    .digest('hex')
    .slice(0, MERCHANT_REFERENCE_MAX - 1)}`;
}

/** Inverse of `toConnectReference` for the lossless form (webhooks and finds echo the Connect form). */
export function fromConnectReference(merchantReference: string): string {
  return COMPACT_REFERENCE.test(merchantReference)
    ? base36ToHex(merchantReference.slice(1))
    : merchantReference;
}

/** `X-GCS-Idempotence-Key`: at most 40 ASCII characters (Worldline "Idempotent requests"). */
export const IDEMPOTENCE_KEY_MAX = 40;
const DISPATCHER_KEY =
  /^tender-([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})-([a-z]+)$/;

/**
 * The Connect idempotence key for one of our keys, deterministic (a re-run sends the same key).
 * Ours are `tender-<uuid>-<operation>` (53 characters for `authorize`): the uuid becomes 25 base-36
 * digits and the operation stays, `<25 digits>-authorize` (35), so distinct keys stay distinct.
 * `step` names a secondary call of the same operation (`pc` processchallenged, `approve` the refund
 * approval, `r1`… a refund asked again) and is appended as `-<step>`. Any other key, or one that
 * would not fit, becomes 'h-' + 38 hex digits of its SHA-256 (the '-' second keeps it apart from the
 * compact form, whose second character is a digit).
 */
export function toConnectIdempotenceKey(key: string, step?: string): string {
  const ours = DISPATCHER_KEY.exec(key);
  if (ours) {
    const compact = `${hexToBase36(ours.slice(1, 6).join(''))}-${ours[6]}${step ? `-${step}` : ''}`;
    if (compact.length <= IDEMPOTENCE_KEY_MAX && /^[0-9a-z-]+$/.test(compact)) return compact;
  }
  const digest = createHash('sha256')
    .update(step ? `${key}\n${step}` : key)
    .digest('hex');
  return `h-${digest.slice(0, IDEMPOTENCE_KEY_MAX - 2)}`;
}
