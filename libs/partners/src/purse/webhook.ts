import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WebhookVerificationError, type PartnerWebhookEvent } from '../adapter';

/**
 * Purse webhooks: `Purse-Signature: t=<unix seconds>,v1=<hex>` with
 * `v1 = hex(HMAC-SHA256(webhookSecret, "<t>.<raw body>"))`, over the exact bytes received.
 * Several `v1` entries are accepted (secret rotation); the timestamp must be within 5 minutes of now.
 * Payload: `{ id, type, created_at, payment_id, payment_version, operation_id?, payment }`.
 */
export const PURSE_SIGNATURE_HEADER = 'purse-signature';
export const PURSE_WEBHOOK_TOLERANCE_SECONDS = 300;

const eventSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  payment_id: z.string().min(1),
  payment: z.looseObject({ order_reference: z.string().nullish() }).nullish(),
});

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function parseSignature(value: string): { timestamp: number; signatures: Buffer[] } {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const text = part.slice(eq + 1).trim();
    if (name === 't' && /^\d{1,12}$/.test(text)) timestamp = Number(text);
    if (name === 'v1' && /^[0-9a-f]{64}$/i.test(text)) signatures.push(Buffer.from(text, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new WebhookVerificationError(`malformed ${PURSE_SIGNATURE_HEADER} header`, 400);
  }
  return { timestamp, signatures };
}

export function verifyPurseWebhook(
  rawBody: Buffer,
  headers: Record<string, string | undefined>,
  secret: string | undefined,
  nowSeconds: number,
): PartnerWebhookEvent {
  if (!secret) throw new WebhookVerificationError('no Purse webhook secret configured for this account');
  const value = header(headers, PURSE_SIGNATURE_HEADER);
  if (!value) throw new WebhookVerificationError(`missing ${PURSE_SIGNATURE_HEADER} header`);
  const { timestamp, signatures } = parseSignature(value);
  if (Math.abs(nowSeconds - timestamp) > PURSE_WEBHOOK_TOLERANCE_SECONDS) {
    throw new WebhookVerificationError('Purse webhook timestamp outside the tolerance');
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  // Every candidate is compared (constant time each), so timing does not tell which one matched.
  const valid = signatures.map((given) => timingSafeEqual(given, expected)).includes(true);
  if (!valid) throw new WebhookVerificationError('Purse webhook signature mismatch');

  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch {
    throw new WebhookVerificationError('Purse webhook body is not JSON', 400);
  }
  const event = eventSchema.safeParse(parsed);
  if (!event.success) throw new WebhookVerificationError('Purse webhook body is not an event', 400);
  return {
    eventId: event.data.id,
    type: event.data.type,
    partnerReference: event.data.payment_id,
    reference: event.data.payment?.order_reference ?? undefined,
    payload: parsed,
  };
}
