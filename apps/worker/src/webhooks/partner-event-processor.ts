import { Injectable, Logger } from '@nestjs/common';
import { Outbox, partnerJob, type PartnerJob, type QueuedJob } from '@tender/infra';
import {
  Database,
  findTransactionsNamed,
  markPartnerEventProcessed,
  PrismaClient,
} from '@tender/persistence';
import type { PartnerEventJobData } from '@tender/infra';

/**
 * Applies a stored partner webhook (`partner_event`) as a HINT, never as a state: it finds our
 * partner transaction and operation legs the event is about and enqueues the existing
 * `reconcile-authorization` (and `reconcile-operation` for open legs) jobs, which re-read the
 * partner and never move a transaction backwards. So a late, duplicated or out-of-order event can
 * at worst cost one status lookup.
 *
 * Matching, only among transactions of the entities whose partner account verified the event:
 *   1. our reference (`partner_transaction.reference` / `operation_transaction.reference`), globally
 *      unique because we generate it;
 *   2. failing that, the partner's id (`partner_reference`) on the tender or on a leg (refund ids).
 * Nothing matches → the event is marked processed with `error = 'no matching transaction'`.
 *
 * The reconcile jobs get ids of their own per event (`…-event-<partner_event id>`): the plain
 * `reconcile-authorization-<tender>` id may still be held by BullMQ from an earlier check, and an
 * add with a held id is ignored. The `processed_at` mark and the jobs are committed together.
 */
@Injectable()
export class PartnerEventProcessor {
  private readonly logger = new Logger('partner-events');

  constructor(
    private readonly prisma: PrismaClient,
    private readonly db: Database,
    private readonly outbox: Outbox,
  ) {}

  async handle(job: PartnerEventJobData): Promise<void> {
    const event = await this.prisma.partnerEvent.findUnique({ where: { id: job.partnerEventId } });
    if (!event || event.processedAt) return;

    const accounts = await this.prisma.partnerAccount.findMany({
      where: { id: { in: job.accountIds ?? [] }, partner: event.partner },
      select: { entityId: true },
    });
    const entityIds = [...new Set(accounts.map((a) => a.entityId))];
    const jobs = entityIds.length ? await this.hintJobs(event.partner, event.id, entityIds, job) : [];

    const { outboxIds, marked } = await this.db.transaction(async (tx) => {
      const error = jobs.length ? null : 'no matching transaction';
      if (!(await markPartnerEventProcessed(tx, event.id, new Date(), error))) {
        return { outboxIds: [], marked: false }; // another run did it
      }
      return { outboxIds: await this.outbox.write(tx, jobs), marked: true };
    });
    if (!marked) return;
    await this.outbox.publish(jobs, outboxIds);
    if (!jobs.length) {
      this.logger.warn(`${event.partner} event ${event.eventId} (${event.type}): no matching transaction`);
    }
  }

  private async hintJobs(
    partner: string,
    partnerEventId: string,
    entityIds: string[],
    hint: PartnerEventJobData,
  ): Promise<QueuedJob[]> {
    const named = (by: 'reference' | 'partner_reference', value: string, limit?: number) =>
      findTransactionsNamed(this.db, { partner, entityIds, by, value, limit });
    let found: Awaited<ReturnType<typeof named>> = { tenders: [], legs: [] };
    if (hint.reference) found = await named('reference', hint.reference);
    if (found.tenders.length === 0 && found.legs.length === 0 && hint.partnerReference) {
      found = await named('partner_reference', hint.partnerReference, 20);
    }
    const { tenders, legs } = found;

    const jobs = new Map<string, QueuedJob>();
    const add = (job: PartnerJob) => {
      const queued = partnerJob(partner, job);
      queued.jobId = `${queued.jobId}-event-${partnerEventId}`;
      jobs.set(queued.jobId, queued);
    };
    for (const tender of tenders) {
      add({ kind: 'reconcile-authorization', tenderId: tender.id, readOnly: true });
      for (const legId of tender.openLegIds) add({ kind: 'reconcile-operation', legId, readOnly: true });
    }
    for (const leg of legs) add({ kind: 'reconcile-operation', legId: leg.id, readOnly: true });
    return [...jobs.values()];
  }
}
