import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { canTransition, type OperationLegStatus, type TenderStatus } from '@tender/domain';
import { CONFIG, partnerJob, type PartnerJob } from '@tender/infra';
import {
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  type AuthorizeRequest,
  type AuthorizeResult,
  type OperationRequest,
  type OperationResult,
  type PartnerAdapter,
} from '@tender/partners';
import { Database, json, toMinor } from '@tender/persistence';
import {
  claimFirstAttempt,
  findPaymentAggregateOf,
  LEG_ROW,
  putLeg,
  putTender,
  TENDER_ROW,
  type OperationWithLegs,
  type PaymentAggregate,
} from '@tender/payments';
import type { OperationTransaction, PartnerTransaction } from '@tender/persistence/generated/prisma/client';
import { addLogContext } from '@tender/observability';
import { AdapterRegistry } from './adapter-registry';
import { PartnerAccounts } from './partner-accounts';
import { PaymentSettler } from './settle';

type LegKind = 'capture' | 'void' | 'refund';
const LEG_KIND: Record<string, LegKind> = { CAPTURE: 'capture', VOID: 'void', REFUND: 'refund' };

/** Bookkeeping of the reconciler on an open outcome, kept in `last_error`. */
interface OpenOutcome {
  reason: string;
  checks: number;
  gave_up?: boolean;
  at: string;
}

/**
 * Drives partner transactions to a final state: authorizations, fraud approvals and operation legs,
 * and the reconciliation of outcomes left unknown by timeouts, resets and 5xx answers.
 * Every handler re-reads the state first, so a job run twice (BullMQ is at least once) is harmless,
 * and every partner call carries a key derived from our id, so a call sent twice is too.
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger('dispatch');

  constructor(
    private readonly db: Database,
    private readonly adapters: AdapterRegistry,
    private readonly accounts: PartnerAccounts,
    private readonly settler: PaymentSettler,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  async handle(job: PartnerJob): Promise<void> {
    switch (job.kind) {
      case 'authorize':
        return this.authorize(job.tenderId);
      case 'reconcile-authorization':
        return this.reconcileAuthorization(job.tenderId);
      case 'approve':
        return this.approve(job.tenderId);
      case 'operation':
        return this.runLeg(job.legId);
      case 'reconcile-operation':
        return this.reconcileLeg(job.legId);
    }
  }

  /** The partner's adapter; the payment joins the job's log context. */
  private adapter(partner: string, paymentId: string): PartnerAdapter {
    addLogContext({ payment_id: paymentId });
    return this.adapters.get(partner);
  }

  // ---- authorizations -------------------------------------------------------------------------

  private async authorize(tenderId: string): Promise<void> {
    // Count the attempt before calling: after a crash, attempts > 0 says a call may have reached the
    // partner. The usual case, a first attempt, is claimed and read in one statement.
    const first = await claimFirstAttempt(this.db, { tenderId });
    const claimed = first && {
      payment: first,
      tender: first.partnerTransactions.find((t) => t.id === tenderId)!,
    };
    const { tender, payment } = claimed ?? (await this.loadTender(tenderId)) ?? {};
    if (!tender || !payment || tender.status !== 'PENDING') return;
    if (!claimed && (payment.status === 'REFUSED' || payment.status === 'CANCELLED')) {
      await this.settler.change(tender.paymentId, async () => undefined); // the saga cancels it unsent
      return;
    }
    const request = await this.authorizeRequest(tender, payment);
    const adapter = this.adapter(tender.partner, tender.paymentId);
    if (!claimed && !(await this.claim('partner_transaction', tenderId, tender.attempts, 'PENDING'))) return; // another run got here first
    try {
      let result: AuthorizeResult | undefined;
      if (tender.attempts > 0) {
        // A previous run may have sent it: ask before sending again (Paytronix has no idempotency key).
        const found = await adapter.fetchAuthorization(request);
        if (found.outcome !== 'NOT_FOUND') result = found;
      }
      result ??= await adapter.authorize(request);
      await this.applyAuthorization(tender, result);
    } catch (error) {
      await this.authorizationFailed(tender, error);
    }
  }

  private async approve(tenderId: string): Promise<void> {
    const { tender, payment } = (await this.loadTender(tenderId)) ?? {};
    if (!tender || !payment || tender.status !== 'PENDING_FRAUD_APPROVAL' || !tender.partnerReference) return;
    const adapter = this.adapter(tender.partner, tender.paymentId);
    if (!adapter.approve) throw new Error(`${tender.partner} cannot approve a payment held for review`);
    const request = await this.authorizeRequest(tender, payment);
    try {
      const result = await adapter.approve({ ...request, partnerReference: tender.partnerReference });
      await this.applyAuthorization(tender, result);
    } catch (error) {
      if (error instanceof UnknownOutcomeError) {
        await this.scheduleCheck(tender, { kind: 'reconcile-authorization', tenderId }, error.message);
        return;
      }
      throw error;
    }
  }

  private async reconcileAuthorization(tenderId: string): Promise<void> {
    const { tender, payment } = (await this.loadTender(tenderId)) ?? {};
    if (
      !tender ||
      !payment ||
      !['UNKNOWN', 'PENDING', 'REQUIRES_ACTION', 'PENDING_FRAUD_APPROVAL'].includes(tender.status)
    )
      return;
    if (tender.attempts === 0) return; // never sent: its authorize job will do it
    const adapter = this.adapter(tender.partner, tender.paymentId);
    const request = await this.authorizeRequest(tender, payment);
    try {
      let result = await adapter.fetchAuthorization({
        ...request,
        partnerReference: tender.partnerReference ?? undefined,
      });
      if (result.outcome === 'NOT_FOUND') {
        if (tender.status !== 'UNKNOWN' && tender.status !== 'PENDING') return;
        // The partner never got it: send it now (same idempotency key, same reference). Only the run
        // that claims the attempt sends: concurrent lookups (schedule, webhook hint, GET refresh) must
        // not all resend a call that has no idempotency key (a Paytronix redeem).
        if (!(await this.claim('partner_transaction', tenderId, tender.attempts))) return;
        result = await adapter.authorize(request);
      }
      await this.applyAuthorization(tender, result);
      const after = (await this.loadTender(tenderId))?.tender;
      // A hosted page or fraud review still open: keep looking on the schedule.
      if (after && ['REQUIRES_ACTION', 'UNKNOWN'].includes(after.status) && after.status === tender.status) {
        await this.scheduleCheck(
          after,
          { kind: 'reconcile-authorization', tenderId },
          `still ${after.status}`,
        );
      }
    } catch (error) {
      await this.authorizationFailed(tender, error);
    }
  }

  private async authorizationFailed(tender: PartnerTransaction, error: unknown): Promise<void> {
    if (error instanceof UnknownOutcomeError || error instanceof PartnerProtocolError) {
      this.logger.warn(`authorization ${tender.id} at ${tender.partner}: unknown outcome (${error.message})`);
      await this.scheduleCheck(
        tender,
        { kind: 'reconcile-authorization', tenderId: tender.id },
        error.message,
      );
      return;
    }
    if (error instanceof PartnerRejectedError) {
      await this.applyAuthorization(
        tender,
        {
          outcome: 'REFUSED',
          partnerStatus: error.partnerStatus,
          partnerStatusDescription: error.message,
        },
        'FAILED',
      );
      return;
    }
    throw error; // our own infrastructure: BullMQ retries with backoff
  }

  private async applyAuthorization(
    tender: PartnerTransaction,
    result: AuthorizeResult,
    failAs?: TenderStatus,
  ): Promise<void> {
    const target: TenderStatus | undefined =
      failAs ?? (result.outcome === 'NOT_FOUND' ? undefined : (result.outcome as TenderStatus));
    await this.settler.change(tender.paymentId, async (tx, payment) => {
      const current = payment.partnerTransactions.find((t) => t.id === tender.id)!;
      const moves =
        target &&
        target !== current.status &&
        canTransition('tender', current.status as TenderStatus, target);
      if (target && target !== current.status && !moves) {
        this.logger.warn(`ignored ${current.status} → ${target} on ${tender.id}: never backwards`);
        return;
      }
      // A field the partner did not send keeps its value (COALESCE).
      const [updated] = await tx.query<{ row: Record<string, unknown> }>(
        `UPDATE partner_transaction
            SET status = COALESCE($2::text, status),
                partner_reference = COALESCE($3::text, partner_reference),
                partner_status = COALESCE($4::text, partner_status),
                partner_status_description = COALESCE($5::text, partner_status_description),
                partner_token = COALESCE($6::text, partner_token),
                card = COALESCE($7::jsonb, card),
                partner_additional_data = COALESCE($8::jsonb, partner_additional_data),
                redirect_url = COALESCE($9::text, redirect_url),
                next_check_at = CASE WHEN $10::boolean THEN NULL ELSE next_check_at END,
                updated_at = clock_timestamp()
          WHERE id = $1::uuid
      RETURNING ${TENDER_ROW}`,
        [
          tender.id,
          moves ? target : null,
          result.partnerReference ?? null,
          result.partnerStatus ?? null,
          result.partnerStatusDescription ?? null,
          result.partnerToken ?? null,
          json(result.card),
          json(result.additionalData),
          result.redirectUrl ?? null,
          !!moves && target !== 'REQUIRES_ACTION',
        ],
      );
      await putTender(tx, payment, updated.row);
      if (moves && target === 'REQUIRES_ACTION') {
        const job: PartnerJob = { kind: 'reconcile-authorization', tenderId: tender.id };
        return [partnerJob(tender.partner, job, this.config.RECONCILE_SCHEDULE_MS[0])];
      }
    });
  }

  // ---- operation legs -------------------------------------------------------------------------

  private async runLeg(legId: string): Promise<void> {
    const first = await claimFirstAttempt(this.db, { legId }); // as in authorize
    const leg = first ? legIn(first, legId) : await this.loadLeg(legId);
    if (!leg || leg.status !== 'PENDING') return;
    if (!first && !(await this.claim('operation_transaction', legId, leg.attempts, 'PENDING'))) return;
    const kind = LEG_KIND[leg.operation.type];
    const adapter = this.adapter(leg.partnerTransaction.partner, leg.operation.paymentId);
    const request = await this.operationRequest(leg);
    try {
      let result: OperationResult | undefined;
      if (leg.attempts > 0) {
        const found = await adapter.fetchOperation(kind, request);
        if (found.outcome !== 'NOT_FOUND') result = found;
      }
      result ??= await adapter[kind](request);
      await this.applyLeg(leg, result);
    } catch (error) {
      await this.legFailed(leg, error);
    }
  }

  private async reconcileLeg(legId: string): Promise<void> {
    const leg = await this.loadLeg(legId);
    if (!leg || !['PENDING', 'UNKNOWN'].includes(leg.status) || leg.attempts === 0) return;
    const kind = LEG_KIND[leg.operation.type];
    const adapter = this.adapter(leg.partnerTransaction.partner, leg.operation.paymentId);
    const request = await this.operationRequest(leg);
    try {
      let result = await adapter.fetchOperation(kind, request);
      if (result.outcome === 'NOT_FOUND') {
        if (!(await this.claim('operation_transaction', legId, leg.attempts))) return; // another lookup is resending it
        result = await adapter[kind](request);
      }
      await this.applyLeg(leg, result);
    } catch (error) {
      await this.legFailed(leg, error);
    }
  }

  private async legFailed(leg: LoadedLeg, error: unknown): Promise<void> {
    if (error instanceof UnknownOutcomeError || error instanceof PartnerProtocolError) {
      this.logger.warn(`${leg.operation.type} leg ${leg.id}: unknown outcome (${error.message})`);
      await this.scheduleLegCheck(leg, error.message);
      return;
    }
    if (error instanceof PartnerRejectedError) {
      await this.applyLeg(leg, {
        outcome: 'FAILED',
        partnerStatus: error.partnerStatus,
        partnerStatusDescription: error.message,
      });
      return;
    }
    throw error;
  }

  private async applyLeg(leg: LoadedLeg, result: OperationResult): Promise<void> {
    if (result.outcome === 'PENDING' || result.outcome === 'NOT_FOUND') {
      await this.scheduleLegCheck(leg, `partner reports ${result.outcome}`, result);
      return;
    }
    await this.settler.change(leg.operation.paymentId, async (tx, payment) => {
      const current = legOf(payment, leg.id);
      if (
        !current ||
        !canTransition(
          'operationLeg',
          current.status as OperationLegStatus,
          result.outcome as OperationLegStatus,
        )
      )
        return;
      const [updated] = await tx.query<{ row: Record<string, unknown> }>(
        `UPDATE operation_transaction
            SET status = $2::text,
                partner_reference = COALESCE($3::text, partner_reference),
                partner_status = COALESCE($4::text, partner_status),
                partner_status_description = COALESCE($5::text, partner_status_description),
                next_check_at = NULL,
                updated_at = clock_timestamp()
          WHERE id = $1::uuid
      RETURNING ${LEG_ROW}`,
        [
          leg.id,
          result.outcome,
          result.partnerReference ?? null,
          result.partnerStatus ?? null,
          result.partnerStatusDescription ?? null,
        ],
      );
      await putLeg(tx, payment, updated.row);
    });
  }

  // ---- reconciliation schedule ----------------------------------------------------------------

  /** Marks an open outcome and plans the next status lookup; after the last one, flags it for an operator. */
  private async scheduleCheck(tender: PartnerTransaction, job: PartnerJob, reason: string): Promise<void> {
    await this.settler.change(tender.paymentId, async (tx, payment) => {
      const current = payment.partnerTransactions.find((t) => t.id === tender.id)!;
      const next = this.nextCheck(current.lastError, reason, `${tender.partner} authorization ${tender.id}`);
      const toUnknown = current.status === 'PENDING' && canTransition('tender', 'PENDING', 'UNKNOWN');
      const [updated] = await tx.query<{ row: Record<string, unknown> }>(
        `UPDATE partner_transaction
            SET status = CASE WHEN $2::boolean THEN 'UNKNOWN' ELSE status END,
                unknown_since = CASE WHEN $2::boolean THEN clock_timestamp() ELSE unknown_since END,
                last_error = $3::jsonb, next_check_at = $4::timestamptz, updated_at = clock_timestamp()
          WHERE id = $1::uuid
      RETURNING ${TENDER_ROW}`,
        [tender.id, toUnknown, json(next.lastError), next.at?.toISOString() ?? null],
      );
      await putTender(tx, payment, updated.row);
      return next.at ? [partnerJob(tender.partner, job, next.delayMs)] : [];
    });
  }

  private async scheduleLegCheck(leg: LoadedLeg, reason: string, result?: OperationResult): Promise<void> {
    await this.settler.change(leg.operation.paymentId, async (tx, payment) => {
      const current = legOf(payment, leg.id);
      if (!current || !['PENDING', 'UNKNOWN'].includes(current.status)) return;
      const next = this.nextCheck(current.lastError, reason, `${leg.operation.type} leg ${leg.id}`);
      const [updated] = await tx.query<{ row: Record<string, unknown> }>(
        `UPDATE operation_transaction
            SET status = $2::text,
                partner_reference = COALESCE($3::text, partner_reference),
                partner_status = COALESCE($4::text, partner_status),
                last_error = $5::jsonb, next_check_at = $6::timestamptz, updated_at = clock_timestamp()
          WHERE id = $1::uuid
      RETURNING ${LEG_ROW}`,
        [
          leg.id,
          'UNKNOWN' satisfies OperationLegStatus,
          result?.partnerReference ?? null,
          result?.partnerStatus ?? null,
          json(next.lastError),
          next.at?.toISOString() ?? null,
        ],
      );
      await putLeg(tx, payment, updated.row);
      const job: PartnerJob = { kind: 'reconcile-operation', legId: leg.id };
      return next.at ? [partnerJob(leg.partnerTransaction.partner, job, next.delayMs)] : [];
    });
  }

  /**
   * The reconciler's next lookup of an open outcome, from `RECONCILE_SCHEDULE_MS` and the checks
   * already made (kept in `last_error`); past the last one it gives up and flags it for an operator.
   */
  private nextCheck(
    lastError: unknown,
    reason: string,
    what: string,
  ): { lastError: OpenOutcome; at: Date | null; delayMs: number } {
    const schedule = this.config.RECONCILE_SCHEDULE_MS;
    const checks = (lastError as OpenOutcome | null)?.checks ?? 0;
    const gaveUp = checks >= schedule.length;
    const delayMs = schedule[Math.min(checks, schedule.length - 1)];
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

  // ---- requests -------------------------------------------------------------------------------

  private async authorizeRequest(
    tender: PartnerTransaction,
    payment: PaymentAggregate | Omit<PaymentAggregate, 'partnerTransactions' | 'operations'>,
  ): Promise<AuthorizeRequest> {
    const instrument = (tender.instrument ?? {}) as Record<string, unknown>;
    return {
      account: await this.accounts.get(payment.entityId, tender.partner),
      idempotencyKey: `tender-${tender.id}-authorize`,
      timeoutMs: this.config.PARTNER_TIMEOUT_MS,
      reference: tender.reference,
      paymentId: payment.id,
      tenderId: tender.id,
      method: tender.method,
      amount: toMinor(tender.amount),
      currency: tender.currency,
      instrument,
      captureMode: 'MANUAL',
      // Hosted pages send the shopper back to Tender, which checks the tender, then redirects with a signed token.
      returnUrl: this.config.PUBLIC_URL
        ? `${this.config.PUBLIC_URL}/v2/payments/${payment.id}/return`
        : (payment.shopperRedirectionUrl ?? undefined),
      allowFutureUsage: payment.allowFutureUsage,
      parentPartnerToken: typeof instrument.partner_token === 'string' ? instrument.partner_token : undefined,
      customer: (payment.customer as Record<string, unknown>) ?? undefined,
      order: (payment.order as Record<string, unknown>) ?? undefined,
      browser: (payment.browser as Record<string, unknown>) ?? undefined,
    };
  }

  /** A tender with its whole payment (one round trip). */
  private async loadTender(
    tenderId: string,
  ): Promise<{ tender: PartnerTransaction; payment: PaymentAggregate } | undefined> {
    const payment = await findPaymentAggregateOf(this.db, { tenderId });
    const tender = payment?.partnerTransactions.find((t) => t.id === tenderId);
    return tender && payment ? { tender, payment } : undefined;
  }

  /** An operation leg with its operation, tender and whole payment (one round trip). */
  private async loadLeg(legId: string): Promise<LoadedLeg | undefined> {
    const payment = await findPaymentAggregateOf(this.db, { legId });
    return payment ? legIn(payment, legId) : undefined;
  }

  /** Counts an attempt before a partner call; false when another run claimed it first. */
  private async claim(
    table: 'partner_transaction' | 'operation_transaction',
    id: string,
    attempts: number,
    status?: string,
  ): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE ${table} SET attempts = attempts + 1, updated_at = clock_timestamp()
        WHERE id = $1::uuid AND attempts = $2::int AND ($3::text IS NULL OR status = $3::text) RETURNING id`,
      [id, attempts, status ?? null],
    );
    return rows.length === 1;
  }

  private async operationRequest(leg: LoadedLeg): Promise<OperationRequest> {
    const tender = leg.partnerTransaction;
    const settled = leg.operation.payment.operations.flatMap((o) =>
      o.legs
        .filter((l) => l.partnerTransactionId === tender.id && l.status === 'SUCCESS')
        .map((l) => ({ ...l, type: o.type })),
    );
    const sum = (type: string) =>
      settled.filter((l) => l.type === type).reduce((s, l) => s + toMinor(l.amount), 0);
    const kind = LEG_KIND[leg.operation.type];
    return {
      account: await this.accounts.get(leg.operation.payment.entityId, tender.partner),
      idempotencyKey: `tender-${leg.id}-${kind}`,
      timeoutMs: this.config.PARTNER_TIMEOUT_MS,
      reference: leg.reference,
      amount: toMinor(leg.amount),
      currency: tender.currency,
      tender: {
        tenderId: tender.id,
        reference: tender.reference,
        method: tender.method,
        partnerReference: tender.partnerReference ?? '',
        authorizedAmount: toMinor(tender.amount),
        currency: tender.currency,
        capturedBefore: sum('CAPTURE'),
        refundedBefore: sum('REFUND'),
        partnerAdditionalData: (tender.partnerAdditionalData as Record<string, unknown>) ?? undefined,
      },
    };
  }
}

function legIn(payment: PaymentAggregate, legId: string): LoadedLeg {
  const operation = payment.operations.find((o) => o.legs.some((l) => l.id === legId))!;
  const leg = operation.legs.find((l) => l.id === legId)!;
  const partnerTransaction = payment.partnerTransactions.find((t) => t.id === leg.partnerTransactionId)!;
  return { ...leg, operation: { ...operation, payment }, partnerTransaction };
}

function legOf(payment: PaymentAggregate, legId: string): OperationTransaction | undefined {
  return payment.operations.flatMap((o) => o.legs).find((l) => l.id === legId);
}

type LoadedLeg = OperationTransaction & {
  operation: OperationWithLegs & { payment: PaymentAggregate };
  partnerTransaction: PartnerTransaction;
};
