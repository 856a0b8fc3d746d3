/**
 * Allocation of a payment-level capture, void or refund across the tenders of a split payment.
 *
 * Default orders (each one overridable per call, see AllocationOrder):
 *
 * - capture: stored value (gift cards, any immediate-debit tender) first, then the others in
 *   split order. A stored-value tender is already debited, so capturing it is bookkeeping,
 *   while leaving it uncaptured would later force a reversal of real money back to the card.
 *   Capturing it first also means what stays uncaptured is a card hold, which simply lapses
 *   or is voided at no cost. This matches the Purse example (gift card captured in full first).
 *
 * - void: the reverse, cards first (reverse split order) and stored value last. Voiding a card
 *   authorization only releases a hold, whereas voiding stored value means reversing a debit
 *   (money moves, and some programs only allow it within a short window). It also keeps void
 *   and capture consistent: a void takes what the next capture would take last.
 *
 * - refund: cards and wallets last-captured-first, stored value last. Unwinding in reverse
 *   capture order leaves each tender with exactly what a capture of the smaller, net amount
 *   would have taken, so a partially refunded payment looks like the smaller sale. It also
 *   gives the shopper real money back first (a gift card may be discarded or not reloadable)
 *   and cuts chargeback exposure, which only exists on cards and wallets. Merchants that prefer
 *   keeping value in their own stored-value programme pass { storedValue: 'first' }.
 *
 * Within the order, each tender takes as much as it can while the tenders after it can still
 * complete the amount exactly. All-or-nothing tenders (a partner that cannot capture, void or
 * refund partially) are either taken in full or skipped; the check "can the rest still be
 * completed" enumerates their subset sums, which is cheap because splits are small.
 */
import type { PartnerCapabilities } from './capabilities';

export type OperationKind = 'capture' | 'void' | 'refund';

export type TenderKind = 'stored_value' | 'card' | 'wallet' | 'other';

export interface AllocatableTender {
  readonly id: string;
  /** Partner name, for messages (e.g. "Paytronix"). */
  readonly partner: string;
  /** Payment method, for messages (e.g. "gift_card", "visa"). */
  readonly method: string;
  readonly kind: TenderKind;
  readonly capabilities: PartnerCapabilities;
  readonly authorized: number;
  readonly captured: number;
  readonly voided: number;
  readonly refunded: number;
  readonly captureCount: number;
  readonly refundCount: number;
  /** Index of the tender in the split, as the shopper/merchant listed it. */
  readonly position: number;
  /** Epoch millis of the latest capture, used by the last_captured_first order. */
  readonly lastCapturedAt?: number;
}

export interface AllocationOrderSpec {
  /** Where stored-value tenders go; 'in_place' mixes them with the others. */
  readonly storedValue: 'first' | 'last' | 'in_place';
  /** Order inside each group. last_captured_first breaks ties by reverse split order. */
  readonly then: 'split_order' | 'reverse_split_order' | 'last_captured_first';
}

/** A spec, or an explicit list of tender ids: only those tenders are used, in that order. */
export type AllocationOrder = AllocationOrderSpec | { readonly tenderIds: readonly string[] };

export const DEFAULT_ALLOCATION_ORDERS: Readonly<Record<OperationKind, AllocationOrderSpec>> = {
  capture: { storedValue: 'first', then: 'split_order' },
  void: { storedValue: 'last', then: 'reverse_split_order' },
  refund: { storedValue: 'last', then: 'last_captured_first' },
};

/** Bounds the subset search; real splits have a handful of tenders. */
export const MAX_ALLOCATABLE_TENDERS = 16;

export interface Allocation {
  readonly tenderId: string;
  readonly amount: number;
}

export type AllocationErrorCode =
  | 'invalid_amount'
  | 'invalid_tender'
  | 'invalid_order'
  | 'unknown_tender'
  | 'too_many_tenders'
  | 'amount_exceeds_available'
  | 'partner_cannot_partially_capture'
  | 'partner_cannot_capture_multiple_times'
  | 'partner_cannot_partially_void'
  | 'partner_cannot_void_after_partial_capture'
  | 'partner_cannot_refund'
  | 'partner_cannot_partially_refund'
  | 'partner_cannot_refund_multiple_times';

export type AllocationResult =
  | { readonly ok: true; readonly allocations: Allocation[] }
  | { readonly ok: false; readonly code: AllocationErrorCode; readonly reason: string };

/** Stored value is declared by kind, or implied by an immediate debit at authorization. */
export function isStoredValue(t: AllocatableTender): boolean {
  return t.kind === 'stored_value' || t.capabilities.immediateDebit;
}

/** What the tender still has for this kind of operation, ignoring partner capabilities. */
export function availableFor(kind: OperationKind, t: AllocatableTender): number {
  return kind === 'refund' ? t.captured - t.refunded : t.authorized - t.captured - t.voided;
}

/** Codes that make a tender unusable for the operation, whatever the amount. */
type BlockCode =
  | 'partner_cannot_capture_multiple_times'
  | 'partner_cannot_void_after_partial_capture'
  | 'partner_cannot_refund'
  | 'partner_cannot_refund_multiple_times';

interface Candidate {
  readonly tender: AllocatableTender;
  readonly available: number;
  /** The partner accepts only the whole available amount for this operation. */
  readonly allOrNothing: boolean;
  /** Set when the partner cannot take any of this operation on this tender. */
  readonly blocked?: BlockCode;
}

function label(t: AllocatableTender): string {
  return `${t.partner} ${t.method} (tender ${t.id})`;
}

function toCandidate(kind: OperationKind, t: AllocatableTender): Candidate {
  const c = t.capabilities;
  const available = availableFor(kind, t);
  switch (kind) {
    case 'capture':
      return {
        tender: t,
        available,
        allOrNothing: !c.partialCapture,
        blocked:
          t.captureCount > 0 && !c.multipleCaptures ? 'partner_cannot_capture_multiple_times' : undefined,
      };
    case 'void':
      return {
        tender: t,
        available,
        allOrNothing: c.partialVoid !== true,
        blocked:
          t.captured > 0 && !c.voidAfterPartialCapture
            ? 'partner_cannot_void_after_partial_capture'
            : undefined,
      };
    case 'refund':
      return {
        tender: t,
        available,
        allOrNothing: !c.partialRefund,
        blocked: !c.refund
          ? 'partner_cannot_refund'
          : t.refundCount > 0 && c.multipleRefunds === false
            ? 'partner_cannot_refund_multiple_times'
            : undefined,
      };
  }
}

const PAST_TENSE: Record<OperationKind, string> = { capture: 'captured', void: 'voided', refund: 'refunded' };

const BLOCKED_REASON: Record<BlockCode, string> = {
  partner_cannot_capture_multiple_times: 'cannot capture more than once',
  partner_cannot_void_after_partial_capture: 'cannot void after a partial capture',
  partner_cannot_refund: 'does not support refunds',
  partner_cannot_refund_multiple_times: 'cannot refund more than once',
};

function validateTenders(tenders: readonly AllocatableTender[]): string | undefined {
  const ids = new Set<string>();
  let totalAuthorized = 0;
  for (const t of tenders) {
    if (ids.has(t.id)) return `duplicate tender id ${t.id}`;
    ids.add(t.id);
    const figures = [
      t.authorized,
      t.captured,
      t.voided,
      t.refunded,
      t.captureCount,
      t.refundCount,
      t.position,
    ];
    if (!figures.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      return `${label(t)} has a figure that is not a non-negative safe integer`;
    }
    if (t.captured + t.voided > t.authorized) return `${label(t)} has captured + voided > authorized`;
    if (t.refunded > t.captured) return `${label(t)} has refunded > captured`;
    totalAuthorized += t.authorized;
  }
  // Keeps every sum below (availables, subset sums) exact.
  if (!Number.isSafeInteger(totalAuthorized)) return 'total authorized exceeds the safe integer range';
  return undefined;
}

function orderTenders(
  kind: OperationKind,
  tenders: readonly AllocatableTender[],
  order: AllocationOrder | undefined,
): AllocatableTender[] | AllocationResult {
  if (order && 'tenderIds' in order) {
    if (new Set(order.tenderIds).size !== order.tenderIds.length) {
      return { ok: false, code: 'invalid_order', reason: 'tenderIds lists a tender more than once' };
    }
    const byId = new Map(tenders.map((t) => [t.id, t]));
    const picked: AllocatableTender[] = [];
    for (const id of order.tenderIds) {
      const t = byId.get(id);
      if (!t) return { ok: false, code: 'unknown_tender', reason: `No tender ${id} on this payment` };
      picked.push(t);
    }
    return picked;
  }
  const spec = order ?? DEFAULT_ALLOCATION_ORDERS[kind];
  const group = (t: AllocatableTender): number => {
    if (spec.storedValue === 'in_place') return 0;
    return isStoredValue(t) === (spec.storedValue === 'first') ? 0 : 1;
  };
  const within = (a: AllocatableTender, b: AllocatableTender): number => {
    if (spec.then === 'split_order') return a.position - b.position;
    if (spec.then === 'last_captured_first') {
      // Never-captured tenders sort after captured ones; ties fall back to reverse split order.
      const ta = a.lastCapturedAt ?? -Infinity;
      const tb = b.lastCapturedAt ?? -Infinity;
      if (ta !== tb) return tb > ta ? 1 : -1;
    }
    return b.position - a.position;
  };
  return [...tenders].sort((a, b) => group(a) - group(b) || within(a, b));
}

/**
 * Exact split of `amount` over `candidates` (all unblocked), in order, or undefined when no
 * combination works. Each tender takes the largest amount that still lets the tenders after it
 * complete the remainder exactly.
 */
function plan(amount: number, candidates: readonly Candidate[]): Allocation[] | undefined {
  const n = candidates.length;
  // flexAfter[i]: what flexible tenders from i on can take in any amount.
  // sumsAfter[i]: every total that a subset of all-or-nothing tenders from i on can make.
  const flexAfter: number[] = new Array<number>(n + 1).fill(0);
  const sumsAfter: number[][] = new Array<number[]>(n + 1);
  sumsAfter[n] = [0];
  for (let i = n - 1; i >= 0; i--) {
    const c = candidates[i];
    flexAfter[i] = flexAfter[i + 1] + (c.allOrNothing ? 0 : c.available);
    const next = sumsAfter[i + 1];
    sumsAfter[i] = c.allOrNothing
      ? [...new Set([...next, ...next.map((s) => s + c.available).filter((s) => s <= amount)])]
      : next;
  }
  // Can tenders from i on make exactly v? Some all-or-nothing subset s, flexible ones cover v - s.
  const reachable = (i: number, v: number) => sumsAfter[i].some((s) => s <= v && v - s <= flexAfter[i]);
  if (!reachable(0, amount)) return undefined;

  const allocations: Allocation[] = [];
  let rest = amount;
  for (let i = 0; i < n; i++) {
    const c = candidates[i];
    let take = 0;
    if (c.allOrNothing) {
      if (c.available <= rest && reachable(i + 1, rest - c.available)) take = c.available;
    } else {
      // Largest x <= min(available, rest) with rest - x in [s, s + flexAfter] for some subset s.
      for (const s of sumsAfter[i + 1]) {
        if (s > rest) continue;
        const upper = Math.min(c.available, rest - s);
        const lower = Math.max(0, rest - s - flexAfter[i + 1]);
        if (lower <= upper && upper > take) take = upper;
      }
    }
    if (take > 0) allocations.push({ tenderId: c.tender.id, amount: take });
    rest -= take;
  }
  return allocations;
}

/**
 * Splits a payment-level operation of `amount` minor units over the tenders. Pass only tenders
 * that are in a state to take the operation (e.g. AUTHORIZED for a capture); the figures are
 * the tenders' current totals including operations already applied.
 */
export function allocateOperation(
  kind: OperationKind,
  amount: number,
  tenders: readonly AllocatableTender[],
  order?: AllocationOrder,
): AllocationResult {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    return {
      ok: false,
      code: 'invalid_amount',
      reason: `Amount must be a positive safe integer, got ${amount}`,
    };
  }
  if (tenders.length > MAX_ALLOCATABLE_TENDERS) {
    return {
      ok: false,
      code: 'too_many_tenders',
      reason: `At most ${MAX_ALLOCATABLE_TENDERS} tenders can be allocated, got ${tenders.length}`,
    };
  }
  const invalid = validateTenders(tenders);
  if (invalid) return { ok: false, code: 'invalid_tender', reason: `Inconsistent tender: ${invalid}` };
  const ordered = orderTenders(kind, tenders, order);
  if (!Array.isArray(ordered)) return ordered;

  const candidates = ordered.map((t) => toCandidate(kind, t)).filter((c) => c.available > 0);
  const total = candidates.reduce((sum, c) => sum + c.available, 0);
  if (amount > total) {
    return {
      ok: false,
      code: 'amount_exceeds_available',
      reason: `Cannot ${kind} ${amount}: only ${total} available to ${kind}`,
    };
  }

  const usable = candidates.filter((c) => c.blocked === undefined);
  const usableTotal = usable.reduce((sum, c) => sum + c.available, 0);
  if (amount > usableTotal) {
    // The money exists but sits on tenders whose partner refuses this operation: name the first.
    const first = candidates.find((c) => c.blocked !== undefined) as Candidate & { blocked: BlockCode };
    return {
      ok: false,
      code: first.blocked,
      reason:
        `${label(first.tender)} ${BLOCKED_REASON[first.blocked]}, ` +
        `so only ${usableTotal} of the requested ${amount} can be ${PAST_TENSE[kind]}`,
    };
  }

  const allocations = plan(amount, usable);
  if (allocations) return { ok: true, allocations };
  // Enough money on usable tenders, yet no exact split: all-or-nothing tenders would overshoot.
  const rigid = usable.filter((c) => c.allOrNothing);
  return {
    ok: false,
    code: `partner_cannot_partially_${kind}`,
    reason:
      `No exact split of ${amount}: ` +
      rigid.map((c) => `${label(c.tender)} can only ${kind} its full ${c.available}`).join(', '),
  };
}
