/**
 * A payment as the domain sees it: its tenders, its operations and their legs, with statuses from
 * the state machines and amounts in minor units. The store maps its rows to this; the saga and the
 * operation checks decide on it without touching a database.
 */
import { availableFor, type AllocatableTender, type TenderKind } from './allocation';
import type { PartnerCapabilities } from './capabilities';
import type {
  AuthorizationStatus,
  OperationLegStatus,
  OperationStatus,
  TenderStatus,
} from './state-machines';

export type OperationType = 'CAPTURE' | 'VOID' | 'REFUND';

export interface TenderState {
  id: string;
  partner: string;
  method: string;
  /** What the partner's method is and allows; undefined for a method no partner declares (any more). */
  definition?: { kind: TenderKind; capabilities: PartnerCapabilities };
  status: TenderStatus;
  amount: number;
  /** Calls claimed so far: 0 means never sent. */
  attempts: number;
  position: number;
  /** Epoch ms. */
  updatedAt: number;
  partnerStatus: string | null;
  partnerStatusDescription: string | null;
}

export interface LegState {
  id: string;
  tenderId: string;
  amount: number;
  status: OperationLegStatus;
  attempts: number;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  updatedAt: number;
}

export interface OperationState {
  id: string;
  type: OperationType;
  status: OperationStatus;
  triggeredBy: 'MERCHANT' | 'SYSTEM';
  legs: LegState[];
}

export interface PaymentState {
  status: AuthorizationStatus;
  captureMode: 'AUTOMATIC' | 'MANUAL';
  /** The merchant aborted the payment's session: whatever holds money is released. */
  cancelRequested: boolean;
  tenders: TenderState[];
  operations: OperationState[];
}

/** An operation to write: its type, total and one leg per tender. */
export interface OperationPlan {
  type: OperationType;
  amount: number;
  legs: Array<{ tenderId: string; amount: number }>;
  triggeredBy: 'MERCHANT' | 'SYSTEM';
  merchantReference?: string;
  order?: unknown;
}

const LIVE_LEG_STATUSES: readonly OperationLegStatus[] = ['PENDING', 'UNKNOWN', 'SUCCESS'];

/** The legs of `tenderId` in operations of `type` whose status is one of `statuses`. */
export function legsOf(
  payment: PaymentState,
  tenderId: string,
  type: OperationType,
  statuses: readonly OperationLegStatus[],
): LegState[] {
  return payment.operations
    .filter((operation) => operation.type === type)
    .flatMap((operation) => operation.legs)
    .filter((leg) => leg.tenderId === tenderId && statuses.includes(leg.status));
}

export function sumOf(legs: readonly LegState[]): number {
  return legs.reduce((total, leg) => total + leg.amount, 0);
}

/**
 * What each tender still allows, counting operations in flight as already done (a reservation):
 * two concurrent requests can never both take the same amount, since both decide under the
 * payment's row lock and the second sees the first's pending legs.
 */
export function allocatableTenders(payment: PaymentState, type: OperationType): AllocatableTender[] {
  return payment.tenders.flatMap((tender) => {
    if (!tender.definition) return [];
    const holds =
      tender.status === 'AUTHORIZED' || (type === 'VOID' && tender.status === 'PENDING_FRAUD_APPROVAL');
    const captures = legsOf(payment, tender.id, 'CAPTURE', LIVE_LEG_STATUSES);
    const refunds = legsOf(payment, tender.id, 'REFUND', LIVE_LEG_STATUSES);
    return [
      {
        id: tender.id,
        partner: tender.partner,
        method: tender.method,
        kind: tender.definition.kind,
        capabilities: tender.definition.capabilities,
        authorized: holds || tender.status === 'CANCELLED' ? tender.amount : 0,
        // Pending captures count too: a refund on one waits until it settles (saga: refundsAfterCaptures).
        captured: sumOf(captures),
        voided: sumOf(legsOf(payment, tender.id, 'VOID', LIVE_LEG_STATUSES)),
        refunded: sumOf(refunds),
        captureCount: captures.length,
        refundCount: refunds.length,
        position: tender.position,
        lastCapturedAt: Math.max(0, ...captures.map((leg) => leg.updatedAt)),
      },
    ];
  });
}

/**
 * A capture on a tender that captures only once releases the rest of that tender at the partner:
 * that release is recorded as a SYSTEM void, so the amounts say where the money went.
 */
export function releasesAfterCapture(
  tenders: readonly AllocatableTender[],
  allocations: ReadonlyArray<{ tenderId: string; amount: number }>,
): OperationPlan | undefined {
  const legs = allocations.flatMap((a) => {
    const tender = tenders.find((t) => t.id === a.tenderId)!;
    const rest = availableFor('capture', tender) - a.amount;
    return !tender.capabilities.multipleCaptures && rest > 0 ? [{ tenderId: tender.id, amount: rest }] : [];
  });
  if (legs.length === 0) return undefined;
  return { type: 'VOID', amount: legs.reduce((s, l) => s + l.amount, 0), legs, triggeredBy: 'SYSTEM' };
}
