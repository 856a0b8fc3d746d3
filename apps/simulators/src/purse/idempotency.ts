import { createHash } from 'node:crypto';
import type { IdempotencyRecord, PurseState } from './books';
import { problem, type SimResponse } from './problems';

/**
 * `Idempotency-Key` on the Purse POST routes. The seed only names a 409 "Conflict - Idempotency
 * violation" and no header, so the simulator follows the common convention:
 *
 * - Scope: per OAuth client. A key is bound to the method, path and body of its first request.
 * - Same key, same method + path + JSON body (key order ignored) → the stored answer is replayed
 *   (same status and body, as it was then) with `Idempotent-Replayed: true`.
 * - Same key, anything different → 409 problem `urn:purse:problem:idempotency-violation`.
 * - Every answer below 500 is stored (4xx included); keys never expire until `/_sim/reset`.
 * - No key: no protection, a repeated POST books a second operation.
 */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(canonical(body ?? null))}`)
    .digest('hex');
}

/**
 * Runs `handle` under the key, or replays / refuses. `handle` returns the answer and, when it
 * concerns a payment, its id (so replays can be counted on that payment).
 */
export function withIdempotency(
  state: PurseState,
  request: {
    clientId: string;
    key: string | undefined;
    method: string;
    path: string;
    body: unknown;
    now: Date;
  },
  handle: () => { answer: SimResponse; paymentId?: string },
): { answer: SimResponse; replayed: boolean; changed: boolean } {
  if (request.key === undefined) return { ...handle(), replayed: false, changed: true };
  if (request.key.length === 0 || request.key.length > 255) {
    return {
      answer: problem('invalidRequest', `${IDEMPOTENCY_HEADER} must be 1 to 255 characters`, [
        { name: IDEMPOTENCY_HEADER, reason: 'invalid length' },
      ]),
      replayed: false,
      changed: false,
    };
  }
  const scopeKey = `${request.clientId} ${request.key}`;
  const fingerprint = requestFingerprint(request.method, request.path, request.body);
  const existing = state.idempotency[scopeKey];
  if (existing) {
    if (existing.fingerprint !== fingerprint) {
      return {
        answer: problem(
          'idempotencyViolation',
          `${IDEMPOTENCY_HEADER} "${request.key}" was already used with a different request`,
        ),
        replayed: false,
        changed: false,
      };
    }
    existing.hits += 1;
    state.idempotencyHits += 1;
    const payment = existing.payment_id ? state.payments[existing.payment_id] : undefined;
    if (payment) payment.idempotency_hits += 1;
    return {
      answer: {
        status: existing.status,
        body: existing.body,
        headers: { ...existing.headers, 'Idempotent-Replayed': 'true' },
      },
      replayed: true,
      changed: true,
    };
  }
  const { answer, paymentId } = handle();
  if (answer.status < 500) {
    const record: IdempotencyRecord = {
      fingerprint,
      status: answer.status,
      // a copy: the stored answer must not follow later changes of the payment
      body: structuredClone(answer.body),
      headers: answer.headers,
      payment_id: paymentId,
      created_at: request.now.toISOString(),
      hits: 0,
    };
    state.idempotency[scopeKey] = record;
  }
  return { answer, replayed: false, changed: true };
}
