export { RedirectionController, statusPage } from './redirection.controller';
export {
  RedirectionTokens,
  redirectionUrl,
  redirectionClaims,
  REDIRECTION_PARAMETER,
  REDIRECTION_TOKEN_ISSUER,
  REDIRECTION_TOKEN_TTL_SECONDS,
  type RedirectionClaims,
  type RedirectedPayment,
} from './redirection-token';
