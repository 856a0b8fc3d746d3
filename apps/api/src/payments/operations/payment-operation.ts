import { Inject, Injectable } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { allocateOperation, availableFor, type AllocatableTender, type Allocation } from '@tender/domain';
import { CONFIG, Outbox, PaymentNotifications, type QueuedJob } from '@tender/infra';
import {
  allocatableTenders,
  OPERATION_KIND,
  byCreation,
  paymentEventsWrite,
  writeOperation,
  type OperationPlan,
  type OperationType,
  type OperationWithLegs,
  type PaymentAggregate,
  type WebhookConfig,
} from '@tender/payments';
import {
  bumpPaymentVersion,
  Database,
  loadOperationStatus,
  lockPaymentStatement,
  type Sql,
} from '@tender/persistence';
import type { PaymentSignalState } from '@tender/observability';
import { ApiError } from '../../http/api-error';
import type { IdempotencyContext } from '../../idempotency/idempotency.service';
import { IdempotencyService } from '../../idempotency/idempotency.service';
import type { OperationBody } from '../payment.schemas';
import { PaymentRepository } from '../payment.repository';

const RECOVERY_POINT = 'operation_created';

/** What a capture, a void or a refund allows (each use case declares its own). */
export interface OperationRules {
  type: OperationType;
  /** Statuses in which a payment accepts the operation. */
  allowedStatuses: readonly string[];
  /** The `amounts` field that says how much is left, named in a 422. */
  availableField: string;
  /** Operations that follow from this one, written with it (a capture's release of the rest). */
  followUps?(tenders: AllocatableTender[], allocations: Allocation[]): OperationPlan | undefined;
}

/** A merchant's capture, void or refund of one payment. */
export interface OperationCommand {
  entityId: string;
  paymentId: string;
  body: OperationBody;
}

/**
 * How a capture, void or refund (fully or partly) runs, read top to bottom in `run`: listen → lock
 * and load → check → allocate → write → enqueue → wait. Allocated across tenders by the domain,
 * written with its jobs in one transaction under the payment's row lock, then executed by the workers
 * while the request waits a bounded time for the outcome.
 */
@Injectable()
export class PaymentOperationFlow {
  constructor(
    private readonly db: Database,
    private readonly payments: PaymentRepository,
    private readonly outbox: Outbox,
    private readonly notifications: PaymentNotifications,
    private readonly idempotency: IdempotencyService,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  async run(
    rules: OperationRules,
    { entityId, paymentId, body }: OperationCommand,
    idempotency?: IdempotencyContext,
  ): Promise<Record<string, unknown>> {
    if (idempotency?.recoveryPoint === RECOVERY_POINT && idempotency.resourceId) {
      return this.respond(entityId, paymentId, idempotency.resourceId);
    }
    // Listen first: no signal of the operation's jobs can come before the wait listens.
    const listener = await this.notifications.listen(paymentId);
    try {
      const written = await this.db.transaction(
        async (tx, locked) => {
          if (locked.length === 0) throw ApiError.notFound('payment', paymentId);
          const payment = await this.payments.get(entityId, paymentId, tx);
          const decided = this.decide(payment, rules, body);
          const written = await this.write(tx, payment, rules, body, decided);
          return this.enqueue(tx, payment, written, idempotency);
        },
        lockPaymentStatement(paymentId, entityId),
      );
      await this.outbox.publish(written.jobs, written.outboxIds);
      // Legs that need no partner call are settled when written: such an operation is decided already.
      const settled =
        written.status !== 'PENDING'
          ? true
          : await listener.until(this.decided(written.operationId), this.config.API_WAIT_FOR_OUTCOME_MS);
      return await this.payments.view(entityId, paymentId, settled);
    } finally {
      await listener.close();
    }
  }

  /**
   * In the same transaction: the jobs of the new legs and the merchant events to the outbox, the
   * payment's new version, the idempotency key's recovery point. One round trip: they do not depend
   * on each other.
   */
  private async enqueue(
    tx: Sql,
    payment: PaymentAggregate,
    written: { operationId: string; operations: OperationWithLegs[]; jobs: QueuedJob[] },
    idempotency?: IdempotencyContext,
  ) {
    // The payment after this change, built from the rows just written (no re-read).
    const updatedAt = new Date();
    const after: PaymentAggregate = {
      ...payment,
      version: payment.version + 1,
      updatedAt,
      operations: [...payment.operations, ...written.operations].sort(byCreation),
    };
    const events = paymentEventsWrite(payment, after, after.webhook as WebhookConfig | null);
    const jobs = [...written.jobs, ...events.jobs];
    const outboxIds = await this.outbox.writeWith(tx, jobs, [
      bumpPaymentVersion(payment.id, updatedAt),
      events.statement,
      this.idempotency.recoveryPointWrite(idempotency, RECOVERY_POINT, written.operationId),
    ]);
    return { operationId: written.operationId, status: written.operations[0].status, jobs, outboxIds };
  }

  private decide(payment: PaymentAggregate, rules: OperationRules, body: OperationBody) {
    const type = rules.type;
    const kind = OPERATION_KIND[type];
    if (!rules.allowedStatuses.includes(payment.status)) {
      throw ApiError.conflict(
        'payment_status_incompatible',
        `A ${kind} is not possible while the payment authorization is ${payment.status}.`,
      );
    }
    const tenders = allocatableTenders(payment, type);
    const unsettled = payment.operations.flatMap((o) => o.legs).filter((leg) => leg.status === 'UNKNOWN');
    // No follow-up operation on a tender whose last operation has an unknown outcome.
    const usable = tenders.filter((t) => !unsettled.some((leg) => leg.partnerTransactionId === t.id));
    const available = usable.reduce((total, t) => total + Math.max(0, availableFor(kind, t)), 0);
    const amount = body.amount ?? available;
    if (amount === 0 || amount > available) {
      const blockedByUnknown = usable.length < tenders.length;
      throw ApiError.unprocessable(
        blockedByUnknown ? 'tender_outcome_unknown' : 'amount_exceeds_available',
        blockedByUnknown
          ? `A previous operation on this payment has an unknown outcome; it is being settled. At most ${available} can be ${kind}d now.`
          : `The ${kind} amount ${amount} exceeds ${rules.availableField} ${available}.`,
        { [rules.availableField]: available },
      );
    }
    const allocation = allocateOperation(kind, amount, usable);
    if (!allocation.ok) throw ApiError.unprocessable(allocation.code, allocation.reason);
    return { amount, allocations: allocation.allocations, tenders: usable };
  }

  private async write(
    tx: Sql,
    payment: PaymentAggregate,
    rules: OperationRules,
    body: OperationBody,
    decided: ReturnType<PaymentOperationFlow['decide']>,
  ): Promise<{ operationId: string; operations: OperationWithLegs[]; jobs: QueuedJob[] }> {
    const plans: OperationPlan[] = [
      {
        type: rules.type,
        amount: decided.amount,
        legs: decided.allocations.map((a) => ({ tenderId: a.tenderId, amount: a.amount })),
        triggeredBy: 'MERCHANT',
        merchantReference: body.merchant_reference,
        order: body.order,
      },
    ];
    const followUp = rules.followUps?.(decided.tenders, decided.allocations);
    if (followUp) plans.push(followUp);
    const written = [];
    for (const plan of plans) written.push(await writeOperation(tx, payment, plan));
    return {
      operationId: written[0].operationId,
      operations: written.map((w) => w.operation),
      jobs: written.flatMap((w) => w.jobs),
    };
  }

  /** An earlier request with the same idempotency key wrote the operation: wait as it would have. */
  private async respond(entityId: string, paymentId: string, operationId: string) {
    const check = this.decided(operationId);
    return this.payments.view(
      entityId,
      paymentId,
      await this.notifications.waitFor(paymentId, check, this.config.API_WAIT_FOR_OUTCOME_MS),
    );
  }

  /**
   * Whether the operation is decided. Signals carry its committed status (once decided, it stays); a
   * replay's first check and the polls read it with one light query. A signal that settles it carries
   * the payment's view at that commit: the answer, without a read.
   */
  private decided(operationId: string) {
    return async (signalled: PaymentSignalState[]): Promise<Record<string, unknown> | true | undefined> => {
      const states = signalled.filter((s) => s.operations[operationId]);
      const decided = states.find((s) => s.operations[operationId] !== 'PENDING');
      if (decided) return decided.view ?? true;
      if (states.length) return undefined;
      const status = await loadOperationStatus(this.db, operationId);
      return status && status !== 'PENDING' ? true : undefined;
    };
  }
}
