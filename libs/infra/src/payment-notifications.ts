import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { CONFIG, REDIS } from './core.module';
import { RequestTiming, type PaymentSignal } from './request-timing';

/**
 * "Payment X changed" signals over Redis pub/sub, so an API request can wait for a worker's
 * outcome without polling the database. A signal is only a hint to re-read; a missed one costs
 * at most one slow poll (the waiter also re-checks at a coarse interval).
 */
@Injectable()
export class PaymentNotifications implements OnModuleDestroy {
  private subscriber?: Redis;
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
   * Resolves when `check` returns a value (re-evaluated on every signal and every `pollMs`), or
   * with undefined after `timeoutMs`.
   */
  async waitFor<T>(
    paymentId: string,
    check: () => Promise<T | undefined>,
    timeoutMs: number,
    pollMs = 250,
  ): Promise<T | undefined> {
    const first = await check();
    if (first !== undefined || timeoutMs <= 0) return first;
    const channel = this.channel(paymentId);
    await this.subscribe(channel);
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) return undefined;
        await this.nextSignal(channel, Math.min(remaining, pollMs));
        const value = await check();
        if (value !== undefined) return value;
      }
    } finally {
      await this.unsubscribe(channel);
    }
  }

  private nextSignal(channel: string, ms: number): Promise<void> {
    const timing = RequestTiming.current();
    return new Promise((resolve) => {
      const waiters = this.waiters.get(channel)!;
      const done = (signal?: PaymentSignal) => {
        if (signal) timing?.add(signal);
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  private async subscribe(channel: string): Promise<void> {
    if (!this.subscriber) {
      this.subscriber = this.redis.duplicate();
      this.subscriber.on('message', (ch: string, message: string) => {
        const signal = parseSignal(message);
        this.waiters.get(ch)?.forEach((wake) => wake(signal));
      });
    }
    const holders = this.holders.get(channel) ?? 0;
    this.holders.set(channel, holders + 1);
    if (holders === 0) {
      this.waiters.set(channel, new Set());
      await this.subscriber.subscribe(channel);
    }
  }

  private async unsubscribe(channel: string): Promise<void> {
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

function parseSignal(message: string): PaymentSignal {
  try {
    return JSON.parse(message) as PaymentSignal;
  } catch {
    return {};
  }
}
