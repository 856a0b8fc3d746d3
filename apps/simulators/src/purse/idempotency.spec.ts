import { initialPurseState } from './books';
import { requestFingerprint, withIdempotency } from './idempotency';

describe('Purse idempotency', () => {
  const now = new Date('2025-01-01T00:00:00Z');

  it('fingerprints ignore key order but not values, paths or methods', () => {
    const a = requestFingerprint('POST', '/v2/payments', { a: 1, b: { c: 2, d: 3 } });
    expect(requestFingerprint('POST', '/v2/payments', { b: { d: 3, c: 2 }, a: 1 })).toBe(a);
    expect(requestFingerprint('POST', '/v2/payments', { a: 2, b: { c: 2, d: 3 } })).not.toBe(a);
    expect(requestFingerprint('POST', '/v2/payments/x/captures', { a: 1, b: { c: 2, d: 3 } })).not.toBe(a);
  });

  it('runs once, replays the same answer, refuses a different body with 409', () => {
    const state = initialPurseState();
    let runs = 0;
    const handle = () => {
      runs += 1;
      return { answer: { status: 201, body: { run: runs } } };
    };
    const request = { clientId: 'c', key: 'k1', method: 'POST', path: '/v2/payments', body: { x: 1 }, now };
    const first = withIdempotency(state, request, handle);
    const second = withIdempotency(state, request, handle);
    expect(runs).toBe(1);
    expect(second.replayed).toBe(true);
    expect(second.answer.body).toEqual(first.answer.body);
    expect(second.answer.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    const conflict = withIdempotency(state, { ...request, body: { x: 2 } }, handle);
    expect(conflict.answer.status).toBe(409);
    expect(runs).toBe(1);
    expect(state.idempotencyHits).toBe(1);
  });

  it('scopes keys per client and runs every time without a key', () => {
    const state = initialPurseState();
    let runs = 0;
    const handle = () => ({ answer: { status: 201, body: { run: ++runs } } });
    const request = { clientId: 'c', key: 'k1', method: 'POST', path: '/p', body: {}, now };
    withIdempotency(state, request, handle);
    withIdempotency(state, { ...request, clientId: 'other' }, handle);
    withIdempotency(state, { ...request, key: undefined }, handle);
    withIdempotency(state, { ...request, key: undefined }, handle);
    expect(runs).toBe(4);
  });
});
