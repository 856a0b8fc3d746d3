import { Inject, Injectable } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { tendersToAuthorizeNow } from '@tender/domain';
import { CONFIG, Outbox, partnerJob, PaymentNotifications, type QueuedJob } from '@tender/infra';
import { methodDefinition } from '@tender/partners';
import {
  combine,
  DataCipher,
  Database,
  insertOutboxJobs,
  insertPaymentWithTenders,
  listPartnerMethods,
  loadAuthorizationProgress,
  loadPayment,
  newId,
  PrismaClient,
  runStatement,
  sealInstrument,
  sealWebhookHeaders,
  submitSession,
  type Prisma,
  type Sql,
  type Statement,
} from '@tender/persistence';
import { ApiError, type FieldError } from '../../http/api-error';
import { assertEntity } from '../../http/entity';
import type { IdempotencyContext } from '../../idempotency/idempotency.service';
import { IdempotencyService } from '../../idempotency/idempotency.service';
import { fieldPath } from '../../validation/parse';
import type { CreatePaymentBody, SplitEntry } from '../payment.schemas';
import { recordSessionStatusEvent } from '@tender/payments';
import type { PaymentSignalState } from '@tender/observability';
import { PaymentRepository } from '../payment.repository';

const RECOVERY_POINT = 'payment_created';

/** A split entry resolved to a partner, a method and the instrument to send. */
interface ResolvedTender {
  partner: string;
  method: string;
  amount: number;
  instrument: Record<string, unknown>;
  immediateDebit: boolean;
  parentPaymentId?: string;
  parentPartnerTransactionId?: string;
}

/**
 * Create payment: validate against the entity's configuration, write the payment, its tenders and
 * their first authorization jobs in one transaction, enqueue, then wait a bounded time for the outcome.
 */
@Injectable()
export class CreatePaymentUseCase {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly db: Database,
    private readonly cipher: DataCipher,
    private readonly payments: PaymentRepository,
    private readonly outbox: Outbox,
    private readonly notifications: PaymentNotifications,
    private readonly idempotency: IdempotencyService,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  async execute(
    entityId: string,
    body: CreatePaymentBody,
    idempotency?: IdempotencyContext,
  ): Promise<Record<string, unknown>> {
    assertEntity(entityId, body.entity_id);
    if (idempotency?.recoveryPoint === RECOVERY_POINT && idempotency.resourceId) {
      // An earlier attempt with this key committed the payment, then died: answer with it.
      return this.respond(entityId, idempotency.resourceId);
    }
    const { eligible: eligibleByPartner, sessionWebhook } = await this.eligibility(
      entityId,
      body.client_session_id,
      body,
    );
    const tenders = await this.resolveTenders(entityId, body.split, eligibleByPartner);

    const paymentId = newId();
    const tenderIds = tenders.map(() => newId());
    const firstJobs = tendersToAuthorizeNow(
      tenders.map((tender, i) => ({
        id: tenderIds[i],
        status: 'PENDING',
        immediateDebit: tender.immediateDebit,
      })),
    ).map((id) => partnerJob(tenders[tenderIds.indexOf(id)].partner, { kind: 'authorize', tenderId: id }));
    // The payment, its tenders, the idempotency key's recovery point and the first jobs: one statement.
    const insertPayment = combine(
      [
        ...insertPaymentWithTenders(
          {
            id: paymentId,
            entityId,
            clientSessionId: body.client_session_id ?? null,
            amount: body.amount,
            currency: body.currency,
            captureMode: body.capture_mode,
            allowFutureUsage: body.allow_future_usage ?? false,
            orderReference: body.order_reference ?? body.order?.reference ?? null,
            order: body.order,
            customer: body.customer,
            browser: body.browser,
            threeDsOptions: body.three_ds_authentication_options,
            shopperRedirectionUrl: body.shopper_redirection_url ?? null,
            webhook: sealWebhookHeaders(this.cipher, body.webhook ?? sessionWebhook),
          },
          tenders.map((tender, position) => ({
            id: tenderIds[position],
            partner: tender.partner,
            method: tender.method,
            amount: tender.amount,
            instrument: sealInstrument(this.cipher, tender.instrument),
            parentPaymentId: tender.parentPaymentId ?? null,
            parentPartnerTransactionId: tender.parentPartnerTransactionId ?? null,
          })),
        ),
        this.idempotency.recoveryPointWrite(idempotency, RECOVERY_POINT, paymentId),
        insertOutboxJobs(firstJobs),
      ].filter((statement): statement is Statement => statement !== undefined),
    );
    const writePayment = async (db: Sql) =>
      (await runStatement<{ id: string }>(db, insertPayment)).map((row) => row.id);

    const jobs: QueuedJob[] = [...firstJobs];
    const sessionId = body.client_session_id;
    const write = async () => {
      const outboxIds = !sessionId
        ? await writePayment(this.db)
        : await this.db.transaction(async (tx) => {
            const written = await writePayment(tx);
            const submitted = await submitSession(tx, sessionId, entityId, paymentId);
            if (!submitted) {
              throw ApiError.conflict(
                'client_session_not_open',
                'The client session is no longer open for a payment.',
              );
            }
            const events = await recordSessionStatusEvent(tx, sessionId);
            jobs.push(...events);
            return [...written, ...(await this.outbox.write(tx, events))];
          });
      await this.outbox.publish(jobs, outboxIds);
    };

    // Listen, write, then wait: no signal of the new payment's jobs can come before the wait listens.
    const listener = await this.notifications.listen(paymentId);
    try {
      await write();
      // A new payment is PENDING: nothing is decided yet.
      const settled = await listener.until(this.decided(paymentId), this.config.API_WAIT_FOR_OUTCOME_MS);
      return await this.payments.view(entityId, paymentId, settled);
    } finally {
      await listener.close();
    }
  }

  /** An earlier request with the same idempotency key created the payment: wait as it would have. */
  private async respond(entityId: string, paymentId: string): Promise<Record<string, unknown>> {
    const check = this.decided(paymentId);
    return this.payments.view(
      entityId,
      paymentId,
      await this.notifications.waitFor(paymentId, check, this.config.API_WAIT_FOR_OUTCOME_MS),
    );
  }

  /**
   * Whether the authorization is decided or needs the shopper. Signals carry the committed status (a
   * decided outcome never goes back); a replay's first check and the polls read it with one light
   * query. A signal that settles it carries the payment's view at that commit: the answer, unread.
   */
  private decided(paymentId: string) {
    return async (signalled: PaymentSignalState[]): Promise<Record<string, unknown> | true | undefined> => {
      const decided = signalled.find((s) => s.status !== 'PENDING' || s.needsShopper);
      if (decided) return decided.view ?? true;
      if (signalled.length) return undefined;
      const progress = await loadAuthorizationProgress(this.db, paymentId);
      return progress && (progress.status !== 'PENDING' || progress.needsShopper) ? true : undefined;
    };
  }

  /**
   * partner → eligible methods for this entity, narrowed to the session's solutions when there is
   * one (whose webhook config the payment then inherits).
   */
  private async eligibility(
    entityId: string,
    sessionId: string | undefined,
    body: CreatePaymentBody,
  ): Promise<{ eligible: Map<string, Set<string>>; sessionWebhook?: Prisma.JsonValue }> {
    const accounts = await listPartnerMethods(this.db, entityId);
    const eligible = new Map(accounts.map((a) => [a.partner, new Set(a.methods)]));
    if (!sessionId) return { eligible };

    const session = await this.prisma.clientSession.findFirst({ where: { id: sessionId, entityId } });
    if (!session) throw ApiError.notFound('client session', sessionId);
    if (session.status === 'EXPIRED' || (session.status === 'CREATED' && session.expiresAt <= new Date())) {
      throw ApiError.conflict('client_session_expired', 'The client session has expired.');
    }
    if (session.status !== 'CREATED') {
      throw ApiError.conflict(
        'client_session_not_open',
        `The client session is ${session.status}, not open for a payment.`,
      );
    }
    const mismatches: FieldError[] = [];
    if (Number(session.amount) !== body.amount) {
      mismatches.push({
        field: 'amount',
        code: 'session_mismatch',
        message: `must equal the client session amount ${session.amount}`,
      });
    }
    if (session.currency !== body.currency) {
      mismatches.push({
        field: 'currency',
        code: 'session_mismatch',
        message: `must equal the client session currency ${session.currency}`,
      });
    }
    if (mismatches.length) {
      throw new ApiError(422, 'session_mismatch', 'Unprocessable request', mismatches[0].message, mismatches);
    }
    const solutions = session.eligibleSolutions as Array<{ partner: string; method: string }>;
    const narrowed = new Map<string, Set<string>>();
    for (const { partner, method } of solutions) {
      if (eligible.get(partner)?.has(method))
        narrowed.set(partner, (narrowed.get(partner) ?? new Set()).add(method));
    }
    return { eligible: narrowed, sessionWebhook: session.webhook };
  }

  private async resolveTenders(
    entityId: string,
    split: SplitEntry[],
    eligible: Map<string, Set<string>>,
  ): Promise<ResolvedTender[]> {
    const errors: FieldError[] = [];
    const resolved: ResolvedTender[] = [];
    for (const [index, entry] of split.entries()) {
      const at = (...path: Array<string | number>) => fieldPath(['split', index, ...path]);
      if ('parent_payment_id' in entry) {
        const parent = await this.resolveParent(
          entityId,
          entry.parent_payment_id,
          at('parent_payment_id'),
          errors,
        );
        if (parent) resolved.push({ ...parent, amount: entry.amount });
        continue;
      }
      const definition = methodDefinition(entry.partner, entry.method);
      if (!definition || !eligible.get(entry.partner)?.has(entry.method)) {
        errors.push({
          field: at('method'),
          code: 'tender_not_eligible',
          message: `${entry.partner}/${entry.method} is not eligible for this ${eligible.size ? 'payment' : 'entity'}`,
        });
        continue;
      }
      const instrument = definition.instrument.safeParse(entry.payment_method ?? {});
      if (!instrument.success) {
        for (const issue of instrument.error.issues) {
          errors.push({
            field: at('payment_method', ...(issue.path as Array<string | number>)),
            code: 'invalid_payment_method',
            message: issue.message,
          });
        }
        continue;
      }
      resolved.push({
        partner: entry.partner,
        method: entry.method,
        amount: entry.amount,
        instrument: instrument.data as Record<string, unknown>,
        immediateDebit: definition.capabilities.immediateDebit,
      });
    }
    if (errors.length)
      throw new ApiError(
        422,
        'invalid_split',
        'Unprocessable request',
        `${errors[0].field}: ${errors[0].message}`,
        errors,
      );
    return resolved;
  }

  /** A merchant-initiated tender reuses the stored credential of a parent payment made with allow_future_usage. */
  private async resolveParent(
    entityId: string,
    parentId: string,
    field: string,
    errors: FieldError[],
  ): Promise<Omit<ResolvedTender, 'amount'> | undefined> {
    const parent = await loadPayment(this.db, parentId, entityId);
    const reusable = parent?.partnerTransactions.find(
      (t) => t.partnerToken && methodDefinition(t.partner, t.method)?.reusableCredential,
    );
    if (!parent) {
      errors.push({ field, code: 'parent_payment_not_found', message: 'no such payment' });
    } else if (!parent.allowFutureUsage) {
      errors.push({
        field,
        code: 'parent_not_reusable',
        message: 'the parent payment was not made with allow_future_usage',
      });
    } else if (!reusable) {
      errors.push({
        field,
        code: 'parent_not_reusable',
        message: 'the parent payment holds no reusable credential',
      });
    } else {
      return {
        partner: reusable.partner,
        method: reusable.method,
        instrument: { partner_token: reusable.partnerToken },
        immediateDebit: false,
        parentPaymentId: parent.id,
        parentPartnerTransactionId: reusable.id,
      };
    }
    return undefined;
  }
}
