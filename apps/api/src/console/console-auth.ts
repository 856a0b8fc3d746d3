import { timingSafeEqual } from 'node:crypto';
import {
  applyDecorators,
  createParamDecorator,
  Injectable,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/decorators';
import { ApiError } from '../http/api-error';
import { InternalApi } from '../openapi/internal-api';
import { OperatorSessions, type ConsoleOperator } from './operator-sessions';

/**
 * Who may do what in the console:
 * - a session cookie (HttpOnly, SameSite=Strict, Secure in production, path /console) names the operator;
 * - every state-changing request carries the session's CSRF token in `X-CSRF-Token` (and a JSON
 *   body: a cross-site form cannot send one without a CORS preflight we never grant);
 * - viewers read; only operators act.
 *
 * Merchant access tokens play no part: console routes are `@Public()` for the global ScopesGuard
 * (it never reads their Authorization header), and {@link OperatorSessionGuard} admits the cookie only.
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
  if (!operator) throw new Error('currentOperator outside OperatorSessionGuard');
  return operator;
}

const unauthorized = () =>
  new ApiError(
    401,
    'unauthorized',
    'Unauthorized',
    'Sign in to the console first (or again: the session ended).',
  );

const httpOf = (context: ExecutionContext) => ({
  request: context.switchToHttp().getRequest<Request>(),
  response: context.switchToHttp().getResponse<Response>(),
});

/** Console API answers (errors included) are never stored by a cache. */
@Injectable()
export class NoStoreGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    httpOf(context).response.setHeader('Cache-Control', 'no-store');
    return true;
  }
}

/** 401 without a live session; otherwise the operator is {@link currentOperator}. */
@Injectable()
export class OperatorSessionGuard implements CanActivate {
  constructor(private readonly sessions: OperatorSessions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { request } = httpOf(context);
    const token = sessionToken(request);
    const operator = token ? await this.sessions.find(token) : undefined;
    if (!operator) throw unauthorized();
    operators.set(request, operator);
    return true;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 403 on a state-changing request without the session's CSRF token; 415 without a JSON body type. */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { request } = httpOf(context);
    if (SAFE_METHODS.has(request.method)) return true;
    const given = Buffer.from(String(request.headers[CSRF_HEADER] ?? ''));
    const expected = Buffer.from(currentOperator(request).csrfToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError(403, 'csrf_token_invalid', 'Forbidden', `Missing or wrong ${CSRF_HEADER} header.`);
    }
    const notJson = requireJson(request);
    if (notJson) throw notJson;
    return true;
  }
}

/** Console POSTs are JSON only (an empty body included): no form can be posted cross-site. */
export function requireJson(request: Request): ApiError | undefined {
  if (request.is('application/json')) return undefined;
  return new ApiError(415, 'unsupported_media_type', 'Unsupported media type', 'Send application/json.');
}

/** 403 for viewers: they read only. */
@Injectable()
export class OperatorRoleGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (currentOperator(httpOf(context).request).role === 'operator') return true;
    throw new ApiError(
      403,
      'forbidden',
      'Forbidden',
      'Viewers can read only: this action needs the operator role.',
    );
  }
}

const CONSOLE_REASON =
  'The operator console (apps/console): its page, bundle and internal JSON API under /console/api, ' +
  'authenticated by an operator session cookie with a CSRF token, not by merchant tokens. Not part of the merchant API.';

/**
 * A console controller: internal (out of the merchant OpenAPI document), reachable without a
 * merchant token (`@Public()` for the ScopesGuard: the console authenticates by its own cookie),
 * its answers `no-store` (errors included: that guard runs first). `'operator-session'`: every
 * handler needs a signed-in operator ({@link OperatorSession}); `'open'`: the page, the sign-in, or
 * handlers that say so themselves.
 */
export const ConsoleController = (access: 'operator-session' | 'open') =>
  applyDecorators(
    InternalApi(CONSOLE_REASON),
    Public(),
    UseGuards(NoStoreGuard, ...(access === 'operator-session' ? [OperatorSessionGuard, CsrfGuard] : [])),
  );

/** A signed-in operator's route (the session cookie; the CSRF token on state-changing requests). */
export const OperatorSession = () => UseGuards(OperatorSessionGuard, CsrfGuard);

/** An action: the operator role (viewers read only). On a handler: it runs after the controller's guards. */
export const OperatorRole = () => UseGuards(OperatorRoleGuard);

/** The operator of a request behind {@link OperatorSession}: `@CurrentOperator() operator: ConsoleOperator`. */
export const CurrentOperator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ConsoleOperator =>
    currentOperator(context.switchToHttp().getRequest<Request>()),
);
