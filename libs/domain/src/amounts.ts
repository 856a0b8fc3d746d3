/**
 * Derivation of the Purse-v2 `amounts` and `overview` blocks of a payment from its tenders.
 * Totals are always recomputed from per-tender figures (never stored and incremented), so
 * the blocks cannot drift from what the partners actually did.
 */

/** What one authorization partner transaction holds, in minor units. */
export interface TenderFigures {
  readonly authorized: number;
  /** Requested but not yet confirmed (in flight, awaiting a redirect or fraud review). */
  readonly authorizePending: number;
  readonly captured: number;
  readonly voided: number;
  readonly refunded: number;
}

/** snake_case because this is the public Purse-v2 wire shape. */
export interface Amounts {
  readonly authorize_pending: number;
  readonly total_authorized: number;
  readonly total_captured: number;
  readonly total_voided: number;
  readonly total_refunded: number;
  readonly available_to_capture: number;
  readonly available_to_void: number;
  readonly available_to_refund: number;
}

export type Consumption = 'NOT' | 'PARTIALLY' | 'FULLY';

export interface Overview {
  readonly consumed: Consumption;
  readonly captured: Consumption;
  readonly voided: Consumption;
  readonly refunded: Consumption;
}

export type TenderInvariantCode =
  'not_a_minor_amount' | 'captured_plus_voided_exceeds_authorized' | 'refunded_exceeds_captured';

export interface TenderInvariantViolation {
  readonly code: TenderInvariantCode;
  readonly message: string;
}

const FIGURE_FIELDS = ['authorized', 'authorizePending', 'captured', 'voided', 'refunded'] as const;

/** Empty list = the tender is consistent. A list (not a throw) so a checker can report all. */
export function checkTenderInvariants(t: TenderFigures): TenderInvariantViolation[] {
  const violations: TenderInvariantViolation[] = [];
  for (const field of FIGURE_FIELDS) {
    const v = t[field];
    if (!Number.isSafeInteger(v) || v < 0) {
      violations.push({
        code: 'not_a_minor_amount',
        message: `${field} must be a non-negative safe integer, got ${v}`,
      });
    }
  }
  // Comparisons on bad numbers would be meaningless; the first violation says enough.
  if (violations.length > 0) return violations;
  if (t.captured + t.voided > t.authorized) {
    violations.push({
      code: 'captured_plus_voided_exceeds_authorized',
      message: `captured (${t.captured}) + voided (${t.voided}) exceeds authorized (${t.authorized})`,
    });
  }
  if (t.refunded > t.captured) {
    violations.push({
      code: 'refunded_exceeds_captured',
      message: `refunded (${t.refunded}) exceeds captured (${t.captured})`,
    });
  }
  return violations;
}

/** Thrown when stored figures are inconsistent: serving wrong balances is worse than a 500. */
export class TenderInvariantError extends Error {
  override readonly name = 'TenderInvariantError';
  constructor(
    readonly index: number,
    readonly violations: readonly TenderInvariantViolation[],
  ) {
    super(`Tender #${index} is inconsistent: ${violations.map((v) => v.message).join('; ')}`);
  }
}

export function deriveAmounts(tenders: readonly TenderFigures[]): Amounts {
  tenders.forEach((t, i) => {
    const violations = checkTenderInvariants(t);
    if (violations.length > 0) throw new TenderInvariantError(i, violations);
  });
  // A total beyond the safe range would round silently; refuse it instead.
  const sum = (field: (typeof FIGURE_FIELDS)[number]): number => {
    const total = tenders.reduce((acc, t) => acc + t[field], 0);
    if (!Number.isSafeInteger(total)) throw new RangeError(`Sum of ${field} exceeds the safe integer range`);
    return total;
  };
  const authorized = sum('authorized');
  const captured = sum('captured');
  const voided = sum('voided');
  const refunded = sum('refunded');
  // Per-tender invariants make these differences non-negative; no clamping needed or wanted.
  const open = authorized - captured - voided;
  return {
    authorize_pending: sum('authorizePending'),
    total_authorized: authorized,
    total_captured: captured,
    total_voided: voided,
    total_refunded: refunded,
    available_to_capture: open,
    available_to_void: open,
    available_to_refund: captured - refunded,
  };
}

/** How much of `reference` is used up by `value`. Nothing to consume (reference 0) is NOT. */
export function consumption(value: number, reference: number): Consumption {
  if (reference <= 0 || value <= 0) return 'NOT';
  return value >= reference ? 'FULLY' : 'PARTIALLY';
}

export function deriveOverview(amounts: Amounts): Overview {
  return {
    consumed: consumption(amounts.total_captured + amounts.total_voided, amounts.total_authorized),
    captured: consumption(amounts.total_captured, amounts.total_authorized),
    voided: consumption(amounts.total_voided, amounts.total_authorized),
    refunded: consumption(amounts.total_refunded, amounts.total_captured),
  };
}
