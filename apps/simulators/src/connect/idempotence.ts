import { createHash } from 'node:crypto';
import type { APIError } from 'connect-sdk-nodejs/lib/v1/model/domain';
import type { ConnectBooks } from './books';
import { invalid } from './errors';

/**
 * `X-GCS-Idempotence-Key` handling (digest §3; Worldline "Idempotent requests"). Keys are scoped per
 * merchant and kept 24 h.
 *
 * - A key longer than 40 characters or not ASCII is refused before anything runs: 400, one error
 *   with propertyName `X-GCS-Idempotence-Key` (the length and the ASCII rule are Worldline's; the
 *   error code is the simulator's invalid-value code, Connect's own is not documented).
 * - First request with a key: runs; while it runs the key is `in_progress`.
 * - Same key again while the first is running: 409 with exactly one error, code "1409"
 *   (IdempotenceException in the SDKs), with `X-GCS-Idempotence-Request-Timestamp`.
 * - Same key after the first finished: the stored status + body are replayed, with the embedded
 *   payment / capture / refund re-rendered from the current books ("some information in this
 *   response may be updated; for example, the current status of a payment"), and the header
 *   `X-GCS-Idempotence-Request-Timestamp` = ms of the first request. The first response has no header.
 * - Answers ≥ 500 are not kept (the key is released), so a retry with the same key runs again; every
 *   other answer (2xx, declines, 4xx refusals) is kept and replayed: "the same response is returned".
 * - Same key, different request (body, even method or path): the first answer is replayed all the
 *   same ("All requests with the same key will be considered attempts for the same request, even if
 *   the payload is different"). The fingerprint of the first request is kept for inspection only.
 * Keys apply to POST calls; GETs ignore the header.
 */

export const IDEMPOTENCE_RETENTION_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCE_KEY_MAX = 40;

/** What is wrong with a key (too long, not ASCII), or undefined when Connect accepts it. */
export function idempotenceKeyError(key: string): APIError | undefined {
  if (key.length <= IDEMPOTENCE_KEY_MAX && /^[\x20-\x7e]+$/.test(key)) return undefined;
  return invalid(
    'X-GCS-Idempotence-Key',
    `must be at most ${IDEMPOTENCE_KEY_MAX} ASCII characters (got ${key.length} characters)`,
  );
}

export interface StoredResponse {
  status: number;
  body?: unknown;
  location?: string;
  /** The top-level body is this object; a replay renders it again from the books. */
  kind?: 'payment' | 'capture' | 'refund';
  objectId?: string;
}

export interface IdempotenceEntry {
  merchantId: string;
  key: string;
  /** Hash of method, path and body of the first request (inspection only); '*' for entries held through /_sim. */
  fingerprint: string;
  state: 'in_progress' | 'done';
  firstTimestampMs: number;
  response?: StoredResponse;
  paymentId?: string;
  hits: number;
}

export type IdempotenceDecision =
  | { type: 'execute'; entry: IdempotenceEntry }
  | { type: 'replay'; entry: IdempotenceEntry }
  | { type: 'in_progress'; entry: IdempotenceEntry };

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Same method, path and JSON body (key order and whitespace do not matter). */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(body)}`)
    .digest('hex');
}

export class IdempotenceRegistry {
  private lastPrune = 0;

  constructor(
    private readonly books: ConnectBooks,
    private readonly now: () => Date,
  ) {}

  private static id(merchantId: string, key: string): string {
    return `${merchantId} ${key}`;
  }

  get(merchantId: string, key: string): IdempotenceEntry | undefined {
    this.prune();
    const id = IdempotenceRegistry.id(merchantId, key);
    const entry = this.books.state.idempotence[id];
    if (entry?.state === 'done' && this.now().getTime() - entry.firstTimestampMs > IDEMPOTENCE_RETENTION_MS) {
      delete this.books.state.idempotence[id];
      return undefined;
    }
    return entry;
  }

  begin(merchantId: string, key: string, fingerprint: string): IdempotenceDecision {
    const existing = this.get(merchantId, key);
    const counters = this.books.state.counters;
    if (existing?.state === 'in_progress') {
      counters.idempotencyConflicts += 1;
      this.books.commit();
      return { type: 'in_progress', entry: existing };
    }
    if (existing) {
      existing.hits += 1;
      counters.idempotencyHits += 1;
      const payment = existing.paymentId ? this.books.state.payments[existing.paymentId] : undefined;
      if (payment) payment.idempotencyHits += 1;
      this.books.commit();
      return { type: 'replay', entry: existing };
    }
    const entry: IdempotenceEntry = {
      merchantId,
      key,
      fingerprint,
      state: 'in_progress',
      firstTimestampMs: this.now().getTime(),
      hits: 0,
    };
    this.books.state.idempotence[IdempotenceRegistry.id(merchantId, key)] = entry;
    this.books.commit();
    return { type: 'execute', entry };
  }

  finish(entry: IdempotenceEntry, response: StoredResponse, paymentId?: string): void {
    if (response.status >= 500) return this.abandon(entry);
    entry.state = 'done';
    entry.response = response;
    entry.paymentId = paymentId;
    this.books.commit();
  }

  /** The request failed in a way that must not be replayed: a retry with the key runs again. */
  abandon(entry: IdempotenceEntry): void {
    const id = IdempotenceRegistry.id(entry.merchantId, entry.key);
    if (this.books.state.idempotence[id] === entry) delete this.books.state.idempotence[id];
    this.books.commit();
  }

  /** Marks a key as "first request still running" without a request behind it (for 1409 tests). */
  hold(merchantId: string, key: string): IdempotenceEntry {
    const entry: IdempotenceEntry = {
      merchantId,
      key,
      fingerprint: '*',
      state: 'in_progress',
      firstTimestampMs: this.now().getTime(),
      hits: 0,
    };
    this.books.state.idempotence[IdempotenceRegistry.id(merchantId, key)] = entry;
    this.books.commit();
    return entry;
  }

  /** Ends a hold made with `hold`; returns false when there was none. */
  release(merchantId: string, key: string): boolean {
    const id = IdempotenceRegistry.id(merchantId, key);
    const entry = this.books.state.idempotence[id];
    if (!entry || entry.fingerprint !== '*') return false;
    delete this.books.state.idempotence[id];
    this.books.commit();
    return true;
  }

  list(): IdempotenceEntry[] {
    this.prune();
    return Object.values(this.books.state.idempotence);
  }

  /** Drops keys older than 24 h; at most once a minute. */
  private prune(): void {
    const now = this.now().getTime();
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    const idempotence = this.books.state.idempotence;
    for (const [id, entry] of Object.entries(idempotence)) {
      if (entry.state === 'done' && now - entry.firstTimestampMs > IDEMPOTENCE_RETENTION_MS)
        delete idempotence[id];
    }
  }
}
