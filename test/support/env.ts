/** Where the end-to-end suites find their infrastructure. The test database is created fresh by global-setup. */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tender_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The data encryption key of the test stacks (public, like the development one). */
export const TEST_DATA_ENCRYPTION_KEYS =
  process.env.TEST_DATA_ENCRYPTION_KEYS ?? 'test:/292dlwhFXVqhQ3MYulhpnvNlFBMCVH1M1X4MAurl3I=';
