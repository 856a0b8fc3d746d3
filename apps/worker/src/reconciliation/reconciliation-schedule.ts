import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { canTransition } from '@tender/domain';
import { CONFIG, Outbox, partnerJob, type PartnerJob } from '@tender/infra';
import type { OperationResult } from '@tender/partners';
import {
  Database,
  findOverdueLegChecks,
  findOverdueTenderChecks,
  markLegUnknown,
  markUnknown,
  type TenderRecord,
} from '@tender/persistence';
import { putLeg, putTender } from '@tender/payments';
import { legOf, type LoadedLeg } from '../dispatch/partner-requests';
import { PaymentSettler } from '../dispatch/settle';
import { every, type Periodic } from '../periodic';

/** Bookkeeping of the reconciler on an open outcome, kept in `last_error`. */
interface OpenOutcome {
  reason: string;
  checks: number;
  gave_up?: boolean;
  at: string;
}

/** How long an operation the partner reports under way is looked at before an operator is asked (Connect settles in daily batches). */
const PARTNER_PENDING_MAX_MS = 7 * 24 * 3600 * 1000;

/** Past a lease, a moment more before looking again (clocks of worker and database). */
const LEASE_SLACK_MS = 250;

const OVERDUE_CHECK_INTERVAL_MS = 30_000;
/** A lookup this late was lost, not just slow to run. */
const OVERDUE_AFTER_MS = 60_000;

export function reconcileAuthorizationJob(tenderId: string): PartnerJob {
  return { kind: 'reconcile-authorization', tenderId };
}

/**
 * The reconciler's schedule: an outcome left open (a timeout, a reset, a 5xx, a partner still
 * processing) is marked and looked up again on RECONCILE_SCHEDULE_MS, never while its call may still
 * be in flight; past the last lookup it is flagged for an operator. A lookup whose delayed job was
 * lost is found again from Postgres (`next_check_at`) by the overdue sweep.
 */
@Injectable()
export class ReconciliationSchedule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('dispatch');
  private sweep?: Periodic;

  constructor(
    private readonly settler: PaymentSettler,
    private readonly db: Database,
    private readonly outbox: Outbox,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  onModuleInit(): void {
    this.sweep = every(
      'overdue-checks',
      OVERDUE_CHECK_INTERVAL_MS,
      () => this.requeueOverdueChecks(),
      this.logger,
    );
  }

  onApplicationShutdown(): void {
    this.sweep?.stop();
  }

  /** Marks an open outcome and plans the next status lookup; after the last one, flags it for an operator. */
  async scheduleCheck(tender: TenderRecord, job: PartnerJob, reason: string): Promise<void> {
    await this.settler.change(tender.paymentId, async (tx, payment) => {
      const current = payment.partnerTransactions.find((t) => t.id === tender.id)!;
      const next = this.nextCheck(
        current.lastError,
        reason,
        `${tender.partner} authorization ${tender.id}`,
        current.inFlightUntil,
      );
      const toUnknown = current.status === 'PENDING' && canTransition('tender', 'PENDING', 'UNKNOWN');
      const updated = await markUnknown(tx, tender.id, {
        unknown: toUnknown,
        lastError: next.lastError,
        nextCheckAt: next.at,
      });
      putTender(payment, updated);
      return next.at ? [partnerJob(tender.partner, job, next.delayMs)] : [];
    });
  }

  async scheduleLegCheck(leg: LoadedLeg, reason: string, result?: OperationResult): Promise<void> {
    await this.settler.change(leg.operation.paymentId, async (tx, payment) => {
      const current = legOf(payment, leg.id);
      if (!current || !['PENDING', 'UNKNOWN'].includes(current.status)) return;
      const next = this.nextCheck(
        current.lastError,
        reason,
        `${leg.operation.type} leg ${leg.id}`,
        current.inFlightUntil,
        result?.outcome === 'PENDING' ? current.createdAt : undefined,
      );
      const updated = await markLegUnknown(tx, leg.id, {
        // The partner says it is under way (a capture not yet settled): pending, not unknown.
        status: result?.outcome === 'PENDING' && current.status === 'PENDING' ? 'PENDING' : 'UNKNOWN',
        partnerReference: result?.partnerReference,
        partnerStatus: result?.partnerStatus,
        lastError: next.lastError,
        nextCheckAt: next.at,
      });
      putLeg(payment, updated);
      const job: PartnerJob = { kind: 'reconcile-operation', legId: leg.id };
      return next.at ? [partnerJob(leg.partnerTransaction.partner, job, next.delayMs)] : [];
    });
  }

  /**
   * The reconciler's next lookup of an open outcome, from `RECONCILE_SCHEDULE_MS` and the checks
   * already made (kept in `last_error`), never before the last call's lease expires (a lookup before
   * could only wait again); past the last one it gives up and flags it for an operator.
   */
  private nextCheck(
    lastError: unknown,
    reason: string,
    what: string,
    inFlightUntil: Date | null,
    pendingSince?: Date,
  ): { lastError: OpenOutcome; at: Date | null; delayMs: number } {
    const schedule = this.config.RECONCILE_SCHEDULE_MS;
    const checks = (lastError as OpenOutcome | null)?.checks ?? 0;
    const leaseLeftMs = inFlightUntil ? inFlightUntil.getTime() - Date.now() + LEASE_SLACK_MS : 0;
    const delayMs = Math.max(schedule[Math.min(checks, schedule.length - 1)], leaseLeftMs);
    // The give-up is a question for the partner: a check only waiting for a lease does not count, and
    // an operation the partner says is under way (a capture queued for settlement) is looked at again
    // at the last interval for up to PARTNER_PENDING_MAX_MS.
    const gaveUp =
      checks >= schedule.length &&
      leaseLeftMs <= 0 &&
      (!pendingSince || Date.now() - pendingSince.getTime() > PARTNER_PENDING_MAX_MS);
    if (gaveUp) this.logger.error(`gave up reconciling ${what}: needs an operator`);
    return {
      lastError: {
        reason,
        checks: checks + 1,
        at: new Date().toISOString(),
        ...(gaveUp ? { gave_up: true } : {}),
      },
      at: gaveUp ? null : new Date(Date.now() + delayMs),
      delayMs,
    };
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
      findOverdueTenderChecks(this.db, overdue, 500),
      findOverdueLegChecks(this.db, overdue, 500),
    ]);
    const jobs = [
      ...tenders.map((t) => partnerJob(t.partner, { kind: 'reconcile-authorization', tenderId: t.id })),
      ...legs.map((l) => partnerJob(l.partner, { kind: 'reconcile-operation', legId: l.id })),
    ].map((job) => ({ ...job, jobId: `${job.jobId}-overdue-${now.getTime()}` }));
    await Promise.all(
      jobs.map((job) => this.outbox.queue(job.queue).add(job.name, job.data, { jobId: job.jobId })),
    );
    if (jobs.length) this.logger.warn(`re-enqueued ${jobs.length} overdue partner lookups`);
    return jobs.length;
  }
}
