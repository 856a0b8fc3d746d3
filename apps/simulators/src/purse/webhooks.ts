import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Webhooks from the Purse simulator. The seed has a per-payment `webhook {url, headers,
 * event_types}` config and names event types PAYMENT_CAPTURE / PAYMENT_REFUND / PAYMENT_VOID, but
 * defines no payload, signing, retry or ordering. Our choices:
 *
 * - Delivery: `POST <webhookUrl>` (the simulator option; the per-payment `webhook` is echoed in
 *   the payment but not called), `Content-Type: application/json`, one event per payment change.
 * - Event types: PAYMENT_AUTHORIZATION (create, AUTHORIZED or REFUSED), PAYMENT_CAPTURE,
 *   PAYMENT_VOID, PAYMENT_REFUND (also for an operation that FAILED).
 * - Payload: `{ id, type, created_at, payment_id, payment_version, operation_id?, payment }` where
 *   `payment` is the full payment object as `GET /v2/payments/{id}` would answer it then.
 * - Signature: header `Purse-Signature: t=<unix seconds>,v1=<hex>` where
 *   `v1 = hex(HMAC-SHA256(secret, "<t>.<raw body>"))` (the timestamp is signed so a receiver can
 *   refuse old replays). Also `Purse-Event-Id` and `Purse-Event-Type` headers.
 * - Retries: up to 3 attempts (backoff 200 ms, 1 s) on a network error or a non-2xx answer.
 * - No ordering guarantee between events: receivers order by `payment_version`.
 */
export const PURSE_SIGNATURE_HEADER = 'Purse-Signature';

export type PurseEventType = 'PAYMENT_AUTHORIZATION' | 'PAYMENT_CAPTURE' | 'PAYMENT_VOID' | 'PAYMENT_REFUND';

export interface PurseEvent {
  id: string;
  type: PurseEventType;
  created_at: string;
  payment_id: string;
  payment_version: number;
  operation_id?: string;
  payment: unknown;
}

export interface WebhookDelivery {
  event_id: string;
  type: PurseEventType;
  payment_id: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code?: number;
  last_error?: string;
}

export function signPurseWebhook(secret: string, rawBody: string, timestampSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

/** For receivers and tests: checks a `Purse-Signature` header, refusing timestamps older than `toleranceSeconds`. */
export function verifyPurseWebhook(
  secret: string,
  rawBody: string,
  header: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries(
    (header ?? '').split(',').map((part) => {
      const eq = part.indexOf('=');
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    }),
  );
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signPurseWebhook(secret, rawBody, timestamp).split('v1=')[1], 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const BACKOFF_MS = [200, 1000];
const MAX_LOG = 1000;

export class PurseWebhookSender {
  private readonly log: WebhookDelivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private generation = 0;

  constructor(
    private readonly url: string | undefined,
    private readonly secret: string,
    private readonly now: () => Date,
  ) {}

  get enabled(): boolean {
    return this.url !== undefined;
  }

  deliveries(): WebhookDelivery[] {
    return [...this.log];
  }

  emit(
    type: PurseEventType,
    payment: { id: string; version: number },
    wire: unknown,
    operationId?: string,
  ): void {
    if (!this.url || this.stopped) return;
    const event: PurseEvent = {
      id: `evt_${randomUUID()}`,
      type,
      created_at: this.now().toISOString(),
      payment_id: payment.id,
      payment_version: payment.version,
      ...(operationId ? { operation_id: operationId } : {}),
      payment: wire,
    };
    const delivery: WebhookDelivery = {
      event_id: event.id,
      type,
      payment_id: payment.id,
      status: 'pending',
      attempts: 0,
    };
    this.log.push(delivery);
    if (this.log.length > MAX_LOG) this.log.shift();
    const run = this.deliver(this.url, event, delivery).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  /** Resolves once every delivery started so far has succeeded or given up. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Gives up pending retries and forgets the log (on `/_sim/reset`). */
  reset(): void {
    this.generation += 1;
    this.log.length = 0;
  }

  /** Gives up pending retries for good (on close). */
  stop(): void {
    this.stopped = true;
    this.generation += 1;
  }

  private async deliver(url: string, event: PurseEvent, delivery: WebhookDelivery): Promise<void> {
    const body = JSON.stringify(event);
    const generation = this.generation;
    for (let attempt = 0; attempt <= BACKOFF_MS.length; attempt += 1) {
      if (attempt > 0) await sleep(BACKOFF_MS[attempt - 1]);
      if (generation !== this.generation) break;
      delivery.attempts += 1;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Purse-Event-Id': event.id,
            'Purse-Event-Type': event.type,
            [PURSE_SIGNATURE_HEADER]: signPurseWebhook(this.secret, body, Math.floor(Date.now() / 1000)),
          },
          body,
          signal: AbortSignal.timeout(5000),
        });
        delivery.last_status_code = response.status;
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          delivery.status = 'delivered';
          return;
        }
      } catch (error) {
        delivery.last_error = (error as Error).message;
      }
    }
    delivery.status = 'failed';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
