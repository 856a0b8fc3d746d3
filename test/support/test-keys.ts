import { TEST_DATA_ENCRYPTION_KEYS } from './env';

/**
 * Every end-to-end suite encrypts secrets at rest with the same test key, whether it builds its
 * config through TestStack or from process.env (the auth, CLI and token suites): they share one
 * database, and a row one suite encrypted (a JWS signing key, say) must decrypt in the next.
 */
process.env.DATA_ENCRYPTION_KEYS ??= TEST_DATA_ENCRYPTION_KEYS;
