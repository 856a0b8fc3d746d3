import { ConfigError, DEVELOPMENT_TOKEN_SECRET, loadConfig, redactUrl } from './config';
import { DEVELOPMENT_DATA_ENCRYPTION_KEYS } from './data-keys';

const SECRET = 'a-production-secret-of-32-bytes!';
const PREVIOUS = 'the-previous-secret-of-32-bytes!';
const KEY_2026 = Buffer.alloc(32, 7).toString('base64');
const KEY_2025 = Buffer.alloc(32, 9).toString('base64');
const KEYS = `k2026:${KEY_2026}`;

function problems(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
}

describe('loadConfig', () => {
  it('has defaults that work on a developer machine (NODE_ENV=development)', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/tender');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.TOKEN_SIGNING_SECRETS).toEqual([DEVELOPMENT_TOKEN_SECRET]);
    expect(config.ACCESS_TOKEN_TTL_SECONDS).toBe(900);
    expect(loadConfig({ NODE_ENV: 'test' }).TOKEN_SIGNING_SECRETS).toEqual([DEVELOPMENT_TOKEN_SECRET]);
  });

  it('names every bad variable in one clear message', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'test', PORT: 'abc', REDIS_URL: 'http://x', DATABASE_URL: 'mysql://x' }),
    ).toThrow(/PORT: .*\n.*DATABASE_URL: must be a postgresql:\/\/ URL\n.*REDIS_URL: must be a redis/s);
    expect(() => loadConfig({ NODE_ENV: 'test', PORT: '70000' })).toThrow(ConfigError);
  });

  it('defaults to production, which requires a token secret', () => {
    expect(problems({})).toMatch(/TOKEN_SIGNING_SECRET: required when NODE_ENV is production/);
    expect(problems({ NODE_ENV: 'production' })).toMatch(/TOKEN_SIGNING_SECRET: required/);
    expect(problems({ NODE_ENV: 'production', TOKEN_SIGNING_SECRET: '' })).toMatch(
      /TOKEN_SIGNING_SECRET: required/,
    );
    expect(loadConfig({ TOKEN_SIGNING_SECRET: SECRET, DATA_ENCRYPTION_KEYS: KEYS })).toMatchObject({
      NODE_ENV: 'production',
      TOKEN_SIGNING_SECRETS: [SECRET],
    });
  });

  it('refuses short secrets, counted in bytes, and never quotes them', () => {
    const short = 'x'.repeat(31);
    expect(problems({ NODE_ENV: 'production', TOKEN_SIGNING_SECRET: short })).toMatch(
      /TOKEN_SIGNING_SECRET: each secret must be at least 32 bytes/,
    );
    expect(problems({ NODE_ENV: 'production', TOKEN_SIGNING_SECRET: short })).not.toContain(short);
    // 16 two-byte characters are 32 bytes; 31 ASCII characters are not, in development either.
    expect(
      loadConfig({ TOKEN_SIGNING_SECRET: 'é'.repeat(16), DATA_ENCRYPTION_KEYS: KEYS }).TOKEN_SIGNING_SECRETS,
    ).toHaveLength(1);
    expect(problems({ NODE_ENV: 'development', TOKEN_SIGNING_SECRET: short })).toMatch(/at least 32 bytes/);
    expect(problems({ NODE_ENV: 'production', TOKEN_SIGNING_SECRET: `${SECRET},${short}` })).toMatch(
      /at least 32 bytes/,
    );
  });

  it('refuses the public development secret in production, even as the previous one', () => {
    for (const value of [DEVELOPMENT_TOKEN_SECRET, `${SECRET},${DEVELOPMENT_TOKEN_SECRET}`]) {
      expect(problems({ NODE_ENV: 'production', TOKEN_SIGNING_SECRET: value })).toMatch(
        /TOKEN_SIGNING_SECRET: the development secret is public/,
      );
    }
    expect(
      loadConfig({ NODE_ENV: 'development', TOKEN_SIGNING_SECRET: DEVELOPMENT_TOKEN_SECRET })
        .TOKEN_SIGNING_SECRETS,
    ).toEqual([DEVELOPMENT_TOKEN_SECRET]);
  });

  it('requires DATA_ENCRYPTION_KEYS in production, never quoting a key', () => {
    expect(problems({ TOKEN_SIGNING_SECRET: SECRET })).toMatch(
      /DATA_ENCRYPTION_KEYS: required when NODE_ENV is production/,
    );
    const config = loadConfig({
      TOKEN_SIGNING_SECRET: SECRET,
      DATA_ENCRYPTION_KEYS: ` ${KEYS} , k2025:${KEY_2025}`,
    });
    expect(config.DATA_ENCRYPTION_KEYS.map((k) => k.id)).toEqual(['k2026', 'k2025']);
    expect(config.DATA_ENCRYPTION_KEYS[0].key.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(config.DATA_ENCRYPTION_KEYS_DEFAULTED).toBe(false);
    const short = `k1:${Buffer.alloc(16, 1).toString('base64')}`;
    for (const [value, problem] of [
      [short, /key k1: must be 32 bytes/],
      [KEY_2026, /key 1: expected kid:base64key/],
      [`bad kid:${KEY_2026}`, /key 1: expected kid:base64key/],
      [`${KEYS},k2026:${KEY_2025}`, /key k2026: the kid appears twice/],
      [`k1:not*base64`, /key k1: must be 32 bytes/],
      [DEVELOPMENT_DATA_ENCRYPTION_KEYS, /the development key is public/],
    ] as const) {
      const message = problems({ TOKEN_SIGNING_SECRET: SECRET, DATA_ENCRYPTION_KEYS: value });
      expect(message).toMatch(problem);
      expect(message).not.toContain(value.split(':')[1] ?? value);
    }
  });

  it('uses the public development data key in development and test only', () => {
    for (const NODE_ENV of ['development', 'test']) {
      const config = loadConfig({ NODE_ENV });
      expect(config.DATA_ENCRYPTION_KEYS.map((k) => k.id)).toEqual(['dev']);
      expect(config.DATA_ENCRYPTION_KEYS_DEFAULTED).toBe(true);
    }
  });

  it('takes new,previous during a rotation: the first signs', () => {
    expect(
      loadConfig({
        NODE_ENV: 'production',
        TOKEN_SIGNING_SECRET: ` ${SECRET} , ${PREVIOUS}`,
        DATA_ENCRYPTION_KEYS: KEYS,
      }).TOKEN_SIGNING_SECRETS,
    ).toEqual([SECRET, PREVIOUS]);
    expect(
      problems({ NODE_ENV: 'production', TOKEN_SIGNING_SECRET: `${SECRET},${PREVIOUS},${SECRET}x` }),
    ).toMatch(/at most two/);
  });

  it('bounds the access token lifetime', () => {
    expect(problems({ NODE_ENV: 'test', ACCESS_TOKEN_TTL_SECONDS: '86401' })).toMatch(
      /ACCESS_TOKEN_TTL_SECONDS: must be <= 86400/,
    );
    expect(loadConfig({ NODE_ENV: 'test', ACCESS_TOKEN_TTL_SECONDS: '86400' }).ACCESS_TOKEN_TTL_SECONDS).toBe(
      86400,
    );
  });

  it('redacts passwords from URLs', () => {
    expect(redactUrl('postgresql://u:secret@h:5432/db')).toBe('postgresql://u:***@h:5432/db');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
