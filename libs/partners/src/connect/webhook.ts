import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError, type PartnerAccountConfig, type PartnerWebhookEvent } from '../adapter';
import { fromConnectReference } from './references';

/**
 * Connect webhooks (digest §8): the body is a `WebhooksEvent`
 *   { apiVersion: 'v1', id, created, merchantId, type: 'payment.<status>' | 'refund.<status>' | …,
 *     payment | refund | payout | token | dispute }
 * signed with
 *   X-GCS-Signature = Base64(HMAC-SHA256(key = UTF-8 webhook secret, msg = raw body bytes))
 *   X-GCS-KeyId     = id of that secret (a webhook key pair, not the API key pair).
 * We verify over the raw bytes before parsing, with a constant-time compare.
 *
 * What we return is a hint for the worker to re-read Connect, never a state to apply blindly:
 *   payment events → partnerReference = payment id, reference = our tender reference (decoded from
 *                    the order merchantReference, see `toConnectReference`);
 *   refund events  → partnerReference = refund id (a RefundResult does not carry its payment id;
 *                    our refund leg keeps the refund id as its partnerReference),
 *                    reference = our leg reference (decoded from refundReferences.merchantReference).
 */

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

export function webhookSignature(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest('base64');
}

function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(b, b); // spend the comparison time anyway
    return false;
  }
  return timingSafeEqual(a, b);
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export function verifyConnectWebhook(
  rawBody: Buffer,
  headers: Record<string, string | undefined>,
  account: PartnerAccountConfig,
): PartnerWebhookEvent {
  const credentials = account.credentials ?? {};
  const keyId = str(credentials.webhookKeyId);
  const secret = str(credentials.webhookSecret);
  if (!keyId || !secret)
    throw new WebhookVerificationError('connect webhook key is not configured for this account', 401);

  const signature = header(headers, 'x-gcs-signature');
  const givenKeyId = header(headers, 'x-gcs-keyid');
  if (!signature) throw new WebhookVerificationError("missing header 'X-GCS-Signature'", 401);
  if (!givenKeyId) throw new WebhookVerificationError("missing header 'X-GCS-KeyId'", 401);
  if (givenKeyId.trim() !== keyId) throw new WebhookVerificationError('unknown webhook key id', 401);
  if (!sameSignature(signature.trim(), webhookSignature(rawBody, secret))) {
    throw new WebhookVerificationError('webhook signature mismatch', 401);
  }

  let event: unknown;
  try {
    event = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new WebhookVerificationError('webhook body is not JSON', 400);
  }
  if (!isObject(event)) throw new WebhookVerificationError('webhook body is not a JSON object', 400);
  const eventId = str(event.id);
  const type = str(event.type);
  if (!eventId || !type) throw new WebhookVerificationError('webhook event without id or type', 400);
  if (event.apiVersion !== undefined && event.apiVersion !== 'v1') {
    throw new WebhookVerificationError(
      `webhook apiVersion ${JSON.stringify(event.apiVersion)} is not v1`,
      400,
    );
  }

  let partnerReference: string | undefined;
  let reference: string | undefined;
  if (isObject(event.payment)) {
    const payment = event.payment;
    partnerReference = str(payment.id);
    const output = isObject(payment.paymentOutput) ? payment.paymentOutput : {};
    const references = isObject(output.references) ? output.references : {};
    const merchantReference = str(references.merchantReference);
    reference = merchantReference ? fromConnectReference(merchantReference) : undefined;
  } else if (isObject(event.refund)) {
    const refund = event.refund;
    partnerReference = str(refund.id);
    const output = isObject(refund.refundOutput) ? refund.refundOutput : {};
    const references = isObject(output.references) ? output.references : {};
    const merchantReference = str(references.merchantReference);
    reference = merchantReference ? fromConnectReference(merchantReference) : undefined;
  } else {
    for (const kind of ['payout', 'token', 'dispute']) {
      const object = event[kind];
      if (isObject(object)) {
        partnerReference = str(object.id);
        break;
      }
    }
  }
  return {
    eventId,
    type,
    ...(partnerReference ? { partnerReference } : {}),
    ...(reference ? { reference } : {}),
    payload: event,
  };
}
