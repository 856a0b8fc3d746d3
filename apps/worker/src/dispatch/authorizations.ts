import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import {
  afterNothingFound,
  canTransition,
  type TenderStatus,
  type UnclearOutcomeStep,
  UNSETTLED_TENDER_STATUSES,
} from '@tender/domain';
import { CONFIG, partnerJob } from '@tender/infra';
import {
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  type AuthorizeResult,
} from '@tender/partners';
import {
  claimFirstAttempt,
  DataCipher,
  Database,
  instrumentWithoutPin,
  recordAuthorization,
  type TenderRecord as PartnerTransaction,
} from '@tender/persistence';
import { putTender, type PaymentAggregate } from '@tender/payments';
import { alertIfConfiguration, lookupFailed, reverseIfNeeded } from './partner-errors';
import { inFlight, inFlightReason, PartnerRequests } from './partner-requests';
import { reconcileAuthorizationJob, ReconciliationSchedule } from '../reconciliation/reconciliation-schedule';
import { PaymentSettler } from './settle';

/** Authorization outcomes after which the tender's instrument is never sent again (its PIN goes). */
const AUTHORIZATION_FINAL = new Set<TenderStatus | undefined>([
  'AUTHORIZED',
  'PENDING_FRAUD_APPROVAL',
  'REFUSED',
  'FAILED',
  'CANCELLED',
]);

/** A lost call reversed (or never received) on a payment that no longer needs it. */
const NOT_NEEDED: AuthorizeResult = {
  outcome: 'CANCELLED',
  partnerStatus: 'not_found',
  partnerStatusDescription: 'the call was lost and the payment no longer needs it: nothing was sent again',
};

/**
 * A tender's authorization at its partner: sent once claimed, approved after a fraud review, looked
 * up when its outcome is unclear, and recorded, never backwards.
 */
@Injectable()
export class Authorizations {
  private readonly logger = new Logger('dispatch');

  constructor(
    private readonly db: Database,
    private readonly cipher: DataCipher,
    private readonly requests: PartnerRequests,
    private readonly schedule: ReconciliationSchedule,
    private readonly settler: PaymentSettler,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  async authorize(tenderId: string): Promise<void> {
    // The attempt is counted, with its in-flight lease, before calling: after a crash, attempts > 0
    // says a call may have reached the partner. It is claimed and its payment read in one statement.
    const claimed = await claimFirstAttempt(this.db, { tenderId }, this.requests.inFlightMs);
    if (claimed) {
      const tender = claimed.partnerTransactions.find((t) => t.id === tenderId)!;
      await this.sendAuthorization(tender, claimed, 1);
      return;
    }
    const { tender, payment } = (await this.requests.loadTender(tenderId)) ?? {};
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
    await this.schedule.scheduleCheck(
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
      const adapter = this.requests.adapter(tender.partner, tender.paymentId);
      const request = await this.requests.authorizeRequest(tender, payment, attempt);
      await this.applyAuthorization(tender, await adapter.authorize(request));
    } catch (error) {
      await this.authorizationFailed(tender, error);
    }
  }

  async approve(tenderId: string): Promise<void> {
    const { tender, payment } = (await this.requests.loadTender(tenderId)) ?? {};
    if (!tender || !payment || tender.status !== 'PENDING_FRAUD_APPROVAL' || !tender.partnerReference) return;
    const adapter = this.requests.adapter(tender.partner, tender.paymentId);
    if (!adapter.approve) throw new Error(`${tender.partner} cannot approve a payment held for review`);
    const request = await this.requests.authorizeRequest(tender, payment, tender.attempts);
    try {
      const result = await adapter.approve({ ...request, partnerReference: tender.partnerReference });
      await this.applyAuthorization(tender, result);
    } catch (error) {
      if (error instanceof UnknownOutcomeError) {
        await this.schedule.scheduleCheck(tender, reconcileAuthorizationJob(tenderId), error.message);
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
  async reconcileAuthorization(tenderId: string, readOnly: boolean): Promise<void> {
    const { tender, payment } = (await this.requests.loadTender(tenderId)) ?? {};
    if (!tender || !payment || !UNSETTLED_TENDER_STATUSES.includes(tender.status)) return;
    if (tender.attempts === 0) return; // never sent: its authorize job will do it
    const adapter = this.requests.adapter(tender.partner, tender.paymentId);
    let step: UnclearOutcomeStep;
    try {
      const lastSent = await this.requests.authorizeRequest(tender, payment, tender.attempts);
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
      if (step !== 'WAIT') await reverseIfNeeded(this.logger, adapter, step, 'authorize', lastSent);
    } catch (error) {
      // A lookup or reversal that did not go through settles nothing: the outcome stays open.
      if (readOnly) return;
      await this.schedule.scheduleCheck(
        tender,
        reconcileAuthorizationJob(tenderId),
        lookupFailed(this.logger, error),
      );
      return;
    }
    if (step === 'WAIT') {
      await this.schedule.scheduleCheck(tender, reconcileAuthorizationJob(tenderId), inFlightReason(tender));
    } else if (step === 'END' || step === 'REVERSE_THEN_END') {
      await this.applyAuthorization(tender, NOT_NEEDED, { ifStillAttempt: tender.attempts });
    } else if (await this.requests.claim('partner_transaction', tenderId, tender.attempts)) {
      await this.sendAuthorization(tender, payment, tender.attempts + 1);
    } // else another run claimed the next attempt and sends it
  }

  /** A hosted page or an unknown outcome still open after a scheduled lookup: look again on the schedule. */
  private async keepLooking(tenderId: string, before: string): Promise<void> {
    const after = (await this.requests.loadTender(tenderId))?.tender;
    if (after && ['REQUIRES_ACTION', 'UNKNOWN'].includes(after.status) && after.status === before) {
      await this.schedule.scheduleCheck(after, reconcileAuthorizationJob(tenderId), `still ${after.status}`);
    }
  }

  private async authorizationFailed(tender: PartnerTransaction, error: unknown): Promise<void> {
    if (error instanceof UnknownOutcomeError || error instanceof PartnerProtocolError) {
      this.logger.warn(`authorization ${tender.id} at ${tender.partner}: unknown outcome (${error.message})`);
      await this.schedule.scheduleCheck(tender, reconcileAuthorizationJob(tender.id), error.message);
      return;
    }
    if (error instanceof PartnerRejectedError) {
      alertIfConfiguration(this.logger, error, `${tender.partner} authorization ${tender.id}`);
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
      const moves = target && target !== current.status && canTransition('tender', current.status, target);
      if (target && target !== current.status && !moves) {
        this.logger.warn(`ignored ${current.status} → ${target} on ${tender.id}: never backwards`);
        return;
      }
      // A field the partner did not send keeps its value.
      const updated = await recordAuthorization(tx, tender.id, {
        status: moves ? target : null,
        partnerReference: result.partnerReference,
        partnerStatus: result.partnerStatus,
        partnerStatusDescription: result.partnerStatusDescription,
        partnerToken: result.partnerToken,
        card: result.card,
        additionalData: result.additionalData,
        redirectUrl: result.redirectUrl,
        clearNextCheck: !!moves && target !== 'REQUIRES_ACTION',
        ifStillAttempt,
        // The PIN only serves the authorization: erased once it is final.
        instrument:
          moves && AUTHORIZATION_FINAL.has(target)
            ? instrumentWithoutPin(this.cipher, current.instrument)
            : undefined,
      });
      if (!updated) return; // a new attempt was claimed meanwhile: its outcome decides
      putTender(payment, updated);
      if (moves && target === 'REQUIRES_ACTION') {
        const job = reconcileAuthorizationJob(tender.id);
        return [partnerJob(tender.partner, job, this.config.RECONCILE_SCHEDULE_MS[0])];
      }
    });
  }
}
