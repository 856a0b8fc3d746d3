import { Inject, Injectable } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CONFIG } from '@tender/infra';
import { PrismaClient } from '@tender/persistence';
import { issueAccessToken } from './access-token';
import { isClientIdFormat, MAX_SECRET_LENGTH, verifyClientSecret } from '@tender/auth';
import { invalidClient, OAuthError } from './oauth-error';
import { normalizeScopes, SCOPES, type Scope } from '@tender/auth';
import { accessTokenKeys, type AccessTokenKeys } from './token-keys';
import type { TokenRequest } from './token-request';

/** RFC 6749 §5.1 successful response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** The client credentials grant: authenticates the client, narrows the scopes, issues a JWT. */
@Injectable()
export class ClientCredentialsService {
  private readonly keys: AccessTokenKeys;

  constructor(
    private readonly prisma: PrismaClient,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {
    this.keys = accessTokenKeys(config.TOKEN_SIGNING_SECRETS);
  }

  async issue(request: TokenRequest): Promise<TokenResponse> {
    const { clientId, clientSecret, viaBasic } = request.credentials;
    const client =
      isClientIdFormat(clientId) && clientSecret.length <= MAX_SECRET_LENGTH
        ? await this.prisma.apiClient.findUnique({
            where: { id: clientId },
            select: { id: true, entityId: true, secretHash: true, scopes: true, revokedAt: true },
          })
        : null;
    // Always one scrypt computation (against a dummy hash for unknown ids): no timing oracle on ids.
    const secretMatches = await verifyClientSecret(clientSecret, client?.secretHash ?? null);
    if (!client || !secretMatches || client.revokedAt) throw invalidClient(viaBasic);

    const allowed = normalizeScopes(client.scopes);
    const scopes = request.scope === undefined ? allowed : this.narrow(request.scope, allowed);
    if (scopes.length === 0) throw new OAuthError('invalid_scope', 'The client has no scope.');

    const ttl = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const { token } = await issueAccessToken(this.keys, {
      clientId: client.id,
      entityId: client.entityId,
      scopes,
      ttlSeconds: ttl,
    });
    return { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: scopes.join(' ') };
  }

  private narrow(requested: string, allowed: Scope[]): Scope[] {
    const tokens = requested.trim().split(/\s+/);
    for (const token of tokens) {
      if (!(SCOPES as readonly string[]).includes(token)) {
        throw new OAuthError(
          'invalid_scope',
          `Unknown scope ${token.slice(0, 64).replace(/[^\x20-\x7e]|["\\]/g, '?')}.`,
        );
      }
      if (!allowed.includes(token as Scope)) {
        throw new OAuthError('invalid_scope', `The scope ${token} is not granted to this client.`);
      }
    }
    return normalizeScopes(tokens);
  }
}
