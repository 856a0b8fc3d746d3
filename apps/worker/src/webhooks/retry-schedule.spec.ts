import { loadConfig } from '@tender/config';
import { retryDelayMs } from './retry-schedule';

describe('merchant webhook retry schedule', () => {
  const { WEBHOOK_RETRY_SCHEDULE_MS: schedule, WEBHOOK_RETRY_JITTER: jitter } = loadConfig({
    NODE_ENV: 'test',
  });

  it('defaults to 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h: about three days, ± 20 %', () => {
    const s = 1000;
    const h = 3600 * s;
    expect(schedule).toEqual([5 * s, 300 * s, 1800 * s, 2 * h, 5 * h, 10 * h, 14 * h, 20 * h, 24 * h]);
    expect(jitter).toBe(0.2);
    const total = schedule.reduce((sum, delay) => sum + delay, 0);
    expect(total / (24 * h)).toBeGreaterThan(3);
    expect(total / (24 * h)).toBeLessThan(3.5);
  });

  it('gives the delay after each failed attempt, then nothing (give up)', () => {
    const half = () => 0.5; // no jitter
    expect(retryDelayMs(schedule, 1, jitter, half)).toBe(5000);
    expect(retryDelayMs(schedule, 9, jitter, half)).toBe(24 * 3600 * 1000);
    expect(retryDelayMs(schedule, 10, jitter, half)).toBeUndefined();
    expect(retryDelayMs(schedule, 0, jitter, half)).toBeUndefined();
  });

  it('jitters within ± the configured ratio', () => {
    expect(retryDelayMs([1000], 1, 0.2, () => 0)).toBe(800);
    expect(retryDelayMs([1000], 1, 0.2, () => 0.999999)).toBe(1200);
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs([300_000], 1, 0.2)!;
      expect(delay).toBeGreaterThanOrEqual(240_000);
      expect(delay).toBeLessThanOrEqual(360_000);
    }
  });

  it('is configurable as a comma list', () => {
    expect(
      loadConfig({ NODE_ENV: 'test', WEBHOOK_RETRY_SCHEDULE_MS: '10, 20,30' }).WEBHOOK_RETRY_SCHEDULE_MS,
    ).toEqual([10, 20, 30]);
    expect(() => loadConfig({ NODE_ENV: 'test', WEBHOOK_RETRY_SCHEDULE_MS: '10,x' })).toThrow(
      /WEBHOOK_RETRY_SCHEDULE_MS/,
    );
  });
});
