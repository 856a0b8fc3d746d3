import { isPublicCredentialKey as isPublicKey } from '@tender/persistence/stored-secrets';

/**
 * Partner credentials are printed with every secret value replaced by {@link MASK}. Deny by
 * default: a value is shown only when its key names something public (an endpoint, an id, a
 * user name) and nothing secret.
 */
export const MASK = '********';

function maskValue(value: unknown, showLeaves: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => maskValue(item, showLeaves));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, maskValue(item, isPublicKey(key))]),
    );
  }
  if (value === null || showLeaves) return value;
  return MASK;
}

/** A copy of `credentials` safe to print. */
export function maskCredentials(credentials: unknown): unknown {
  return maskValue(credentials, false);
}
