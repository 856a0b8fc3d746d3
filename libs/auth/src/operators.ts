import { createHash, randomBytes } from 'node:crypto';
import { hashClientSecret, verifyClientSecret } from './client-secret';

/**
 * Operator console accounts, shared by the API (sign-in) and the CLI (`tender operator create`):
 * roles, passwords (salted scrypt, the parameters stored with the hash, as for client secrets),
 * session and CSRF tokens. No framework, no database.
 */
export const OPERATOR_ROLES = ['viewer', 'operator'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export function isOperatorRole(value: string): value is OperatorRole {
  return (OPERATOR_ROLES as readonly string[]).includes(value);
}

/** Shortest password `operator create --password` accepts. */
export const MIN_OPERATOR_PASSWORD_LENGTH = 12;

/** 18 random bytes, 24 URL-safe characters: printed once by `operator create`. */
export function generateOperatorPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** `scrypt$N$r$p$salt$hash`. */
export function hashOperatorPassword(password: string): Promise<string> {
  return hashClientSecret(password);
}

/** Pass `null` for an unknown email: a dummy hash is checked so the timing does not tell. */
export function verifyOperatorPassword(password: string, stored: string | null): Promise<boolean> {
  return verifyClientSecret(password, stored);
}

/** The cookie's value: 32 random bytes. Only its {@link hashSessionToken} is stored. */
export function generateSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Per session; the page sends it back in `X-CSRF-Token` on every state-changing request. */
export function generateCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Lower-cased and trimmed; `null` unless it looks like an email address. */
export function normalizeEmail(value: string): string | null {
  const email = value.trim().toLowerCase();
  return /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]+$/.test(email) && email.length <= 320 ? email : null;
}
