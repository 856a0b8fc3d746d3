import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import type { TenderConfig } from '@tender/config';
import { CONFIG } from '@tender/infra';
import { ApiError } from '../http/api-error';
import { InvalidAccessTokenError, toAuthenticatedClient, verifyAccessToken } from './access-token';
import { ClientRevocations } from './client-revocation';
import { PUBLIC_METADATA, SCOPES_METADATA, type AuthenticatedRequest } from './decorators';
import type { Scope } from '@tender/auth';
import { accessTokenKeys, type AccessTokenKeys } from './token-keys';

const REALM = 'realm="tender"';
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Checks `Authorization: Bearer <access token>` on handlers marked with `@Scopes(...)` and leaves
 * the client on the request (`@CurrentClient()`). It denies by default: handlers marked `@Public()`
 * pass, any other handler without `@Scopes` gets 403 `access_not_declared`.
 *
 * AuthModule registers it as a global guard (APP_GUARD), so controllers only need `@Scopes`.
 * Tokens are verified with the signing secret(s) (access-token.ts), then their client is checked
 * not to be revoked (client-revocation.ts: a Redis read, Postgres at most every 5 s per client).
 *
 * Errors are problem+json (RFC 9457) with RFC 6750 challenges: 401 `unauthorized` for a missing,
 * malformed, tampered, expired or revoked token, 403 `insufficient_scope` for a token without the scope.
 */
@Injectable()
export class ScopesGuard implements CanActivate {
  private readonly keys: AccessTokenKeys;

  constructor(
    private readonly reflector: Reflector,
    private readonly revocations: ClientRevocations,
    @Inject(CONFIG) config: TenderConfig,
  ) {
    this.keys = accessTokenKeys(config.TOKEN_SIGNING_SECRETS);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_METADATA, targets);
    if (!required) {
      if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, targets)) return true;
      throw new ApiError(
        403,
        'access_not_declared',
        'Forbidden',
        'This route declares neither the scopes it requires nor that it is public.',
      );
    }
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const response = http.getResponse<Response>();

    const header = request.headers.authorization;
    const match = header ? BEARER.exec(header) : null;
    if (!match) {
      // RFC 6750 §3.1: no error code when the request carried no (bearer) credentials at all.
      const malformed = header !== undefined && /^Bearer(\s|$)/i.test(header);
      response.setHeader(
        'WWW-Authenticate',
        malformed
          ? `Bearer ${REALM}, error="invalid_token", error_description="Malformed bearer token"`
          : `Bearer ${REALM}`,
      );
      throw new ApiError(
        401,
        'unauthorized',
        'Unauthorized',
        'Send an access token: Authorization: Bearer <token>.',
      );
    }

    let client;
    try {
      client = toAuthenticatedClient(await verifyAccessToken(this.keys, match[1]));
      if (await this.revocations.isRevoked(client.clientId)) {
        throw new InvalidAccessTokenError('revoked', 'The client of the access token is revoked.');
      }
    } catch (error) {
      if (!(error instanceof InvalidAccessTokenError)) throw error;
      response.setHeader(
        'WWW-Authenticate',
        `Bearer ${REALM}, error="invalid_token", error_description="${error.message.replace(/\.$/, '')}"`,
      );
      throw new ApiError(401, 'unauthorized', 'Unauthorized', error.message);
    }

    if (!required.some((scope) => client.scopes.includes(scope))) {
      response.setHeader(
        'WWW-Authenticate',
        `Bearer ${REALM}, error="insufficient_scope", scope="${required.join(' ')}"`,
      );
      throw new ApiError(
        403,
        'insufficient_scope',
        'Forbidden',
        `This operation requires an access token with the scope ${required.join(' or ')}.`,
      );
    }
    request.auth = client;
    return true;
  }
}
