/**
 * The split-payment saga's decisions (pure; the store in libs/payments applies them).
 *
 * Order of authorization in a split payment: *
 * Tenders that only place a hold (cards, wallets) go first, all at once; tenders that debit at
 * authorization (gift cards, stored value) go only once every hold is in place. A declined card
 * then costs nothing to undo, and a debit (whose undo is a reversal the shopper may see on a
 * balance) only happens when the rest of the split is already secured. A hosted-page tender
 * holds the debits back until the shopper comes back authorized.
 */
import { allocateOperation } from './allocation';
import {
  allocatableTenders,
  legsOf,
  releasesAfterCapture,
  sumOf,
  type OperationPlan,
  type OperationType,
  type PaymentState,
  type TenderState,
} from './payment-state';
import {
  assertTransition,
  type AuthorizationStatus,
  type OperationStatus,
  type TenderStatus,
} from './state-machines';
import { deriveAuthorizationStatus, deriveOperationStatus } from './status-derivation';

export interface SagaTender {
  id: string;
  status: TenderStatus;
  immediateDebit: boolean;
}

/** Ids of the PENDING tenders that may be sent to their partner now. */
export function tendersToAuthorizeNow(tenders: readonly SagaTender[]): string[] {
  const holds = tenders.filter((t) => !t.immediateDebit);
  const debits = tenders.filter((t) => t.immediateDebit);
  const pendingIds = (list: readonly SagaTender[]) =>
    list.filter((t) => t.status === 'PENDING').map((t) => t.id);
  if (tenders.some((t) => t.status === 'REFUSED' || t.status === 'FAILED')) return [];
  if (holds.every((t) => t.status === 'AUTHORIZED')) return pendingIds(debits);
  return pendingIds(holds);
}

/** Why a split payment failed: the tender that failed it, as stored in `payment.failure`. */
export interface PaymentFailure {
  partner_transaction_id: string;
  partner: string;
  method: string;
  status: TenderStatus;
  partner_status: string | null;
  partner_status_description: string | null;
}

/**
 * One step of the split-payment saga, decided (what the store then writes, under the payment's lock).
 * `changed` says whether the payment moved at all (its version goes up).
 */
export interface SagaStep {
  /** Refund legs that waited for their tender's captures and may be sent now. */
  sendRefunds: Array<{ legId: string; partner: string }>;
  /** Refund legs never sent that no settled capture covers any more: failed unsent. */
  failRefunds: Array<{ legId: string; partnerStatus: string; partnerStatusDescription: string }>;
  /** Operations whose legs moved them. */
  operationStatuses: Array<{ operationId: string; status: OperationStatus }>;
  /** Tenders whose whole authorization was voided, nothing captured: CANCELLED. */
  cancelVoided: string[];
  /**
   * Tenders never sent (attempts 0) of a failed or cancelled split: CANCELLED, but only if still
   * unclaimed when written (a claim does not take the payment lock). If one was claimed meanwhile,
   * the store marks it sent and decides again.
   */
  cancelUnsent: string[];
  /** Operations to write: the compensation of a failed split, an automatic capture and its releases. */
  newOperations: OperationPlan[];
  /** Tenders to send to their partner now (never sent yet). */
  authorize: Array<{ tenderId: string; partner: string }>;
  /** The payment's new authorization status, with the failure when it is REFUSED. */
  paymentStatus?: { status: AuthorizationStatus; failure?: PaymentFailure };
  /** The session submitted for this payment ends with it. */
  sessionStatus?: 'COMPLETED' | 'FAILED';
  changed: boolean;
}

/** After this many refused voids on a tender, compensation stops and the payment's failure awaits an operator. */
export const MAX_COMPENSATION_ATTEMPTS = 3;

/**
 * The split-payment saga, one step: called under the payment's row lock after any tender or leg
 * changed. It derives the payment status from its tenders and decides what comes next:
 * - refunds that waited for captures: sent once the captures settled, failed unsent if not covered;
 * - operations: their status follows their legs; a fully voided tender becomes CANCELLED;
 * - still pending: authorize the next tenders (holds first, then immediate debits);
 * - refused, or cancelled by the merchant: compensate (void every tender holding money, cancel
 *   those never sent);
 * - authorized with capture_mode AUTOMATIC: capture everything.
 * Idempotent: on the state the step leaves, it decides nothing new. Every status it sets is a
 * transition of the state machines (it throws IllegalTransitionError otherwise).
 */
export function decideSagaStep(payment: Readonly<PaymentState>): SagaStep {
  const state = structuredClone(payment) as PaymentState;
  const step: SagaStep = {
    sendRefunds: [],
    failRefunds: [],
    operationStatuses: [],
    cancelVoided: [],
    cancelUnsent: [],
    newOperations: [],
    authorize: [],
    changed: false,
  };
  refundsAfterCaptures(state, step);

  for (const operation of state.operations) {
    const status = deriveOperationStatus(operation.legs.map((leg) => leg.status));
    if (status === operation.status) continue;
    assertTransition('operation', operation.status, status);
    operation.status = status;
    step.operationStatuses.push({ operationId: operation.id, status });
    step.changed = true;
  }

  for (const tender of state.tenders) {
    if (!HOLDS_MONEY.includes(tender.status)) continue;
    const settled = (type: OperationType) => sumOf(legsOf(state, tender.id, type, ['SUCCESS']));
    if (settled('VOID') > 0 && settled('VOID') === tender.amount && settled('CAPTURE') === 0) {
      cancel(tender);
      step.cancelVoided.push(tender.id);
      step.changed = true;
    }
  }

  let derived = deriveAuthorizationStatus(state.tenders.map((t) => t.status));
  if (derived === 'REFUSED' || (state.cancelRequested && derived !== 'CANCELLED')) {
    compensate(state, step);
  } else if (derived === 'PENDING') {
    const next = tendersToAuthorizeNow(
      state.tenders.map((t) => ({
        id: t.id,
        status: t.status,
        immediateDebit: t.definition?.capabilities.immediateDebit ?? false,
      })),
    );
    for (const tender of state.tenders) {
      if (next.includes(tender.id) && tender.attempts === 0) {
        step.authorize.push({ tenderId: tender.id, partner: tender.partner });
      }
    }
  } else if (derived === 'AUTHORIZED' && state.status !== 'AUTHORIZED' && state.captureMode === 'AUTOMATIC') {
    step.newOperations.push(...captureEverything(state));
    step.changed = true;
  }

  derived = deriveAuthorizationStatus(state.tenders.map((t) => t.status));
  // A cancelled payment never shows as authorized while its voids are on their way. A payment
  // cancelled before it was authorized is CANCELLED once its voids are over, even when a partner
  // refused a release MAX_COMPENSATION_ATTEMPTS times: that hold is an operator's, and the payment
  // must not stay PENDING for ever.
  if (state.cancelRequested && derived === 'AUTHORIZED') {
    derived = state.status !== 'AUTHORIZED' && compensationOver(state) ? 'CANCELLED' : state.status;
  }
  if (derived !== state.status) {
    assertTransition('authorization', state.status, derived);
    const failure = derived === 'REFUSED' ? failureOf(state) : undefined;
    step.paymentStatus = { status: derived, ...(failure ? { failure } : {}) };
    if (derived === 'AUTHORIZED') step.sessionStatus = 'COMPLETED';
    if (derived === 'REFUSED') step.sessionStatus = 'FAILED';
    step.changed = true;
  }
  return step;
}

const HOLDS_MONEY: readonly TenderStatus[] = ['AUTHORIZED', 'PENDING_FRAUD_APPROVAL', 'REQUIRES_ACTION'];

function cancel(tender: TenderState): void {
  assertTransition('tender', tender.status, 'CANCELLED');
  tender.status = 'CANCELLED';
}

/**
 * Refunds wait for the captures they draw on: a partner refuses to refund a capture it has not settled
 * (Connect's CAPTURE_REQUESTED), so a refund leg is not sent while a capture of its tender is in
 * flight. Once none is: the refunds the settled captures cover are sent, in creation order; one they
 * no longer cover (a capture was rejected) fails without being sent.
 */
function refundsAfterCaptures(state: PaymentState, step: SagaStep): void {
  for (const tender of state.tenders) {
    const captures = legsOf(state, tender.id, 'CAPTURE', ['PENDING', 'UNKNOWN', 'SUCCESS', 'FAILED']);
    if (captures.some((c) => c.status === 'PENDING' || c.status === 'UNKNOWN')) continue;
    const lastSettled = Math.max(0, ...captures.map((c) => c.updatedAt));
    const refunds = legsOf(state, tender.id, 'REFUND', ['PENDING', 'UNKNOWN', 'SUCCESS', 'FAILED']);
    // Waiting: never sent, and created before a capture of its tender settled.
    const waiting = refunds.filter(
      (r) => r.status === 'PENDING' && r.attempts === 0 && r.createdAt < lastSettled,
    );
    if (waiting.length === 0) continue;
    const captured = sumOf(captures.filter((c) => c.status === 'SUCCESS'));
    let committed = sumOf(refunds.filter((r) => !waiting.includes(r) && r.status !== 'FAILED'));
    for (const refund of waiting) {
      if (committed + refund.amount <= captured) {
        committed += refund.amount;
        step.sendRefunds.push({ legId: refund.id, partner: tender.partner });
        continue;
      }
      assertTransition('operationLeg', refund.status, 'FAILED');
      refund.status = 'FAILED';
      step.failRefunds.push({
        legId: refund.id,
        partnerStatus: 'capture_not_settled',
        partnerStatusDescription: 'the capture this refund drew on did not succeed: nothing was sent',
      });
      step.changed = true;
    }
  }
}

/**
 * Undoes a failed split: tenders never sent are cancelled; every tender holding money (or a hosted
 * session the shopper could still complete) gets a SYSTEM void of its uncaptured rest. Tenders in
 * flight or UNKNOWN are left until they settle: this step runs again then.
 */
function compensate(state: PaymentState, step: SagaStep): void {
  const voidable = allocatableTenders(state, 'VOID');
  const legs: OperationPlan['legs'] = [];
  for (const tender of state.tenders) {
    if (tender.status === 'PENDING' && tender.attempts === 0) {
      cancel(tender);
      step.cancelUnsent.push(tender.id);
      step.changed = true;
      continue;
    }
    if (!HOLDS_MONEY.includes(tender.status)) continue;
    if (legsOf(state, tender.id, 'VOID', ['FAILED']).length >= MAX_COMPENSATION_ATTEMPTS) continue;
    // A hosted page the shopper may still complete holds nothing yet, but must be closed (voided) all the same.
    const figures = voidable.find((t) => t.id === tender.id);
    const rest =
      tender.status === 'REQUIRES_ACTION'
        ? tender.amount - sumOf(legsOf(state, tender.id, 'VOID', ['PENDING', 'UNKNOWN', 'SUCCESS']))
        : figures
          ? figures.authorized - figures.captured - figures.voided
          : 0;
    if (rest > 0) legs.push({ tenderId: tender.id, amount: rest });
  }
  if (legs.length === 0) return;
  step.newOperations.push({
    type: 'VOID',
    amount: legs.reduce((s, l) => s + l.amount, 0),
    legs,
    triggeredBy: 'SYSTEM',
    merchantReference: 'split-refused-compensation',
  });
  step.changed = true;
}

/** Every tender is cancelled, or still holds money only because its voids were refused too often. */
function compensationOver(state: PaymentState): boolean {
  return state.tenders.every(
    (tender) =>
      tender.status === 'CANCELLED' ||
      (HOLDS_MONEY.includes(tender.status) &&
        legsOf(state, tender.id, 'VOID', ['PENDING', 'UNKNOWN']).length === 0 &&
        legsOf(state, tender.id, 'VOID', ['FAILED']).length >= MAX_COMPENSATION_ATTEMPTS),
  );
}

/** capture_mode AUTOMATIC: capture the whole payment once every tender is authorized. */
function captureEverything(state: PaymentState): OperationPlan[] {
  const alreadyCapturing = state.operations.some((o) => o.type === 'CAPTURE' && o.triggeredBy === 'SYSTEM');
  if (alreadyCapturing) return [];
  const tenders = allocatableTenders(state, 'CAPTURE');
  const amount = tenders.reduce((s, t) => s + t.authorized - t.captured - t.voided, 0);
  if (amount <= 0) return [];
  const allocation = allocateOperation('capture', amount, tenders);
  if (!allocation.ok) return [];
  const capture: OperationPlan = {
    type: 'CAPTURE',
    amount,
    legs: allocation.allocations.map((a) => ({ tenderId: a.tenderId, amount: a.amount })),
    triggeredBy: 'SYSTEM',
    merchantReference: 'automatic-capture',
  };
  const release = releasesAfterCapture(tenders, allocation.allocations);
  return release ? [capture, release] : [capture];
}

/** The tender that failed the split, named with its partner and partner status. */
function failureOf(state: PaymentState): PaymentFailure | undefined {
  const failed = [...state.tenders]
    .sort((a, b) => a.updatedAt - b.updatedAt)
    .find((t) => t.status === 'REFUSED' || t.status === 'FAILED');
  if (!failed) return undefined;
  return {
    partner_transaction_id: failed.id,
    partner: failed.partner,
    method: failed.method,
    status: failed.status,
    partner_status: failed.partnerStatus ?? null,
    partner_status_description: failed.partnerStatusDescription ?? null,
  };
}
