/**
 * Private members of a JSON Web Key (RFC 7518 §6.2.2 RSA, §6.2.1 EC `d`, §6.4 `k` of a symmetric
 * key). Short names that mean other things elsewhere: censored only inside a JWK-ish object, one
 * with a string `kty`, never as keys of any logged object.
 */
export const PRIVATE_JWK_FIELDS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;

const MAX_DEPTH = 6;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * `value` with the private members of every JWK in it (up to a few levels deep, arrays included)
 * replaced by `censor`. The logged object itself is never changed: what holds a JWK is copied.
 */
export function redactPrivateJwkFields<T>(value: T, censor = '[redacted]', depth = 0): T {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    (value as unknown[]).forEach((item, i) => {
      const redacted = redactPrivateJwkFields(item, censor, depth + 1);
      if (redacted !== item) (copy ??= [...value])[i] = redacted;
    });
    return (copy ?? value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  const isJwk = typeof value.kty === 'string';
  for (const [key, item] of Object.entries(value)) {
    const redacted =
      isJwk && (PRIVATE_JWK_FIELDS as readonly string[]).includes(key)
        ? censor
        : redactPrivateJwkFields(item, censor, depth + 1);
    if (redacted !== item) (copy ??= { ...value })[key] = redacted;
  }
  return (copy ?? value) as T;
}
