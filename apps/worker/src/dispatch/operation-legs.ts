import { Injectable, Logger } from '@nestjs/common';
import { afterNothingFound, canTransition, type UnclearOutcomeStep } from '@tender/domain';
import {
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  type OperationResult,
} from '@tender/partners';
import { claimFirstAttempt, Database, recordLegResult } from '@tender/persistence';
import { putLeg } from '@tender/payments';
import { alertIfConfiguration, lookupFailed, reverseIfNeeded } from './partner-errors';
import {
  inFlight,
  inFlightReason,
  LEG_KIND,
  legIn,
  legOf,
  PartnerRequests,
  type LoadedLeg,
} from './partner-requests';
import { ReconciliationSchedule } from '../reconciliation/reconciliation-schedule';
import { PaymentSettler } from './settle';

/** An operation leg (one tender's share of a capture, void or refund) at its partner: sent, looked up, recorded. */
@Injectable()
export class OperationLegs {
  private readonly logger = new Logger('dispatch');

  constructor(
    private readonly db: Database,
    private readonly requests: PartnerRequests,
    private readonly schedule: ReconciliationSchedule,
    private readonly settler: PaymentSettler,
  ) {}

  async runLeg(legId: string): Promise<void> {
    const claimed = await claimFirstAttempt(this.db, { legId }, this.requests.inFlightMs); // as in authorize
    if (claimed) {
      await this.sendLeg(legIn(claimed, legId), 1);
      return;
    }
    const leg = await this.requests.loadLeg(legId);
    if (!leg || leg.status !== 'PENDING' || leg.attempts === 0) return;
    await this.schedule.scheduleLegCheck(leg, 'job ran again after a claimed attempt');
  }

  /** Sends a claimed attempt of a leg and records its outcome. */
  private async sendLeg(leg: LoadedLeg, attempt: number): Promise<void> {
    try {
      const adapter = this.requests.adapter(leg.partnerTransaction.partner, leg.operation.paymentId);
      const request = await this.requests.operationRequest(leg, attempt);
      await this.applyLeg(leg, await adapter[LEG_KIND[leg.operation.type]](request));
    } catch (error) {
      await this.legFailed(leg, error);
    }
  }

  /** As `reconcileAuthorization`, for an operation leg (which the payment always still needs). */
  async reconcileLeg(legId: string, readOnly: boolean): Promise<void> {
    const leg = await this.requests.loadLeg(legId);
    if (!leg || !['PENDING', 'UNKNOWN'].includes(leg.status) || leg.attempts === 0) return;
    const kind = LEG_KIND[leg.operation.type];
    const adapter = this.requests.adapter(leg.partnerTransaction.partner, leg.operation.paymentId);
    let step: UnclearOutcomeStep;
    try {
      const lastSent = await this.requests.operationRequest(leg, leg.attempts);
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
      if (step !== 'WAIT' && kind !== 'capture')
        await reverseIfNeeded(this.logger, adapter, step, kind, lastSent);
    } catch (error) {
      if (readOnly) return;
      await this.schedule.scheduleLegCheck(leg, lookupFailed(this.logger, error));
      return;
    }
    if (step === 'WAIT') {
      await this.schedule.scheduleLegCheck(leg, inFlightReason(leg));
    } else if (await this.requests.claim('operation_transaction', legId, leg.attempts)) {
      await this.sendLeg(leg, leg.attempts + 1);
    }
  }

  private async legFailed(leg: LoadedLeg, error: unknown): Promise<void> {
    if (error instanceof UnknownOutcomeError || error instanceof PartnerProtocolError) {
      this.logger.warn(`${leg.operation.type} leg ${leg.id}: unknown outcome (${error.message})`);
      await this.schedule.scheduleLegCheck(leg, error.message);
      return;
    }
    if (error instanceof PartnerRejectedError) {
      alertIfConfiguration(this.logger, error, `${leg.operation.type} leg ${leg.id}`);
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
      await this.schedule.scheduleLegCheck(leg, `partner reports ${result.outcome}`, result);
      return;
    }
    const outcome = result.outcome;
    await this.settler.change(leg.operation.paymentId, async (tx, payment) => {
      const current = legOf(payment, leg.id);
      if (!current || !canTransition('operationLeg', current.status, outcome)) return;
      const updated = await recordLegResult(tx, leg.id, {
        status: outcome,
        partnerReference: result.partnerReference,
        partnerStatus: result.partnerStatus,
        partnerStatusDescription: result.partnerStatusDescription,
      });
      putLeg(payment, updated);
    });
  }
}
