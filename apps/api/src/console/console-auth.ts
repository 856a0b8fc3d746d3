import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../http/api-error';
import type { ConsoleOperator, OperatorSessions } from './operator-sessions';

/**
 * Who may do what in the console:
 * - a session cookie (HttpOnly, SameSite=Strict, Secure in production, path /console) names the operator;
 * - every state-changing request carries the session's CSRF token in `X-CSRF-Token` (and a JSON
 *   body: a cross-site form cannot send one without a CORS preflight we never grant);
 * - viewers read; only operators act.
 */
export const SESSION_COOKIE = 'tender_console_session';
export const CSRF_HEADER = 'x-csrf-token';
export const CONSOLE_PATH = '/console';

export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    `Path=${CONSOLE_PATH}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}

/** The session cookie's value, if the request has one. */
export function sessionToken(request: Request): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

const operators = new WeakMap<Request, ConsoleOperator>();

export function currentOperator(request: Request): ConsoleOperator {
  const operator = operators.get(request);
  if (!operator) throw new Error('currentOperator outside requireSession');
  return operator;
}

const unauthorized = () =>
  new ApiError(
    401,
    'unauthorized',
    'Unauthorized',
    'Sign in to the console first (or again: the session ended).',
  );

/** 401 without a live session; otherwise the operator is {@link currentOperator}. */
export function requireSession(sessions: OperatorSessions) {
  return async (request: Request, _response: Response, next: NextFunction): Promise<void> => {
    const token = sessionToken(request);
    const operator = token ? await sessions.find(token) : undefined;
    if (!operator) return next(unauthorized());
    operators.set(request, operator);
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 403 on a state-changing request without the session's CSRF token; 415 without a JSON body type. */
export function requireCsrf(request: Request, _response: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(request.method)) return next();
  const given = Buffer.from(String(request.headers[CSRF_HEADER] ?? ''));
  const expected = Buffer.from(currentOperator(request).csrfToken);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return next(
      new ApiError(403, 'csrf_token_invalid', 'Forbidden', `Missing or wrong ${CSRF_HEADER} header.`),
    );
  }
  next(requireJson(request));
}

/** Console POSTs are JSON only (an empty body included): no form can be posted cross-site. */
export function requireJson(request: Request): ApiError | undefined {
  if (request.is('application/json')) return undefined;
  return new ApiError(415, 'unsupported_media_type', 'Unsupported media type', 'Send application/json.');
}

/** 403 for viewers: they read only. */
export function requireOperatorRole(request: Request, _response: Response, next: NextFunction): void {
  if (currentOperator(request).role === 'operator') return next();
  next(
    new ApiError(
      403,
      'forbidden',
      'Forbidden',
      'Viewers can read only: this action needs the operator role.',
    ),
  );
}
