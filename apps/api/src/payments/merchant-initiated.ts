import type { AuthenticatedClient } from '../auth';
import { ApiError } from '../http/api-error';
import type { SplitEntry } from './payment.schemas';

/**
 * A merchant-initiated charge (a split entry reusing a parent payment's stored credential through
 * `parent_payment_id`) charges the shopper without the shopper: only the merchant's server
 * (`back_office`) may ask for it, never code running near the shopper (`front_office`).
 */
export function assertMayChargeMerchantInitiated(
  client: AuthenticatedClient,
  split: readonly SplitEntry[],
): void {
  const at = split.findIndex((entry) => 'parent_payment_id' in entry);
  if (at < 0 || client.scopes.includes('back_office')) return;
  throw new ApiError(
    403,
    'insufficient_scope',
    'Forbidden',
    `split[${at}].parent_payment_id: a merchant-initiated charge requires an access token with the scope back_office.`,
  );
}
