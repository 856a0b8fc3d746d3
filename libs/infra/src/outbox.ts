import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { TenderConfig } from '@tender/config';
import {
  combine,
  Database,
  deleteOutboxRows,
  insertOutboxJobs,
  lockUnpublishedOutboxRows,
  runStatement,
  type Sql,
  type Statement,
} from '@tender/persistence';
import { outboxPublishFailures, outboxRelayed } from '@tender/observability';
import { CONFIG } from './tokens';
import { DEFAULT_JOB_OPTIONS, redisConnectionOptions, type QueuedJob } from './queues';

/**
 * The transactional outbox. A state change and the jobs it implies are written in one database
 * transaction (`write`); after the commit they are enqueued and their rows deleted (`publish`).
 * If the process dies in between, `relayPending` (run by the worker) finds the rows and enqueues
 * them: nothing is lost, and a job enqueued twice is harmless because every handler re-reads state.
 */
@Injectable()
export class Outbox implements OnModuleDestroy {
  private readonly logger = new Logger('outbox');
  private readonly queues = new Map<string, Queue>();
  /** Rows of published jobs, deleted in one statement per tick instead of one per publish. */
  private published: string[] = [];
  private flushTimer?: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  /** Writes the jobs in the caller's transaction; returns their outbox ids (BIGINT, as text). */
  async write(tx: Sql, jobs: QueuedJob[]): Promise<string[]> {
    if (jobs.length === 0) return [];
    const inserted = await runStatement<{ id: string }>(tx, insertOutboxJobs(jobs));
    return inserted.map((row) => String(row.id)); // a Prisma transaction returns BIGINT as bigint
  }

  /**
   * `write`, in the same round trip as other writes of the transaction that do not depend on each
   * other (see `combine`); statements left undefined are skipped.
   */
  async writeWith(tx: Sql, jobs: QueuedJob[], others: Array<Statement | undefined>): Promise<string[]> {
    const statements = others.filter((s): s is Statement => s !== undefined);
    if (jobs.length) statements.push(insertOutboxJobs(jobs));
    if (statements.length === 0) return [];
    const rows = await runStatement<{ id: string }>(tx, combine(statements));
    return jobs.length ? rows.map((row) => String(row.id)) : [];
  }

  /** The INSERT of `write`, to `combine` with other writes. */
  static insert(jobs: QueuedJob[]): Statement {
    return insertOutboxJobs(jobs);
  }

  /** Enqueues jobs written by a committed transaction, then forgets their outbox rows. */
  async publish(jobs: QueuedJob[], outboxIds: string[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await Promise.all(jobs.map((job) => this.enqueue(job)));
      this.forget(outboxIds);
    } catch (error) {
      // The rows stay; the relay will enqueue them.
      outboxPublishFailures.inc();
      this.logger.warn(`publish failed, left to the relay: ${(error as Error).message}`);
    }
  }

  /**
   * The rows of enqueued jobs go in a batch a few milliseconds later. Should the process die first, the
   * relay enqueues them again after `minAgeMs`: harmless, job ids dedupe and handlers re-read state.
   */
  private forget(outboxIds: string[]): void {
    this.published.push(...outboxIds);
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const ids = this.published.splice(0);
    if (ids.length === 0) return;
    await deleteOutboxRows(this.db, ids).catch((error: Error) =>
      this.logger.warn(`outbox cleanup deferred to the relay: ${error.message}`),
    );
  }

  /** Enqueues outbox rows older than `minAgeMs` that nobody published (the publisher died). */
  async relayPending(minAgeMs = 2000, batch = 200): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await lockUnpublishedOutboxRows(tx, new Date(Date.now() - minAgeMs), batch);
      for (const row of rows) await this.enqueue(row.job);
      if (rows.length)
        await deleteOutboxRows(
          tx,
          rows.map((row) => row.id),
        );
      outboxRelayed.inc(rows.length);
      return rows.length;
    });
  }

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: redisConnectionOptions(this.config.REDIS_URL),
        prefix: this.config.QUEUE_PREFIX,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      this.queues.set(name, queue);
    }
    return queue;
  }

  private async enqueue(job: QueuedJob): Promise<void> {
    await this.queue(job.queue).add(job.name, job.data, { jobId: job.jobId, delay: job.delayMs });
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }
}

const FLUSH_MS = 20;
