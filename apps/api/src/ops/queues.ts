import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { Outbox, partnerQueueName, WEBHOOK_QUEUE } from '@tender/infra';
import { PARTNER_CATALOG } from '@tender/partners';
import { PARTNER_EVENT_QUEUE } from '@tender/infra';

const DISCOVERY_INTERVAL_MS = 60_000;

/**
 * The BullMQ queues an operator should see: every partner queue, the webhook queues, and any other
 * queue found in Redis under our prefix (looked up at most once a minute). The Queue objects are
 * the Outbox's, so they share its connections and are closed with it.
 */
export class QueueDirectory {
  private discovered = new Set<string>();
  private discoveredAt = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly redis: Redis,
    private readonly config: TenderConfig,
  ) {}

  static known(): string[] {
    return [...Object.keys(PARTNER_CATALOG).map(partnerQueueName), WEBHOOK_QUEUE, PARTNER_EVENT_QUEUE];
  }

  async queues(): Promise<Queue[]> {
    if (Date.now() - this.discoveredAt > DISCOVERY_INTERVAL_MS) {
      this.discoveredAt = Date.now();
      this.discovered = await this.discover().catch(() => this.discovered);
    }
    const names = [...new Set([...QueueDirectory.known(), ...[...this.discovered].sort()])];
    return names.map((name) => this.outbox.queue(name));
  }

  /** Queue names with a BullMQ `meta` key under our prefix. */
  private async discover(): Promise<Set<string>> {
    const prefix = `${this.config.QUEUE_PREFIX}:`;
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}*:meta`, 'COUNT', 1000);
      for (const key of keys) {
        const name = key.slice(prefix.length, -':meta'.length);
        if (name && !name.includes(':')) names.add(name);
      }
      cursor = next;
    } while (cursor !== '0');
    return names;
  }
}
