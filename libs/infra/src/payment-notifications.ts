import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { CONFIG, REDIS } from './tokens';
import { RequestTiming, type PaymentSignal, type PaymentSignalState } from '@tender/observability';

/**
 * "Payment X changed" signals over Redis pub/sub, so an API request can wait for a worker's
 * outcome without polling the database. A signal is only a hint to re-read; a missed one costs
 * at most one slow poll (the waiter also re-checks at a coarse interval).
 */
@Injectable()
export class PaymentNotifications implements OnModuleDestroy {
  private subscriber?: Redis;
  private subscriberReady?: Promise<Redis>;
  private readonly waiters = new Map<string, Set<(signal?: PaymentSignal) => void>>();
  /** How many waits hold each channel's subscription. */
  private readonly holders = new Map<string, number>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  private channel(paymentId: string): string {
    return `${this.config.QUEUE_PREFIX}:payment-changed:${paymentId}`;
  }

  async notify(paymentIds: Iterable<string>, signal: PaymentSignal = {}): Promise<void> {
    const message = JSON.stringify(signal);
    await Promise.all([...new Set(paymentIds)].map((id) => this.redis.publish(this.channel(id), message)));
  }

  /**
   * Resolves when `check` returns a value: checked once now, then on every signal and every `pollMs`;
   * undefined after `timeoutMs`. (`listen()` first, then `until()`, when the wait is for a change
   * the caller makes.)
   */
  async waitFor<T>(
    paymentId: string,
    check: (signalled: PaymentSignalState[]) => Promise<T | undefined>,
    timeoutMs: number,
  ): Promise<T | undefined> {
    const listener = await this.listen(paymentId);
    try {
      return (await check([])) ?? (await listener.until(check, timeoutMs));
    } finally {
      await listener.close();
    }
  }

  /**
   * Subscribes to the payment's signals now. Listen, then make the change the wait is for, then
   * `until()`: a signal the change causes cannot be missed, the subscription being older. Close it.
   */
  async listen(paymentId: string): Promise<PaymentListener> {
    const channel = this.channel(paymentId);
    const timing = RequestTiming.current();
    let signalled = false;
    let states: PaymentSignalState[] = [];
    let wake: (() => void) | undefined;
    const onSignal = (signal?: PaymentSignal) => {
      if (signal) timing?.add(signal);
      if (signal?.state) states.push(signal.state);
      signalled = true;
      wake?.();
    };
    await this.subscribe(channel, onSignal);
    return {
      until: async <T>(
        check: (signalled: PaymentSignalState[]) => Promise<T | undefined>,
        timeoutMs: number,
        pollMs = 250,
      ): Promise<T | undefined> => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const remaining = deadline - Date.now();
          if (remaining <= 0) return undefined;
          // A signal since the last check: check at once; otherwise wait for one (or the next poll).
          if (!signalled) await this.nextSignal(Math.min(remaining, pollMs), (resolve) => (wake = resolve));
          wake = undefined;
          signalled = false;
          const received = states;
          states = [];
          const value = await check(received);
          if (value !== undefined) return value;
        }
      },
      close: () => this.unsubscribe(channel, onSignal),
    };
  }

  private nextSignal(ms: number, onWake: (wake: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      onWake(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * One subscriber connection per process, connected once. Without the ready check: ioredis would
   * otherwise send INFO on a connection already in subscriber mode and fail the first requests.
   */
  private connectSubscriber(): Promise<Redis> {
    this.subscriber ??= (() => {
      const subscriber = this.redis.duplicate({ enableReadyCheck: false, lazyConnect: true });
      subscriber.on('message', (ch: string, message: string) => {
        const signal = parseSignal(message);
        this.waiters.get(ch)?.forEach((wake) => wake(signal));
      });
      this.subscriberReady = subscriber.connect().then(() => subscriber);
      return subscriber;
    })();
    return this.subscriberReady!;
  }

  private async subscribe(channel: string, listener: (signal?: PaymentSignal) => void): Promise<void> {
    const subscriber = await this.connectSubscriber();
    const holders = this.holders.get(channel) ?? 0;
    this.holders.set(channel, holders + 1);
    if (holders === 0) this.waiters.set(channel, new Set());
    this.waiters.get(channel)!.add(listener);
    if (holders === 0) await subscriber.subscribe(channel);
  }

  private async unsubscribe(channel: string, listener: (signal?: PaymentSignal) => void): Promise<void> {
    this.waiters.get(channel)?.delete(listener);
    const holders = (this.holders.get(channel) ?? 1) - 1;
    if (holders > 0) {
      this.holders.set(channel, holders);
      return;
    }
    this.holders.delete(channel);
    this.waiters.delete(channel);
    await this.subscriber?.unsubscribe(channel);
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }
}

/** One payment's signals, from `listen()` until `close()`. */
export interface PaymentListener {
  /**
   * Resolves when `check` returns a value, or with undefined after `timeoutMs`. The caller has just
   * looked: `check` runs on each signal received since listening (or since its last run) and every
   * `pollMs`, with the states those signals carried (they may arrive out of order: only a state that
   * never goes back, an outcome decided, proves anything).
   */
  until<T>(
    check: (signalled: PaymentSignalState[]) => Promise<T | undefined>,
    timeoutMs: number,
    pollMs?: number,
  ): Promise<T | undefined>;
  close(): Promise<void>;
}

function parseSignal(message: string): PaymentSignal {
  try {
    return JSON.parse(message) as PaymentSignal;
  } catch {
    return {};
  }
}
