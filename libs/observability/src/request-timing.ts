import { AsyncLocalStorage } from 'node:async_hooks';

/** A time span in epoch milliseconds. */
export type Interval = [number, number];

/**
 * What one API request spent waiting on partners (and on queues), so it can report its own
 * overhead in a `Server-Timing` header: total − partner time = Tender's own time. Partner calls
 * run in the worker; their intervals reach the waiting request with the payment-change signals.
 */
export class RequestTiming {
  private static readonly storage = new AsyncLocalStorage<RequestTiming>();
  readonly startedAt = Date.now();
  private readonly partner: Interval[] = [];
  private queueMs = 0;

  static run<T>(timing: RequestTiming, fn: () => T): T {
    return RequestTiming.storage.run(timing, fn);
  }

  static current(): RequestTiming | undefined {
    return RequestTiming.storage.getStore();
  }

  add(signal: PaymentSignal): void {
    for (const interval of signal.partner ?? []) this.partner.push(interval);
    this.queueMs += signal.queueMs ?? 0;
  }

  /** Wall time during which at least one partner call was in flight, within this request. */
  partnerMs(now = Date.now()): number {
    const clipped = this.partner
      .map(([s, e]): Interval => [Math.max(s, this.startedAt), Math.min(e, now)])
      .filter(([s, e]) => e > s)
      .sort((a, b) => a[0] - b[0]);
    let total = 0;
    let [cs, ce] = [0, 0];
    for (const [s, e] of clipped) {
      if (s > ce) {
        total += ce - cs;
        [cs, ce] = [s, e];
      } else ce = Math.max(ce, e);
    }
    return total + (ce - cs);
  }

  header(now = Date.now()): string {
    const total = now - this.startedAt;
    const partner = Math.min(total, this.partnerMs(now));
    return [
      `total;dur=${total}`,
      `partner;dur=${partner};desc="waiting on partners"`,
      `queue;dur=${this.queueMs};desc="jobs waiting in queues"`,
      `tender;dur=${total - partner};desc="Tender's own time"`,
    ].join(', ');
  }
}

/** The payload of a payment-change signal: partner call intervals and queue wait of the change. */
export interface PaymentSignal {
  partner?: Interval[];
  queueMs?: number;
  /** The payment as the signalling transaction committed it, so a waiter can often decide without a read. */
  state?: PaymentSignalState;
}

export interface PaymentSignalState {
  status: string;
  /** A tender waits for the shopper (hosted page). */
  needsShopper: boolean;
  /** Operation id → status. */
  operations: Record<string, string>;
  /** The payment as the API presents it, at that commit: a waiter that is done can answer with it. */
  view?: Record<string, unknown>;
}

/** In the worker: the partner calls and queue wait of the job being run, sent along with its payment signals. */
export const currentJobSignal = new AsyncLocalStorage<PaymentSignal>();
