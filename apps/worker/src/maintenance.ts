import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Outbox } from '@tender/infra';
import { recordSessionStatusEvent } from '@tender/payments';
import {
  Database,
  findExpiredSessions,
  PrismaClient,
  purgeExpiredIdempotencyKeys,
  setSessionStatus,
} from '@tender/persistence';
import { every, type Periodic } from './periodic';

const RELAY_INTERVAL_MS = 1000;
const HOUSEKEEPING_INTERVAL_MS = 60_000;

/**
 * Background loops of the worker: the outbox relay (enqueues what a crashed publisher left),
 * expiry of client sessions past `expires_at`, and removal of idempotency keys past their 24 h and
 * of operator console sessions past their `expires_at`.
 */
@Injectable()
export class Maintenance implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('maintenance');
  private loops: Periodic[] = [];

  constructor(
    private readonly outbox: Outbox,
    private readonly db: Database,
    private readonly prisma: PrismaClient,
  ) {}

  onModuleInit(): void {
    this.loops = [
      every('outbox-relay', RELAY_INTERVAL_MS, () => this.outbox.relayPending(), this.logger),
      every('housekeeping', HOUSEKEEPING_INTERVAL_MS, () => this.housekeeping(), this.logger),
    ];
  }

  async housekeeping(now = new Date()): Promise<void> {
    await this.expireSessions(now);
    await purgeExpiredIdempotencyKeys(this.db, now);
    await this.purgeExpiredOperatorSessions(now);
  }

  /**
   * Console sessions past `expires_at` (refused on read already): removed here, so the rows of an
   * operator who never signs in again do not stay (the API also removes an operator's own at sign-in).
   */
  async purgeExpiredOperatorSessions(now = new Date()): Promise<number> {
    const { count } = await this.prisma.operatorSession.deleteMany({ where: { expiresAt: { lt: now } } });
    return count;
  }

  /** Client sessions past `expires_at` become EXPIRED, each with its merchant event. */
  async expireSessions(now = new Date()): Promise<number> {
    const due = await findExpiredSessions(this.db, now, 500);
    for (const id of due) {
      const { jobs, outboxIds } = await this.db.transaction(async (tx) => {
        const expired = await setSessionStatus(tx, id, 'CREATED', 'EXPIRED');
        const jobs = expired ? await recordSessionStatusEvent(tx, id) : [];
        return { jobs, outboxIds: await this.outbox.write(tx, jobs) };
      });
      await this.outbox.publish(jobs, outboxIds);
    }
    return due.length;
  }

  onApplicationShutdown(): void {
    for (const loop of this.loops) loop.stop();
  }
}
