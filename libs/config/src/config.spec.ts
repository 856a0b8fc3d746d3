import { ConfigError, loadConfig, redactUrl } from './config';

describe('loadConfig', () => {
  it('has defaults that work on a developer machine', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/tender');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.TOKEN_SIGNING_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('names every bad variable in one clear message', () => {
    expect(() => loadConfig({ PORT: 'abc', REDIS_URL: 'http://x', DATABASE_URL: 'mysql://x' })).toThrow(
      /PORT: .*\n.*DATABASE_URL: must be a postgresql:\/\/ URL\n.*REDIS_URL: must be a redis/s,
    );
    expect(() => loadConfig({ PORT: '70000' })).toThrow(ConfigError);
  });

  it('requires a real token secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /TOKEN_SIGNING_SECRET: required in production/,
    );
    expect(
      loadConfig({ NODE_ENV: 'production', TOKEN_SIGNING_SECRET: 'x'.repeat(32) }).TOKEN_SIGNING_SECRET,
    ).toBe('x'.repeat(32));
  });

  it('redacts passwords from URLs', () => {
    expect(redactUrl('postgresql://u:secret@h:5432/db')).toBe('postgresql://u:***@h:5432/db');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
