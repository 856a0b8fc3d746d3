export { AuthModule } from './auth.module';
export { ScopesGuard } from './scopes.guard';
export {
  Scopes,
  Public,
  CurrentClient,
  getAuthenticatedClient,
  SCOPES_METADATA,
  PUBLIC_METADATA,
  type AuthenticatedRequest,
} from './decorators';
export { SCOPES, isScope, normalizeScopes, type Scope, type AuthenticatedClient } from '@tender/auth';
export { ClientCredentialsService, type TokenResponse } from './client-credentials.service';
export { ClientRevocations } from './client-revocation';
export { accessTokenKeys, keyId, type AccessTokenKeys } from './token-keys';
export {
  ACCESS_TOKEN_ISSUER,
  issueAccessToken,
  verifyAccessToken,
  InvalidAccessTokenError,
  type AccessTokenClaims,
} from './access-token';
