/**
 * Headers a merchant may not put in `webhook.headers`: the transport's (hop-by-hop, framing), ones
 * that spoof a client address to proxies, ones that unlock cloud metadata services, and ours (the
 * body's content type and the Standard Webhooks signature). Refused by the API with a 400; the
 * worker also drops them from events stored before the rule existed.
 */
const FORBIDDEN = new Set([
  'host',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'content-length',
  'content-type', // we send application/json and sign the body as such
  'user-agent',
  'forwarded',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'x-cluster-client-ip',
  'metadata',
  'metadata-flavor',
  'x-google-metadata-request',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);
const FORBIDDEN_PREFIXES = ['proxy-', 'x-forwarded-', 'x-aws-ec2-metadata-token'];

export function isForbiddenWebhookHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return FORBIDDEN.has(lower) || FORBIDDEN_PREFIXES.some((prefix) => lower.startsWith(prefix));
}
