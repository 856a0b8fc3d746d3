export { JwksController } from './jwks.controller';
export {
  SigningKeys,
  rotateSigningKey,
  ensureSigningKey,
  listSigningKeys,
  MAX_TOKEN_TTL_SECONDS,
  DEFAULT_SWITCH_DELAY_MS,
  RETIRED_KEY_PUBLISHED_MS,
  type RotateOptions,
  type KeyCreationOptions,
  type KeyPairGenerator,
  type RotationResult,
  type SigningKeySummary,
} from './signing-keys';
export {
  signJws,
  verifyJws,
  generateRsaKeyPair,
  InvalidJwsError,
  JWS_ALGORITHM,
  type PublicJwk,
} from './jws';
