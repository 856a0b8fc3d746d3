/**
 * Merchant webhook header values are write-only: they often carry the merchant's own credentials
 * (`authorization`), so the API (payments, client sessions, events) and the webhook payloads show
 * each header's name with its values replaced by one fixed mask. Only deliveries send the values.
 */
export const WRITE_ONLY_MASK = '********';

/** A stored `webhook` config as shown: url, event types, header names with masked values. */
export function presentWebhook(webhook: unknown): Record<string, unknown> | undefined {
  if (!webhook || typeof webhook !== 'object') return undefined;
  const config = webhook as { headers?: unknown };
  if (!Array.isArray(config.headers)) return { ...config };
  return {
    ...config,
    headers: config.headers.map((header: { name?: unknown }) => ({
      name: header?.name,
      values: [WRITE_ONLY_MASK],
    })),
  };
}

/** A stored event payload with its `data.payment.webhook` masked (events recorded before the mask). */
export function maskWebhookInPayload(payload: unknown): unknown {
  const data = (payload as { data?: { payment?: { webhook?: unknown } } } | null)?.data;
  if (!data?.payment?.webhook) return payload;
  return {
    ...(payload as object),
    data: { ...data, payment: { ...data.payment, webhook: presentWebhook(data.payment.webhook) } },
  };
}
