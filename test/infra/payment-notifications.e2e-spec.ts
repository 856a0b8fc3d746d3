/**
 * PaymentNotifications against a real Redis: a request that listens before making its change hears
 * every signal the change causes, however fast the worker is, and a wait ends on the first check,
 * a signal, a poll, or its deadline.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { PaymentNotifications } from '@tender/infra';
import { TEST_REDIS_URL } from '../support/env';

describe('PaymentNotifications', () => {
  const redis = new Redis(TEST_REDIS_URL);
  const notifications = new PaymentNotifications(redis, {
    QUEUE_PREFIX: `notifications-test-${randomUUID()}`,
  } as TenderConfig);
  afterAll(async () => {
    await notifications.onModuleDestroy();
    await redis.quit();
  });

  it('hears a signal sent between listen() and until(), with the state it carried', async () => {
    const paymentId = randomUUID();
    const listener = await notifications.listen(paymentId);
    try {
      // The "worker" answers before the request starts waiting.
      await notifications.notify([paymentId], {
        state: { status: 'AUTHORIZED', needsShopper: false, operations: {} },
      });
      const heard = await listener.until(
        (states) =>
          Promise.resolve(states.some((s) => s.status === 'AUTHORIZED') ? states.length : undefined),
        10_000,
        60_000, // no poll could explain it: only the signal can
      );
      expect(heard).toBe(1);
    } finally {
      await listener.close();
    }
  });

  it('ends with undefined at the deadline, having re-checked on a poll without signals', async () => {
    let checks = 0;
    const listener = await notifications.listen(randomUUID());
    try {
      const result = await listener.until(
        (states) => {
          checks++;
          expect(states).toEqual([]);
          return Promise.resolve(undefined);
        },
        300,
        50,
      );
      expect(result).toBeUndefined();
      expect(checks).toBeGreaterThanOrEqual(1);
    } finally {
      await listener.close();
    }
  });

  it('waitFor answers from its first check without waiting', async () => {
    const found = await notifications.waitFor(randomUUID(), () => Promise.resolve('already decided'), 60_000);
    expect(found).toBe('already decided');
  });
});
