import fc from 'fast-check';
import { afterNothingFound, type UnclearOutcome, type UnclearOutcomeStep } from './unclear-outcomes';

/**
 * A model of one tender's debit at a partner, driven by the reconciler's rules as the worker applies
 * them (dispatch.service.ts): the lookup, `afterNothingFound`, the reversal of a lost attempt, and
 * the claim of a new attempt (guarded by the attempt count, the open status and the expired lease).
 * fast-check plays arbitrary timings: calls that the partner processes late or never, answers lost,
 * reconciler runs that overlap (each decides on what it read when it started), read-only runs, and
 * the payment giving up on the money. The property: once every call has landed and the reconciler
 * has settled, the partner holds at most one debit, exactly one when we say AUTHORIZED and none
 * when we say CANCELLED.
 *
 * The one partner behaviour assumed (docs/money-safety.md): a call is processed within
 * MAX_PROCESSING_MS of being sent, or never. The lease (timeout + margin) covers that.
 */
const TIMEOUT_MS = 10;
const MAX_PROCESSING_MS = 25;
const LEASE_MS = 30;

type Status = 'PENDING' | 'UNKNOWN' | 'AUTHORIZED' | 'CANCELLED';
const OPEN: Status[] = ['PENDING', 'UNKNOWN'];

interface Booking {
  reference: string;
  status: 'posted' | 'reversed';
}

interface InFlightCall {
  reference: string;
  /** When the partner books it; undefined: it never reached the partner. */
  commitAt?: number;
  /** Whether our client saw the answer (it came before the timeout and was not lost). */
  answered: boolean;
}

interface Run {
  readOnly: boolean;
  attempts: number;
  status: Status;
  inFlight: boolean;
  stillNeeded: boolean;
  found?: Booking;
}

class Model {
  now = 0;
  status: Status = 'PENDING';
  attempts = 0;
  inFlightUntil = 0;
  stillNeeded = true;
  readonly journal: Booking[] = [];
  readonly calls: InFlightCall[] = [];
  readonly runs = new Map<number, Run>();

  constructor(
    readonly idempotent: boolean,
    readonly decide: (call: UnclearOutcome) => UnclearOutcomeStep,
  ) {}

  reference(attempt: number): string {
    return this.idempotent ? 'ref' : `ref-${attempt}`;
  }

  /** Claims and sends the next attempt (the guarded UPDATE of `claim`). */
  claimAndSend(expectedAttempts: number, call: CallFate): void {
    if (this.attempts !== expectedAttempts || !OPEN.includes(this.status) || this.inFlightUntil > this.now)
      return;
    this.attempts += 1;
    this.inFlightUntil = this.now + LEASE_MS;
    const reference = this.reference(this.attempts);
    const commitAt = call.reaches ? this.now + call.processingMs : undefined;
    this.calls.push({
      reference,
      commitAt,
      answered: commitAt !== undefined && call.processingMs <= TIMEOUT_MS && !call.answerLost,
    });
    if (!this.calls.at(-1)!.answered && this.status === 'PENDING') this.status = 'UNKNOWN';
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (const call of [...this.calls].sort((a, b) => (a.commitAt ?? 0) - (b.commitAt ?? 0))) {
      if (call.commitAt === undefined || call.commitAt > until) continue;
      this.now = call.commitAt;
      this.calls.splice(this.calls.indexOf(call), 1);
      // A partner with idempotency keys books a key once.
      if (!(this.idempotent && this.journal.some((b) => b.reference === call.reference))) {
        this.journal.push({ reference: call.reference, status: 'posted' });
      }
      if (call.answered) this.record(this.journal.find((b) => b.reference === call.reference)!);
    }
    this.now = until;
  }

  /** What a lookup or an answer says, recorded never backwards (`applyAuthorization`). */
  record(booking: Booking): void {
    const target: Status = booking.status === 'posted' ? 'AUTHORIZED' : 'CANCELLED';
    if (OPEN.includes(this.status) || (this.status === 'AUTHORIZED' && target === 'CANCELLED'))
      this.status = target;
  }

  startRun(id: number, readOnly: boolean): void {
    if (this.runs.has(id) || this.attempts === 0) return;
    this.runs.set(id, {
      readOnly,
      attempts: this.attempts,
      status: this.status,
      inFlight: this.inFlightUntil > this.now,
      stillNeeded: this.stillNeeded,
      found: this.journal.find((b) => b.reference === this.reference(this.attempts)),
    });
  }

  finishRun(id: number, call: CallFate): void {
    const run = this.runs.get(id);
    if (!run) return;
    this.runs.delete(id);
    if (run.found) return this.record(run.found);
    const step = this.decide({
      readOnly: run.readOnly,
      open: OPEN.includes(run.status),
      inFlight: run.inFlight,
      idempotent: this.idempotent,
      stillNeeded: run.stillNeeded,
    });
    if (step === 'NOTHING' || step === 'WAIT') return;
    if (step === 'REVERSE_THEN_RESEND' || step === 'REVERSE_THEN_END') {
      const lost = this.journal.find((b) => b.reference === this.reference(run.attempts));
      if (lost) lost.status = 'reversed';
    }
    if (step === 'END' || step === 'REVERSE_THEN_END') {
      // Only if no other run has sent a new attempt since this one read the row.
      if (OPEN.includes(this.status) && this.attempts === run.attempts) this.status = 'CANCELLED';
      return;
    }
    this.claimAndSend(run.attempts, call);
  }

  postedDebits(): number {
    return this.journal.filter((b) => b.status === 'posted').length;
  }
}

interface CallFate {
  reaches: boolean;
  processingMs: number;
  answerLost: boolean;
}

const callFate = fc.record({
  reaches: fc.boolean(),
  processingMs: fc.integer({ min: 0, max: MAX_PROCESSING_MS }),
  answerLost: fc.boolean(),
});

type Action =
  | { kind: 'advance'; ms: number }
  | { kind: 'start'; run: number; readOnly: boolean }
  | { kind: 'finish'; run: number; call: CallFate }
  | { kind: 'payment-gives-up' };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('start' as const),
    run: fc.integer({ min: 0, max: 2 }),
    readOnly: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('finish' as const), run: fc.integer({ min: 0, max: 2 }), call: callFate }),
  fc.constant({ kind: 'payment-gives-up' as const }),
);

/** Plays the actions, then lets every call land and the reconciler settle what is still open. */
function play(idempotent: boolean, first: CallFate, actions: Action[], decide = afterNothingFound): Model {
  const model = new Model(idempotent, decide);
  model.claimAndSend(0, first);
  for (const a of actions) {
    if (a.kind === 'advance') model.advance(a.ms);
    else if (a.kind === 'start') model.startRun(a.run, a.readOnly);
    else if (a.kind === 'finish') model.finishRun(a.run, a.call);
    else model.stillNeeded = false;
  }
  for (const id of [...model.runs.keys()])
    model.finishRun(id, { reaches: true, processingMs: 0, answerLost: false });
  // Settle: scheduled runs, far apart, until the outcome is known (every later call is answered).
  for (let i = 0; i < 10 && OPEN.includes(model.status); i++) {
    model.advance(LEASE_MS + MAX_PROCESSING_MS);
    model.startRun(99, false);
    model.finishRun(99, { reaches: true, processingMs: 0, answerLost: false });
  }
  model.advance(LEASE_MS + MAX_PROCESSING_MS);
  return model;
}

function settledConsistently(model: Model): boolean {
  const debits = model.postedDebits();
  if (debits > 1) return false;
  if (model.status === 'AUTHORIZED') return debits === 1;
  if (model.status === 'CANCELLED') return debits === 0;
  return false; // still open after settling
}

describe('unclear outcomes: what the reconciler does once a lookup found nothing', () => {
  it('decides by the rules of docs/money-safety.md', () => {
    const base: UnclearOutcome = {
      readOnly: false,
      open: true,
      inFlight: false,
      idempotent: true,
      stillNeeded: true,
    };
    expect(afterNothingFound({ ...base, readOnly: true })).toBe('NOTHING');
    expect(afterNothingFound({ ...base, open: false })).toBe('NOTHING');
    expect(afterNothingFound({ ...base, inFlight: true })).toBe('WAIT');
    expect(afterNothingFound({ ...base, idempotent: false, inFlight: true })).toBe('WAIT');
    expect(afterNothingFound(base)).toBe('RESEND');
    expect(afterNothingFound({ ...base, stillNeeded: false })).toBe('END');
    expect(afterNothingFound({ ...base, idempotent: false })).toBe('REVERSE_THEN_RESEND');
    expect(afterNothingFound({ ...base, idempotent: false, stillNeeded: false })).toBe('REVERSE_THEN_END');
  });

  it.each([
    ['without idempotency keys (Paytronix)', false],
    ['with idempotency keys (Connect, Purse)', true],
  ])('a partner %s never holds two debits for one tender, whatever the timings', (_name, idempotent) => {
    fc.assert(
      fc.property(callFate, fc.array(action, { maxLength: 40 }), (first, actions) =>
        settledConsistently(play(idempotent, first, actions)),
      ),
      { numRuns: 10000 },
    );
  });

  it('the property catches a reconciler that resends while the lost call may still land', () => {
    const ignoringTheLease = (call: UnclearOutcome) => afterNothingFound({ ...call, inFlight: false });
    const result = fc.check(
      fc.property(callFate, fc.array(action, { maxLength: 40 }), (first, actions) =>
        settledConsistently(play(false, first, actions, ignoringTheLease)),
      ),
      { numRuns: 10000 },
    );
    expect(result.failed).toBe(true);
  });
});
