/**
 * OAuth2 scopes of Tender's API clients.
 *
 * - `back_office`: the merchant's server (creates client sessions and payments, captures, refunds…).
 * - `front_office`: code running closer to the shopper (checkout pages) with a narrower reach.
 */
export const SCOPES = ['front_office', 'back_office'] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** The known scopes among `values`, deduplicated, in the canonical order of {@link SCOPES}. */
export function normalizeScopes(values: Iterable<string>): Scope[] {
  const given = new Set(values);
  return SCOPES.filter((scope) => given.has(scope));
}

/** The client an access token was issued to, as seen by a controller. */
export interface AuthenticatedClient {
  clientId: string;
  entityId: string;
  scopes: Scope[];
}
