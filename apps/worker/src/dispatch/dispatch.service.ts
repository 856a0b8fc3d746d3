import { Injectable } from '@nestjs/common';
import type { PartnerJob } from '@tender/infra';
import { Authorizations } from './authorizations';
import { OperationLegs } from './operation-legs';

/**
 * Drives partner transactions to a final state, one job at a time: authorizations, fraud approvals
 * and operation legs, and the reconciliation of outcomes left unknown by timeouts, resets and 5xx
 * answers. Every handler re-reads the state first, so a job run twice (BullMQ is at least once) is
 * harmless, and every partner call carries a key derived from our id, so a call sent twice is too.
 */
@Injectable()
export class DispatchService {
  constructor(
    private readonly authorizations: Authorizations,
    private readonly legs: OperationLegs,
  ) {}

  async handle(job: PartnerJob): Promise<void> {
    switch (job.kind) {
      case 'authorize':
        return this.authorizations.authorize(job.tenderId);
      case 'reconcile-authorization':
        return this.authorizations.reconcileAuthorization(job.tenderId, job.readOnly === true);
      case 'approve':
        return this.authorizations.approve(job.tenderId);
      case 'operation':
        return this.legs.runLeg(job.legId);
      case 'reconcile-operation':
        return this.legs.reconcileLeg(job.legId, job.readOnly === true);
    }
  }
}
