import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import {
  afterNothingFound,
  canTransition,
  type OperationLegStatus,
  type TenderStatus,
  type UnclearOutcomeStep,
  UNSETTLED_TENDER_STATUSES,
} from '@tender/domain';
import { CONFIG, partnerJob, type PartnerJob } from '@tender/infra';
import {
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  type AuthorizeRequest,
  type AuthorizeResult,
  type LostCallKind,
  type OperationRequest,
  type OperationResult,
  type PartnerAdapter,
} from '@tender/partners';
import {
  DataCipher,
  Database,
  instrumentWithoutPin,
  json,
  openInstrument,
  toMinor,
} from '@tender/persistence';
import {
  claimFirstAttempt,
  findPaymentAggregateOf,
  IN_FLIGHT_UNTIL,
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

/** Authorization outcomes after which the tender's instrument is never sent again (its PIN goes). */
const AUTHORIZATION_FINAL = new Set<TenderStatus | undefined>([
  'AUTHORIZED',
  'PENDING_FRAUD_APPROVAL',
  'REFUSED',
  'FAILED',
  'CANCELLED',
]);

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
    private readonly cipher: DataCipher,
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
        return this.reconcileAuthorization(job.tenderId, job.readOnly === true);
      case 'approve':
        return this.approve(job.tenderId);
      case 'operation':
        return this.runLeg(job.legId);
      case 'reconcile-operation':
        return this.reconcileLeg(job.legId, job.readOnly === true);
    }
  }

  /** The partner's adapter; the payment joins the job's log context. */
  private adapter(partner: string, paymentId: string): PartnerAdapter {
    addLogContext({ payment_id: paymentId });
    return this.adapters.get(partner);
  }

  // ---- authorizations -------------------------------------------------------------------------

  private async authorize(tenderId: string): Promise<void> {
    // The attempt is counted, with its in-flight lease, before calling: after a crash, attempts > 0
    // says a call may have reached the partner. It is claimed and its payment read in one statement.
    const claimed = await claimFirstAttempt(this.db, { tenderId }, this.inFlightMs);
    if (claimed) {
      const tender = claimed.partnerTransactions.find((t) => t.id === tenderId)!;
      await this.sendAuthorization(tender, claimed, 1);
      return;
    }
    const { tender, payment } = (await this.loadTender(tenderId)) ?? {};
    if (!tender || !payment || tender.status !== 'PENDING') return;
    if (tender.attempts === 0) {
      // Not claimable: the payment was refused or cancelled first, and the saga cancels it unsent.
      if (payment.status === 'REFUSED' || payment.status === 'CANCELLED') {
        // No change of ours: the saga step alone cancels it.
        await this.settler.change(tender.paymentId, () => Promise.resolve());
      }
      return;
    }
    // A run of this job claimed it before (a crash, a retry): that call may have reached the partner,
    // so the reconciler finds out, and only it may ever send again.
    await this.scheduleCheck(
      tender,
      reconcileAuthorizationJob(tender.id),
      'job ran again after a claimed attempt',
    );
  }

  /** Sends a claimed attempt and records its outcome. */
  private async sendAuthorization(
    tender: PartnerTransaction,
    payment: PaymentAggregate,
    attempt: number,
  ): Promise<void> {
    try {
      const adapter = this.adapter(tender.partner, tender.paymentId);
      const request = await this.authorizeRequest(tender, payment, attempt);
      await this.applyAuthorization(tender, await adapter.authorize(request));
    } catch (error) {
      await this.authorizationFailed(tender, error);
    }
  }

  private async approve(tenderId: string): Promise<void> {
    const { tender, payment } = (await this.loadTender(tenderId)) ?? {};
    if (!tender || !payment || tender.status !== 'PENDING_FRAUD_APPROVAL' || !tender.partnerReference) return;
    const adapter = this.adapter(tender.partner, tender.paymentId);
    if (!adapter.approve) throw new Error(`${tender.partner} cannot approve a payment held for review`);
    const request = await this.authorizeRequest(tender, payment, tender.attempts);
    try {
      const result = await adapter.approve({ ...request, partnerReference: tender.partnerReference });
      await this.applyAuthorization(tender, result);
    } catch (error) {
      if (error instanceof UnknownOutcomeError) {
        await this.scheduleCheck(tender, reconcileAuthorizationJob(tenderId), error.message);
        return;
      }
      throw error;
    }
  }

  /**
   * Looks an open authorization up at the partner and records what it finds; when nothing is found,
   * decides by `afterNothingFound` (wait for the lease, resend, or reverse first). Read-only runs
   * (GET refresh, webhook hint, shopper's return) never send.
   */
  private async reconcileAuthorization(tenderId: string, readOnly: boolean): Promise<void> {
    const { tender, payment } = (await this.loadTender(tenderId)) ?? {};
    if (!tender || !payment || !UNSETTLED_TENDER_STATUSES.includes(tender.status as TenderStatus)) return;
    if (tender.attempts === 0) return; // never sent: its authorize job will do it
    const adapter = this.adapter(tender.partner, tender.paymentId);
    let step: UnclearOutcomeStep;
    try {
      const lastSent = await this.authorizeRequest(tender, payment, tender.attempts);
      const found = await adapter.fetchAuthorization({
        ...lastSent,
        partnerReference: tender.partnerReference ?? undefined,
      });
      if (found.outcome !== 'NOT_FOUND') {
        await this.applyAuthorization(tender, found);
        if (!readOnly) await this.keepLooking(tenderId, tender.status);
        return;
      }
      step = afterNothingFound({
        readOnly,
        open: tender.status === 'UNKNOWN' || tender.status === 'PENDING',
        inFlight: inFlight(tender),
        idempotent: !adapter.reverseLostCall,
        stillNeeded: payment.status !== 'REFUSED' && payment.status !== 'CANCELLED',
      });
      if (step === 'NOTHING') return;
      if (step !== 'WAIT') await this.reverseIfNeeded(adapter, step, 'authorize', lastSent);
    } catch (error) {
      // A lookup or reversal that did not go through settles nothing: the outcome stays open.
      if (readOnly) return;
      await this.scheduleCheck(tender, reconcileAuthorizationJob(tenderId), this.lookupFailed(error));
      return;
    }
    if (step === 'WAIT') {
      await this.scheduleCheck(tender, reconcileAuthorizationJob(tenderId), inFlightReason(tender));
    } else if (step === 'END' || step === 'REVERSE_THEN_END') {
      await this.applyAuthorization(tender, NOT_NEEDED, { ifStillAttempt: tender.attempts });
    } else if (await this.claim('partner_transaction', tenderId, tender.attempts)) {
      await this.sendAuthorization(tender, payment, tender.attempts + 1);
    } // else another run claimed the next attempt and sends it
  }

  /** A hosted page or an unknown outcome still open after a scheduled lookup: look again on the schedule. */
  private async keepLooking(tenderId: string, before: string): Promise<void> {
    const after = (await this.loadTender(tenderId))?.tender;
    if (after && ['REQUIRES_ACTION', 'UNKNOWN'].includes(after.status) && after.status === before) {
      await this.scheduleCheck(after, reconcileAuthorizationJob(tenderId), `still ${after.status}`);
    }
  }

  /** The reversal of a lost attempt before a new one (partners without idempotency keys). */
  private async reverseIfNeeded(
    adapter: PartnerAdapter,
    step: UnclearOutcomeStep,
    kind: LostCallKind,
    lastSent: AuthorizeRequest | OperationRequest,
  ): Promise<void> {
    if (step !== 'REVERSE_THEN_RESEND' && step !== 'REVERSE_THEN_END') return;
    this.logger.warn(
      `${adapter.partner} ${kind} attempt ${lastSent.attempt} of ${lastSent.reference} not found after its lease: reversing it by reference`,
    );
    await adapter.reverseLostCall!(kind, lastSent);
  }

  private async authorizationFailed(tender: PartnerTransaction, error: unknown): Promise<void> {
    if (error instanceof UnknownOutcomeError || error instanceof PartnerProtocolError) {
      this.logger.warn(`authorization ${tender.id} at ${tender.partner}: unknown outcome (${error.message})`);
      await this.scheduleCheck(tender, reconcileAuthorizationJob(tender.id), error.message);
      return;
    }
    if (error instanceof PartnerRejectedError) {
      this.alertIfConfiguration(error, `${tender.partner} authorization ${tender.id}`);
      await this.applyAuthorization(
        tender,
        {
          outcome: 'REFUSED',
          partnerStatus: error.partnerStatus,
          partnerStatusDescription: error.message,
        },
        { failAs: 'FAILED' },
      );
      return;
    }
    throw error; // our own infrastructure: BullMQ retries with backoff
  }

  /**
   * Records an authorization outcome, never backwards. `failAs` overrides the status the result maps
   * to. `ifStillAttempt` records it only while the tender is open (PENDING, UNKNOWN) and no attempt
   * was claimed since that one (claims do not take the payment lock: the UPDATE checks it).
   */
  private async applyAuthorization(
    tender: PartnerTransaction,
    result: AuthorizeResult,
    { failAs, ifStillAttempt }: { failAs?: TenderStatus; ifStillAttempt?: number } = {},
  ): Promise<void> {
    const target: TenderStatus | undefined =
      failAs ?? (result.outcome === 'NOT_FOUND' ? undefined : result.outcome);
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
                instrument = COALESCE($12::jsonb, instrument),
                updated_at = clock_timestamp()
          WHERE id = $1::uuid
            AND ($11::int IS NULL OR (attempts = $11::int AND status IN ('PENDING', 'UNKNOWN')))
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
          ifStillAttempt ?? null,
          // The PIN only serves the authorization: erased once it is final.
          moves && AUTHORIZATION_FINAL.has(target)
            ? json(instrumentWithoutPin(this.cipher, current.instrument))
            : null,
        ],
      );
      if (!updated) return; // a new attempt was claimed meanwhile: its outcome decides
      putTender(payment, updated.row);
      if (moves && target === 'REQUIRES_ACTION') {
        const job = reconcileAuthorizationJob(tender.id);
        return [partnerJob(tender.partner, job, this.config.RECONCILE_SCHEDULE_MS[0])];
      }
    });
  }

  // ---- operation legs -------------------------------------------------------------------------

  private async runLeg(legId: string): Promise<void> {
    const claimed = await claimFirstAttempt(this.db, { legId }, this.inFlightMs); // as in authorize
    if (claimed) {
      await this.sendLeg(legIn(claimed, legId), 1);
      return;
    }
    const leg = await this.loadLeg(legId);
    if (!leg || leg.status !== 'PENDING' || leg.attempts === 0) return;
    await this.scheduleLegCheck(leg, 'job ran again after a claimed attempt');
  }

  /** Sends a claimed attempt of a leg and records its outcome. */
  private async sendLeg(leg: LoadedLeg, attempt: number): Promise<void> {
    try {
      const adapter = this.adapter(leg.partnerTransaction.partner, leg.operation.paymentId);
      const request = await this.operationRequest(leg, attempt);
      await this.applyLeg(leg, await adapter[LEG_KIND[leg.operation.type]](request));
    } catch (error) {
      await this.legFailed(leg, error);
    }
  }

  /** As `reconcileAuthorization`, for an operation leg (which the payment always still needs). */
  private async reconcileLeg(legId: string, readOnly: boolean): Promise<void> {
    const leg = await this.loadLeg(legId);
    if (!leg || !['PENDING', 'UNKNOWN'].includes(leg.status) || leg.attempts === 0) return;
    const kind = LEG_KIND[leg.operation.type];
    const adapter = this.adapter(leg.partnerTransaction.partner, leg.operation.paymentId);
    let step: UnclearOutcomeStep;
    try {
      const lastSent = await this.operationRequest(leg, leg.attempts);
      const found = await adapter.fetchOperation(kind, lastSent);
      if (found.outcome !== 'NOT_FOUND') {
        // A read-only lookup that finds the leg still pending at the partner leaves the schedule alone.
        if (!readOnly || found.outcome !== 'PENDING') await this.applyLeg(leg, found);
        return;
      }
      step = afterNothingFound({
        readOnly,
        open: true,
        inFlight: inFlight(leg),
        idempotent: !adapter.reverseLostCall,
        stillNeeded: true,
      });
      if (step === 'NOTHING') return;
      if (step !== 'WAIT' && kind !== 'capture') await this.reverseIfNeeded(adapter, step, kind, lastSent);
    } catch (error) {
      if (readOnly) return;
      await this.scheduleLegCheck(leg, this.lookupFailed(error));
      return;
    }
    if (step === 'WAIT') {
      await this.scheduleLegCheck(leg, inFlightReason(leg));
    } else if (await this.claim('operation_transaction', legId, leg.attempts)) {
      await this.sendLeg(leg, leg.attempts + 1);
    }
  }

  /** Why a lookup (or the reversal of a lost call) did not settle anything; our own failures are re-thrown. */
  private lookupFailed(error: unknown): string {
    if (error instanceof PartnerRejectedError) {
      this.alertIfConfiguration(error, 'status lookup');
      return `lookup refused: ${error.message}`;
    }
    if (error instanceof UnknownOutcomeError || error instanceof PartnerProtocolError) return error.message;
    throw error; // our own infrastructure: BullMQ retries with backoff
  }

  private async legFailed(leg: LoadedLeg, error: unknown): Promise<void> {
    if (error instanceof UnknownOutcomeError || error instanceof PartnerProtocolError) {
      this.logger.warn(`${leg.operation.type} leg ${leg.id}: unknown outcome (${error.message})`);
      await this.scheduleLegCheck(leg, error.message);
      return;
    }
    if (error instanceof PartnerRejectedError) {
      this.alertIfConfiguration(error, `${leg.operation.type} leg ${leg.id}`);
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
      putLeg(payment, updated.row);
    });
  }

  // ---- reconciliation schedule ----------------------------------------------------------------

  /** Marks an open outcome and plans the next status lookup; after the last one, flags it for an operator. */
  private async scheduleCheck(tender: PartnerTransaction, job: PartnerJob, reason: string): Promise<void> {
    await this.settler.change(tender.paymentId, async (tx, payment) => {
      const current = payment.partnerTransactions.find((t) => t.id === tender.id)!;
      const next = this.nextCheck(
        current.lastError,
        reason,
        `${tender.partner} authorization ${tender.id}`,
        current.inFlightUntil,
      );
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
      putTender(payment, updated.row);
      return next.at ? [partnerJob(tender.partner, job, next.delayMs)] : [];
    });
  }

  private async scheduleLegCheck(leg: LoadedLeg, reason: string, result?: OperationResult): Promise<void> {
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
          // The partner says it is under way (a capture not yet settled): pending, not unknown.
          (result?.outcome === 'PENDING' && current.status === 'PENDING'
            ? 'PENDING'
            : 'UNKNOWN') satisfies OperationLegStatus,
          result?.partnerReference ?? null,
          result?.partnerStatus ?? null,
          json(next.lastError),
          next.at?.toISOString() ?? null,
        ],
      );
      putLeg(payment, updated.row);
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

  // ---- requests -------------------------------------------------------------------------------

  private async authorizeRequest(
    tender: PartnerTransaction,
    payment: PaymentAggregate | Omit<PaymentAggregate, 'partnerTransactions' | 'operations'>,
    attempt: number,
  ): Promise<AuthorizeRequest> {
    const instrument = openInstrument(this.cipher, tender.instrument) ?? {};
    return {
      account: await this.accounts.get(payment.entityId, tender.partner),
      idempotencyKey: `tender-${tender.id}-authorize`,
      timeoutMs: this.config.PARTNER_TIMEOUT_MS,
      attempt,
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

  /**
   * Counts a new attempt, with its in-flight lease, before it is sent: only while the transaction is
   * open, no other run counted one since (`attempts`), and the last attempt's lease has expired.
   * False when any of that fails: then this run sends nothing.
   */
  private async claim(
    table: 'partner_transaction' | 'operation_transaction',
    id: string,
    attempts: number,
  ): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE ${table}
          SET attempts = attempts + 1, in_flight_until = ${IN_FLIGHT_UNTIL}, updated_at = clock_timestamp()
        WHERE id = $1::uuid AND attempts = $3::int AND status IN ('PENDING', 'UNKNOWN')
          AND (in_flight_until IS NULL OR in_flight_until <= clock_timestamp())
      RETURNING id`,
      [id, this.inFlightMs, attempts],
    );
    return rows.length === 1;
  }

  /** How long a call may still be processed by the partner after it was sent. */
  private get inFlightMs(): number {
    return this.config.PARTNER_TIMEOUT_MS + this.config.PARTNER_IN_FLIGHT_MARGIN_MS;
  }

  /** A partner refusing our credentials or configuration: nothing moved, but only a person can fix it. */
  private alertIfConfiguration(error: PartnerRejectedError, what: string): void {
    if (error.httpStatus === 401 || error.httpStatus === 403) {
      this.logger.error(
        `${what}: the partner refused our credentials (HTTP ${error.httpStatus}): needs an operator`,
      );
    }
  }

  private async operationRequest(leg: LoadedLeg, attempt: number): Promise<OperationRequest> {
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
      attempt,
      reference: leg.reference,
      partnerReference: leg.partnerReference ?? undefined,
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
        instrument: openInstrument(this.cipher, tender.instrument),
      },
    };
  }
}

/** How long an operation the partner reports under way is looked at before an operator is asked (Connect settles in daily batches). */
const PARTNER_PENDING_MAX_MS = 7 * 24 * 3600 * 1000;

/** Past a lease, a moment more before looking again (clocks of worker and database). */
const LEASE_SLACK_MS = 250;

/** A lost call reversed (or never received) on a payment that no longer needs it. */
const NOT_NEEDED: AuthorizeResult = {
  outcome: 'CANCELLED',
  partnerStatus: 'not_found',
  partnerStatusDescription: 'the call was lost and the payment no longer needs it: nothing was sent again',
};

function reconcileAuthorizationJob(tenderId: string): PartnerJob {
  return { kind: 'reconcile-authorization', tenderId };
}

function inFlight(row: { inFlightUntil: Date | null }): boolean {
  return row.inFlightUntil !== null && row.inFlightUntil.getTime() > Date.now();
}

function inFlightReason(row: { inFlightUntil: Date | null }): string {
  return `nothing found yet; the call may still be in flight until ${row.inFlightUntil?.toISOString()}`;
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
