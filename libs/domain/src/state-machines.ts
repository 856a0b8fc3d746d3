/**
 * Lifecycle state machines as explicit transition tables. The tables are the single source of
 * truth: `isFinal` is derived from them (a status with no way out), so the two cannot drift.
 *
 * A move to the same status is not a transition: callers treat a repeated webhook or a
 * reconciler that finds nothing new as a no-op before asking the machine.
 */

export const CLIENT_SESSION_STATUSES = [
  'CREATED',
  'SUBMITTED',
  'COMPLETED',
  'FAILED',
  'ABORTED_BY_MERCHANT',
  'EXPIRED',
] as const;
export type ClientSessionStatus = (typeof CLIENT_SESSION_STATUSES)[number];

/** Payment-level authorization status, derived from the tenders (see deriveAuthorizationStatus). */
export const AUTHORIZATION_STATUSES = [
  'PENDING',
  'PENDING_FRAUD_APPROVAL',
  'AUTHORIZED',
  'REFUSED',
  'CANCELLED',
] as const;
export type AuthorizationStatus = (typeof AUTHORIZATION_STATUSES)[number];

/** Status of one authorization partner transaction (a tender of the split). */
export const TENDER_STATUSES = [
  'PENDING',
  'REQUIRES_ACTION',
  'UNKNOWN',
  'PENDING_FRAUD_APPROVAL',
  'AUTHORIZED',
  'REFUSED',
  'FAILED',
  'CANCELLED',
] as const;
export type TenderStatus = (typeof TENDER_STATUSES)[number];

/** A capture, void or refund as a whole. */
export const OPERATION_STATUSES = ['PENDING', 'SUCCESS', 'FAILED'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** One tender's share of an operation (one partner call). */
export const OPERATION_LEG_STATUSES = ['PENDING', 'UNKNOWN', 'SUCCESS', 'FAILED'] as const;
export type OperationLegStatus = (typeof OPERATION_LEG_STATUSES)[number];

/** Tenders still waiting for the partner's outcome: what lookups, refreshes and operators look at. */
export const UNSETTLED_TENDER_STATUSES: readonly TenderStatus[] = [
  'PENDING',
  'UNKNOWN',
  'REQUIRES_ACTION',
  'PENDING_FRAUD_APPROVAL',
];

/** Operation legs still waiting for the partner's outcome. */
export const UNSETTLED_LEG_STATUSES: readonly OperationLegStatus[] = ['PENDING', 'UNKNOWN'];

type Table<S extends string> = Readonly<Record<S, readonly S[]>>;

export const CLIENT_SESSION_TRANSITIONS: Table<ClientSessionStatus> = {
  CREATED: ['SUBMITTED', 'ABORTED_BY_MERCHANT', 'EXPIRED'],
  SUBMITTED: ['COMPLETED', 'FAILED', 'ABORTED_BY_MERCHANT', 'EXPIRED'],
  COMPLETED: [],
  FAILED: [],
  ABORTED_BY_MERCHANT: [],
  EXPIRED: [],
};

export const AUTHORIZATION_TRANSITIONS: Table<AuthorizationStatus> = {
  PENDING: ['PENDING_FRAUD_APPROVAL', 'AUTHORIZED', 'REFUSED', 'CANCELLED'],
  PENDING_FRAUD_APPROVAL: ['AUTHORIZED', 'REFUSED', 'CANCELLED'],
  // Only a full void before any capture cancels an authorized payment; captures and partial
  // voids show in the amounts, not in this status.
  AUTHORIZED: ['CANCELLED'],
  REFUSED: [],
  CANCELLED: [],
};

/**
 * Tender moves only go forward. Notes on the less obvious entries:
 * - PENDING → CANCELLED: the tender was never sent (a sibling failed first), nothing to reverse.
 * - UNKNOWN → REQUIRES_ACTION: the reconciler learns the timed-out call asked for a redirect.
 *   The reverse move does not exist: if the call completing a redirect times out, the tender
 *   stays REQUIRES_ACTION (already an open outcome the reconciler settles). That keeps the
 *   machine acyclic, so a tender cannot bounce between the two forever.
 * - REQUIRES_ACTION → CANCELLED: the shopper abandoned and we cancelled the hosted session.
 * - UNKNOWN → CANCELLED: the partner confirmed a reversal of our request by reference (the
 *   classic timeout reversal), which settles the unknown outcome and compensates in one step.
 * - FAILED means a permanent technical failure where no money moved; it is final like REFUSED.
 * - No way back to PENDING or UNKNOWN once an outcome is known, and nothing leaves a final status.
 */
export const TENDER_TRANSITIONS: Table<TenderStatus> = {
  PENDING: [
    'REQUIRES_ACTION',
    'UNKNOWN',
    'PENDING_FRAUD_APPROVAL',
    'AUTHORIZED',
    'REFUSED',
    'FAILED',
    'CANCELLED',
  ],
  REQUIRES_ACTION: ['PENDING_FRAUD_APPROVAL', 'AUTHORIZED', 'REFUSED', 'FAILED', 'CANCELLED'],
  UNKNOWN: ['REQUIRES_ACTION', 'PENDING_FRAUD_APPROVAL', 'AUTHORIZED', 'REFUSED', 'FAILED', 'CANCELLED'],
  PENDING_FRAUD_APPROVAL: ['AUTHORIZED', 'REFUSED', 'CANCELLED'],
  AUTHORIZED: ['CANCELLED'],
  REFUSED: [],
  FAILED: [],
  CANCELLED: [],
};

export const OPERATION_TRANSITIONS: Table<OperationStatus> = {
  PENDING: ['SUCCESS', 'FAILED'],
  SUCCESS: [],
  FAILED: [],
};

/** A leg whose partner call timed out is UNKNOWN until the reconciler learns the outcome. */
export const OPERATION_LEG_TRANSITIONS: Table<OperationLegStatus> = {
  PENDING: ['UNKNOWN', 'SUCCESS', 'FAILED'],
  UNKNOWN: ['SUCCESS', 'FAILED'],
  SUCCESS: [],
  FAILED: [],
};

export const MACHINES = {
  clientSession: CLIENT_SESSION_TRANSITIONS,
  authorization: AUTHORIZATION_TRANSITIONS,
  tender: TENDER_TRANSITIONS,
  operation: OPERATION_TRANSITIONS,
  operationLeg: OPERATION_LEG_TRANSITIONS,
} as const;

export type MachineName = keyof typeof MACHINES;
export type StatusOf<M extends MachineName> = keyof (typeof MACHINES)[M] & string;

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly machine: MachineName,
    readonly from: string,
    readonly to: string,
  ) {
    super(`Illegal ${machine} transition ${from} → ${to}`);
  }
}

// Statuses often come from the database as plain strings: unknown ones are simply not legal.
function targets(machine: MachineName, from: string): readonly string[] | undefined {
  const table: Readonly<Record<string, readonly string[]>> = MACHINES[machine];
  return Object.hasOwn(table, from) ? table[from] : undefined;
}

export function canTransition<M extends MachineName>(
  machine: M,
  from: StatusOf<M>,
  to: StatusOf<M>,
): boolean {
  return targets(machine, from)?.includes(to) ?? false;
}

export function assertTransition<M extends MachineName>(
  machine: M,
  from: StatusOf<M>,
  to: StatusOf<M>,
): void {
  if (!canTransition(machine, from, to)) throw new IllegalTransitionError(machine, from, to);
}

/** Final = no transition out. Throws on a status the machine does not know. */
export function isFinal<M extends MachineName>(machine: M, status: StatusOf<M>): boolean {
  const out = targets(machine, status);
  if (!out) throw new RangeError(`Unknown ${machine} status ${String(status)}`);
  return out.length === 0;
}
