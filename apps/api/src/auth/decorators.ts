import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthenticatedClient, Scope } from '@tender/auth';

export const SCOPES_METADATA = 'tender:auth:scopes';
export const PUBLIC_METADATA = 'tender:auth:public';

/**
 * Protects a handler (or every handler of a controller) with an access token carrying ANY of the
 * given scopes: `@Scopes('back_office')`, `@Scopes('front_office', 'back_office')`. A handler's
 * decorator overrides its controller's. A handler with neither `@Scopes` nor {@link Public} is
 * refused (403), and the API refuses to start with one (access-declarations.ts).
 */
export const Scopes = (...scopes: [Scope, ...Scope[]]) => SetMetadata(SCOPES_METADATA, scopes);

/**
 * Marks a handler (or every handler of a controller) as reachable without an access token: the
 * token endpoint, JWKS, health, docs, partner webhooks (signed), hosted-page returns.
 */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);

/** Where the guard leaves the authenticated client on the Express request. */
export type AuthenticatedRequest = Request & { auth?: AuthenticatedClient };

/** The client of a request that went through the guard (for interceptors, filters…). */
export function getAuthenticatedClient(request: Request): AuthenticatedClient | undefined {
  return (request as AuthenticatedRequest).auth;
}

/**
 * The client whose token authorized the request: `@CurrentClient() client: AuthenticatedClient`.
 * Only meaningful on handlers protected by {@link Scopes}; elsewhere it throws (a programming error).
 */
export const CurrentClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedClient => {
    const client = getAuthenticatedClient(context.switchToHttp().getRequest<Request>());
    if (!client) throw new Error('@CurrentClient() used on a handler that is not protected by @Scopes(...)');
    return client;
  },
);
