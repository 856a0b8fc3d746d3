import { ApiError } from '../http/api-error';

/**
 * `shopper_redirection_url` in production must be https: the shopper lands there with the
 * `purse-redirection-data` token in the query, which must not travel in clear.
 */
export function assertShopperRedirectionUrlAllowed(
  url: string | undefined,
  policy: { requireHttps: boolean },
): void {
  if (url === undefined || !policy.requireHttps || new URL(url).protocol === 'https:') return;
  throw ApiError.validation([
    { field: 'shopper_redirection_url', code: 'https_required', message: 'must be an https URL' },
  ]);
}
