/**
 * Partner credentials are printed with every secret value replaced by {@link MASK}. Deny by
 * default: a value is shown only when its key names something public (an endpoint, an id, a
 * user name) and nothing secret.
 */
export const MASK = '********';

const SECRET_KEY = /secret|passw|pwd|token|private|signing|credential|cert|salt|key$/i;
const PUBLIC_KEY =
  /^(endpoint|url|host|port|environment|env|region|mode|currency|name|username|user|login|store_?code|.*(Url|_url|Id|_id|Ids|_ids|Code|_code))$|^id$/;

function isPublicKey(key: string): boolean {
  return PUBLIC_KEY.test(key) && !SECRET_KEY.test(key);
}

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
