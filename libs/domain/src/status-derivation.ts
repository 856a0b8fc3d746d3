/**
 * Payment- and operation-level statuses derived from their parts, plus the saga's view of which
 * tenders need compensation. Deriving (rather than storing independently) keeps the levels
 * consistent; with a fixed set of tenders, any legal tender move yields a legal (or no)
 * payment-level move, which the tests check.
 */
import type {
  AuthorizationStatus,
  OperationLegStatus,
  OperationStatus,
  TenderStatus,
} from './state-machines';

/** Statuses whose outcome is not known yet: the tender may still end up authorized. */
const OPEN_TENDER_STATUSES: readonly TenderStatus[] = ['PENDING', 'REQUIRES_ACTION', 'UNKNOWN'];

export function isTenderOutcomeOpen(status: TenderStatus): boolean {
  return OPEN_TENDER_STATUSES.includes(status);
}

/**
 * Precedence, first match wins:
 * 1. any REFUSED or FAILED → REFUSED. A split is all or nothing: one failed tender fails the
 *    payment, even while others are pending or already compensated (CANCELLED), so the status
 *    never flips from REFUSED to CANCELLED as the saga voids the siblings.
 * 2. all CANCELLED → CANCELLED.
 * 3. any PENDING / REQUIRES_ACTION / UNKNOWN → PENDING.
 * 4. any PENDING_FRAUD_APPROVAL → PENDING_FRAUD_APPROVAL.
 * 5. otherwise (AUTHORIZED, possibly with some CANCELLED) → AUTHORIZED: individually voided
 *    tenders show in the amounts until the last one goes.
 */
export function deriveAuthorizationStatus(tenderStatuses: readonly TenderStatus[]): AuthorizationStatus {
  if (tenderStatuses.length === 0) throw new RangeError('A payment has at least one tender');
  const any = (...statuses: TenderStatus[]) => tenderStatuses.some((s) => statuses.includes(s));
  if (any('REFUSED', 'FAILED')) return 'REFUSED';
  if (tenderStatuses.every((s) => s === 'CANCELLED')) return 'CANCELLED';
  if (any(...OPEN_TENDER_STATUSES)) return 'PENDING';
  if (any('PENDING_FRAUD_APPROVAL')) return 'PENDING_FRAUD_APPROVAL';
  return 'AUTHORIZED';
}

/**
 * Ids (in input order) of the tenders to void or reverse when the split failed as a whole:
 * every tender that holds money (AUTHORIZED, PENDING_FRAUD_APPROVAL) or could still turn out
 * to (PENDING in flight, REQUIRES_ACTION the shopper may still complete, UNKNOWN).
 *
 * Open outcomes must be settled before compensation (isTenderOutcomeOpen tells which): wait for
 * the in-flight call, expire the hosted session, or have the reconciler query an UNKNOWN one;
 * a partner without a transaction id cannot void it. If it settles as REFUSED or FAILED there
 * is nothing to do; if AUTHORIZED it is voided like the others. Partners that accept a
 * reversal by our reference may do both in one step (UNKNOWN → CANCELLED).
 */
export function tendersToCompensate(tenders: readonly { id: string; status: TenderStatus }[]): string[] {
  return tenders
    .filter(
      (t) =>
        t.status === 'AUTHORIZED' || t.status === 'PENDING_FRAUD_APPROVAL' || isTenderOutcomeOpen(t.status),
    )
    .map((t) => t.id);
}

/**
 * An operation is SUCCESS only when every leg succeeded, PENDING while any leg is PENDING or
 * UNKNOWN, and FAILED otherwise. A FAILED operation may still have moved money on some legs:
 * the amounts are computed from the legs, never from this status.
 */
export function deriveOperationStatus(legStatuses: readonly OperationLegStatus[]): OperationStatus {
  if (legStatuses.length === 0) throw new RangeError('An operation has at least one leg');
  if (legStatuses.some((s) => s === 'PENDING' || s === 'UNKNOWN')) return 'PENDING';
  return legStatuses.every((s) => s === 'SUCCESS') ? 'SUCCESS' : 'FAILED';
}
