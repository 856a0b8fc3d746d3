import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { Outbox } from '@tender/infra';
import { listOpenOutcomes, OutcomeActionError, resolveOutcome, retryOutcome } from '@tender/payments';
import {
  findFailedPaymentEventsTo,
  listStuckHolds,
  newId,
  toMinor,
  type Database,
  type Prisma,
  type PrismaClient,
} from '@tender/persistence';
import { ApiError } from '../http/api-error';
import type { QueueDirectory } from '../ops/queues';
import type { MerchantEventsService } from '../webhooks/merchant-events.service';
import { reason } from './console-payments';
import type { ConsoleOperator } from './operator-sessions';

export const resolveBody = z.strictObject({ as: z.enum(['succeeded', 'failed']), reason });
export const reasonBody = z.strictObject({ reason });

/** Failed jobs shown per queue: the newest. */
const FAILED_JOBS_PER_QUEUE = 20;
/** Failed events of a disabled endpoint redelivered by one action. */
const REDELIVER_LIMIT = 100;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const NO_SUBJECT = '00000000-0000-0000-0000-000000000000';
/** What an operator does about a hold the partner refused to release: Tender sends nothing more. */
const RELEASE_AT_PARTNER =
  "Release this hold in the partner's back office (find it by its partner reference): Tender gave up voiding it.";

function outcomeError(error: unknown): Error {
  if (!(error instanceof OutcomeActionError))
    return error instanceof Error ? error : new Error(String(error));
  const status = { not_found: 404, conflict: 409, invalid: 400 }[error.code];
  return new ApiError(
    status,
    error.code === 'invalid' ? 'validation_error' : error.code,
    'Refused',
    error.message,
  );
}

/**
 * What needs a person: outcomes the reconciler gave up on (the CLI's `tender unknown` logic), holds a
 * partner refused to release after a split failed or was cancelled (listed only: released at the
 * partner's back office), disabled merchant webhook endpoints, failed jobs; and the action that settles each, written to
 * audit_log with the operator and the reason.
 */
export class NeedsAttention {
  constructor(
    private readonly db: Database,
    private readonly prisma: PrismaClient,
    private readonly outbox: Outbox,
    private readonly queues: QueueDirectory,
    private readonly events: MerchantEventsService,
  ) {}

  async list(): Promise<Record<string, unknown>> {
    const [outcomes, holds, endpoints, jobs] = await Promise.all([
      listOpenOutcomes(this.db),
      listStuckHolds(this.db),
      this.prisma.webhookEndpoint.findMany({
        where: { disabledAt: { not: null } },
        orderBy: { disabledAt: 'asc' },
        take: 100,
      }),
      this.failedJobs(),
    ]);
    return {
      unknown_outcomes: outcomes,
      // The tender's ids, amount and the partner's last answer: never its instrument or credentials.
      stuck_holds: holds.map((h) => ({
        payment_id: h.payment_id,
        entity_id: h.entity_id,
        payment_status: h.payment_status,
        tender_id: h.tender_id,
        tender_status: h.tender_status,
        partner: h.partner,
        method: h.method,
        partner_reference: h.partner_reference,
        amount_held: toMinor(BigInt(h.amount_held)),
        currency: h.currency,
        failed_voids: h.failed_voids,
        last_void: {
          partner_status: h.last_void_partner_status,
          partner_status_description: h.last_void_partner_status_description,
          at: h.last_void_at.toISOString(),
        },
        instruction: RELEASE_AT_PARTNER,
      })),
      disabled_webhook_endpoints: endpoints.map((e) => ({
        id: e.id,
        entity_id: e.entityId,
        url: e.url,
        failing_since: e.failingSince?.toISOString() ?? null,
        disabled_at: e.disabledAt!.toISOString(),
      })),
      failed_jobs: jobs,
    };
  }

  async retryOutcome(operator: ConsoleOperator, id: string, why: string) {
    return retryOutcome(this.db, this.outbox, id, {
      by: operator.email,
      reason: why,
      operatorId: operator.id,
    }).catch((error: unknown) => Promise.reject(outcomeError(error)));
  }

  async resolveOutcome(operator: ConsoleOperator, id: string, as: 'succeeded' | 'failed', why: string) {
    return resolveOutcome(
      this.db,
      this.outbox,
      id,
      { as },
      { by: operator.email, reason: why, operatorId: operator.id },
    ).catch((error: unknown) => Promise.reject(outcomeError(error)));
  }

  /** Redelivers the endpoint's failed payment events (which re-enables it), newest last. */
  async redeliverEndpoint(operator: ConsoleOperator, endpointId: string, why: string) {
    const endpoint = await this.prisma.webhookEndpoint.findUnique({ where: { id: endpointId } });
    if (!endpoint) throw ApiError.notFound('webhook endpoint', endpointId);
    const failed = await findFailedPaymentEventsTo(this.db, endpoint.entityId, endpoint.url, REDELIVER_LIMIT);
    for (const event of failed) await this.events.redeliver(endpoint.entityId, event.paymentId, event.id);
    if (failed.length === 0) {
      await this.prisma.webhookEndpoint.update({
        where: { id: endpoint.id },
        data: { disabledAt: null, failingSince: null },
      });
    }
    await this.audit(operator, 'webhook.redeliver', 'webhook_endpoint', endpoint.id, why, {
      url: endpoint.url,
      events: failed.length,
    });
    return { endpoint_id: endpoint.id, redelivered: failed.map((e) => e.id) };
  }

  async retryJob(operator: ConsoleOperator, queueName: string, jobId: string, why: string) {
    const queue = (await this.queues.queues()).find((q) => q.name === queueName);
    const job = queue ? await queue.getJob(jobId) : undefined;
    if (!job || !(await job.isFailed())) throw ApiError.notFound('failed job', `${queueName}/${jobId}`);
    await job.retry('failed');
    await this.audit(operator, 'job.retry', 'job', UUID.exec(jobId)?.[0] ?? NO_SUBJECT, why, {
      queue: queueName,
      job_id: jobId,
    });
    return { queue: queueName, job_id: jobId, retried: true };
  }

  private async failedJobs() {
    const queues = await this.queues.queues();
    const perQueue = await Promise.all(
      queues.map(async (queue: Queue) => {
        const jobs = await queue.getFailed(0, FAILED_JOBS_PER_QUEUE - 1);
        // The job's name, id and error only: its data may carry a webhook's payload.
        return jobs.map((job) => ({
          queue: queue.name,
          id: job.id,
          name: job.name,
          attempts: job.attemptsMade,
          failed_reason: (job.failedReason ?? '').slice(0, 300),
          failed_at: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
        }));
      }),
    );
    return perQueue.flat();
  }

  private async audit(
    operator: ConsoleOperator,
    action: string,
    targetType: string,
    targetId: string,
    why: string,
    details: Prisma.InputJsonObject,
  ): Promise<void> {
    await this.prisma.auditLog.create({
      data: {
        id: newId(),
        actor: operator.email,
        operatorId: operator.id,
        action,
        targetType,
        targetId,
        reason: why,
        details: details,
      },
    });
  }
}
