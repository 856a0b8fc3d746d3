import { blockedAddressReason } from '@tender/infra/blocked-addresses';
import { ApiError, type FieldError } from '../http/api-error';

export interface WebhookUrlPolicy {
  /** Production: webhooks carry payment data and the merchant's header values, never in clear. */
  requireHttps: boolean;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS (development, tests). */
  allowPrivateNetworks: boolean;
}

/**
 * What is wrong with a merchant's `webhook.url` (already an absolute http(s) URL), if anything.
 * An early, clear answer only: the host name of a public-looking URL may resolve to anything at
 * delivery time, where the worker's guarded lookup is the real check.
 */
export function webhookUrlError(url: string, policy: WebhookUrlPolicy): FieldError | undefined {
  const parsed = new URL(url);
  if (policy.requireHttps && parsed.protocol !== 'https:') {
    return { field: 'webhook.url', code: 'https_required', message: 'must be an https URL' };
  }
  if (policy.allowPrivateNetworks) return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const loopbackName = host === 'localhost' || host.endsWith('.localhost'); // RFC 6761
  const reason = loopbackName ? 'loopback' : blockedAddressReason(host);
  if (reason && reason !== 'not an IP address') {
    return {
      field: 'webhook.url',
      code: 'webhook_address_not_allowed',
      message: `must be a public address (${host} is ${reason})`,
    };
  }
  return undefined;
}

/** Throws the 400 naming `webhook.url` when a request's webhook URL breaks the policy. */
export function assertWebhookUrlAllowed(
  webhook: { url: string } | undefined,
  policy: WebhookUrlPolicy,
): void {
  const error = webhook && webhookUrlError(webhook.url, policy);
  if (error) throw ApiError.validation([error]);
}

export function webhookUrlPolicy(config: {
  NODE_ENV: string;
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: boolean;
}): WebhookUrlPolicy {
  return {
    requireHttps: config.NODE_ENV === 'production',
    allowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
  };
}
