/** The idempotency_key store against a real Postgres: claim, take over, recovery point, release, purge. */
import { randomUUID } from 'node:crypto';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  createDatabase,
  findIdempotencyKey,
  idempotencyRecoveryPoint,
  purgeExpiredIdempotencyKeys,
  releaseIdempotencyKey,
  takeOverIdempotencyKey,
} from '@tender/persistence';
import { TEST_DATABASE_URL } from '../support/env';

describe('idempotency keys in Postgres', () => {
  const db = createDatabase(TEST_DATABASE_URL, 2);
  afterAll(() => db.end());
  const clientId = `client-${randomUUID()}`;
  const now = new Date();
  const claim = (key: string, at = now, expiresAt = new Date(at.getTime() + 3600_000)) =>
    claimIdempotencyKey(db, {
      clientId,
      key,
      method: 'POST',
      path: '/v2/payments',
      requestHash: 'h',
      now: at,
      expiresAt,
    });

  it('claims a key once; a live key is not claimed again, an expired one is replaced', async () => {
    const first = await claim('k1');
    expect(first).toBeDefined();
    expect(await claim('k1')).toBeUndefined();
    await completeIdempotencyKey(db, first!, 201, '{"id":"p"}');
    expect(await findIdempotencyKey(db, clientId, 'k1')).toMatchObject({
      state: 'COMPLETED',
      responseStatus: 201,
      responseBody: '{"id":"p"}',
    });

    const expiring = await claim(
      'k2',
      new Date(now.getTime() - 7200_000),
      new Date(now.getTime() - 3600_000),
    );
    const renewed = await claim('k2');
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(expiring);
    expect(await findIdempotencyKey(db, clientId, 'k2')).toMatchObject({
      state: 'IN_PROGRESS',
      responseBody: null,
    });
  });

  it('takes over only a key whose holder is presumed dead', async () => {
    const id = (await claim('k3'))!;
    expect(await takeOverIdempotencyKey(db, id, now, new Date(now.getTime() - 1000))).toBe(false);
    expect(await takeOverIdempotencyKey(db, id, now, new Date(now.getTime() + 1000))).toBe(true);
  });

  it('release forgets a key with nothing written, and unlocks one past its recovery point', async () => {
    const fresh = (await claim('k4'))!;
    await releaseIdempotencyKey(db, fresh);
    expect(await findIdempotencyKey(db, clientId, 'k4')).toBeUndefined();

    const written = (await claim('k5'))!;
    const point = idempotencyRecoveryPoint(written, 'payment_created', 'p-1');
    await db.query(point.sql, point.values);
    await releaseIdempotencyKey(db, written);
    expect(await findIdempotencyKey(db, clientId, 'k5')).toMatchObject({
      state: 'IN_PROGRESS',
      recoveryPoint: 'payment_created',
      resourceId: 'p-1',
    });
    const [row] = await db.query<{ locked_at: Date | null }>(
      'SELECT locked_at FROM idempotency_key WHERE id = $1',
      [written],
    );
    expect(row.locked_at).toBeNull();
  });

  it('purges the keys past their expiry only', async () => {
    await claim('k6', new Date(now.getTime() - 7200_000), new Date(now.getTime() - 3600_000));
    expect(await purgeExpiredIdempotencyKeys(db, now)).toBeGreaterThanOrEqual(1);
    expect(await findIdempotencyKey(db, clientId, 'k6')).toBeUndefined();
    expect(await findIdempotencyKey(db, clientId, 'k5')).toBeDefined();
  });
});
