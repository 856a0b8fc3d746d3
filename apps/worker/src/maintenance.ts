import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Outbox, partnerJob } from '@tender/infra';
import { recordSessionStatusEvent } from '@tender/payments';
import { PrismaClient, prismaSql } from '@tender/persistence';

const RELAY_INTERVAL_MS = 1000;
const HOUSEKEEPING_INTERVAL_MS = 60_000;
const OVERDUE_CHECK_INTERVAL_MS = 30_000;
/** A lookup this late was lost, not just slow to run. */
const OVERDUE_AFTER_MS = 60_000;

/**
 * Background loops of the worker: the outbox relay (enqueues what a crashed publisher left),
 * expiry of client sessions past `expires_at`, and removal of idempotency keys past their 24 h.
 */
@Injectable()
export class Maintenance implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('maintenance');
  private readonly timers: NodeJS.Timeout[] = [];
  private running = new Set<string>();

  constructor(
    private readonly outbox: Outbox,
    private readonly prisma: PrismaClient,
  ) {}

  onModuleInit(): void {
    this.every('outbox-relay', RELAY_INTERVAL_MS, () => this.outbox.relayPending());
    this.every('housekeeping', HOUSEKEEPING_INTERVAL_MS, () => this.housekeeping());
    this.every('overdue-checks', OVERDUE_CHECK_INTERVAL_MS, () => this.requeueOverdueChecks());
  }

  private every(name: string, ms: number, task: () => Promise<unknown>): void {
    // runOnce never rejects: nothing to handle here.
    const timer = setInterval(() => void this.runOnce(name, task), ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** One round of a loop, skipped while the previous one runs; a failure is logged, the next round tries again. */
  private async runOnce(name: string, task: () => Promise<unknown>): Promise<void> {
    if (this.running.has(name)) return;
    this.running.add(name);
    try {
      await task();
    } catch (error) {
      this.logger.warn(`${name}: ${(error as Error).message}`);
    } finally {
      this.running.delete(name);
    }
  }

  async housekeeping(now = new Date()): Promise<void> {
    await this.expireSessions(now);
    await this.prisma.idempotencyKey.deleteMany({ where: { expiresAt: { lt: now } } });
  }

  /**
   * Scheduled partner lookups live in Redis as delayed jobs; if one was lost (Redis restarted
   * without persistence, say), the transaction's `next_check_at` in Postgres still says it is due.
   * Overdue ones are enqueued again: a duplicate lookup is harmless (a resend needs the claim of a
   * new attempt, which only one run gets, and never while the last attempt's lease holds).
   */
  async requeueOverdueChecks(now = new Date()): Promise<number> {
    const overdue = new Date(now.getTime() - OVERDUE_AFTER_MS);
    const [tenders, legs] = await Promise.all([
      this.prisma.partnerTransaction.findMany({
        where: { status: { in: ['UNKNOWN', 'REQUIRES_ACTION'] }, nextCheckAt: { lt: overdue } },
        select: { id: true, partner: true },
        take: 500,
      }),
      this.prisma.operationTransaction.findMany({
        where: { status: { in: ['PENDING', 'UNKNOWN'] }, nextCheckAt: { lt: overdue } },
        select: { id: true, partnerTransaction: { select: { partner: true } } },
        take: 500,
      }),
    ]);
    const jobs = [
      ...tenders.map((t) => partnerJob(t.partner, { kind: 'reconcile-authorization', tenderId: t.id })),
      ...legs.map((l) =>
        partnerJob(l.partnerTransaction.partner, { kind: 'reconcile-operation', legId: l.id }),
      ),
    ].map((job) => ({ ...job, jobId: `${job.jobId}-overdue-${now.getTime()}` }));
    await Promise.all(
      jobs.map((job) => this.outbox.queue(job.queue).add(job.name, job.data, { jobId: job.jobId })),
    );
    if (jobs.length) this.logger.warn(`re-enqueued ${jobs.length} overdue partner lookups`);
    return jobs.length;
  }

  /** Client sessions past `expires_at` become EXPIRED, each with its merchant event. */
  async expireSessions(now = new Date()): Promise<number> {
    const due = await this.prisma.clientSession.findMany({
      where: { status: 'CREATED', expiresAt: { lte: now } },
      select: { id: true },
      take: 500,
    });
    for (const { id } of due) {
      const { jobs, outboxIds } = await this.prisma.$transaction(async (tx) => {
        const expired = await tx.clientSession.updateMany({
          where: { id, status: 'CREATED' },
          data: { status: 'EXPIRED', version: { increment: 1 } },
        });
        const jobs = expired.count ? await recordSessionStatusEvent(prismaSql(tx), id) : [];
        return { jobs, outboxIds: await this.outbox.write(prismaSql(tx), jobs) };
      });
      await this.outbox.publish(jobs, outboxIds);
    }
    return due.length;
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearInterval(timer);
  }
}
