import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): for each secret `whsec_<base64 key>`,
 * `v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`; several signatures are
 * separated by spaces, so during a secret rotation the merchant can verify with either secret.
 * The signature itself is the reference library's `Webhook#sign`.
 */
export function standardWebhookSignature(
  secrets: readonly string[],
  messageId: string,
  timestamp: Date,
  body: string,
): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' ');
}

/** The Standard Webhooks headers of one delivery attempt. */
export function standardWebhookHeaders(
  secrets: readonly string[],
  messageId: string,
  timestamp: Date,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': standardWebhookSignature(secrets, messageId, timestamp, body),
  };
}
