import fc from 'fast-check';
import {
  AUTHORIZATION_STATUSES,
  CLIENT_SESSION_STATUSES,
  IllegalTransitionError,
  MACHINES,
  MachineName,
  OPERATION_LEG_STATUSES,
  OPERATION_STATUSES,
  TENDER_STATUSES,
  assertTransition,
  canTransition,
  isFinal,
} from './state-machines';

/** The expected tables, written out independently of the implementation. */
const EXPECTED: Record<MachineName, { statuses: readonly string[]; legal: string[]; finals: string[] }> = {
  clientSession: {
    statuses: CLIENT_SESSION_STATUSES,
    legal: [
      'CREATED>SUBMITTED',
      'CREATED>ABORTED_BY_MERCHANT',
      'CREATED>EXPIRED',
      'SUBMITTED>COMPLETED',
      'SUBMITTED>FAILED',
      'SUBMITTED>ABORTED_BY_MERCHANT',
      'SUBMITTED>EXPIRED',
    ],
    finals: ['COMPLETED', 'FAILED', 'ABORTED_BY_MERCHANT', 'EXPIRED'],
  },
  authorization: {
    statuses: AUTHORIZATION_STATUSES,
    legal: [
      'PENDING>PENDING_FRAUD_APPROVAL',
      'PENDING>AUTHORIZED',
      'PENDING>REFUSED',
      'PENDING>CANCELLED',
      'PENDING_FRAUD_APPROVAL>AUTHORIZED',
      'PENDING_FRAUD_APPROVAL>REFUSED',
      'PENDING_FRAUD_APPROVAL>CANCELLED',
      'AUTHORIZED>CANCELLED',
    ],
    finals: ['REFUSED', 'CANCELLED'],
  },
  tender: {
    statuses: TENDER_STATUSES,
    legal: [
      'PENDING>REQUIRES_ACTION',
      'PENDING>UNKNOWN',
      'PENDING>PENDING_FRAUD_APPROVAL',
      'PENDING>AUTHORIZED',
      'PENDING>REFUSED',
      'PENDING>FAILED',
      'PENDING>CANCELLED',
      'REQUIRES_ACTION>PENDING_FRAUD_APPROVAL',
      'REQUIRES_ACTION>AUTHORIZED',
      'REQUIRES_ACTION>REFUSED',
      'REQUIRES_ACTION>FAILED',
      'REQUIRES_ACTION>CANCELLED',
      'UNKNOWN>REQUIRES_ACTION',
      'UNKNOWN>PENDING_FRAUD_APPROVAL',
      'UNKNOWN>AUTHORIZED',
      'UNKNOWN>REFUSED',
      'UNKNOWN>FAILED',
      'UNKNOWN>CANCELLED',
      'PENDING_FRAUD_APPROVAL>AUTHORIZED',
      'PENDING_FRAUD_APPROVAL>REFUSED',
      'PENDING_FRAUD_APPROVAL>CANCELLED',
      'AUTHORIZED>CANCELLED',
    ],
    finals: ['REFUSED', 'FAILED', 'CANCELLED'],
  },
  operation: {
    statuses: OPERATION_STATUSES,
    legal: ['PENDING>SUCCESS', 'PENDING>FAILED'],
    finals: ['SUCCESS', 'FAILED'],
  },
  operationLeg: {
    statuses: OPERATION_LEG_STATUSES,
    legal: ['PENDING>UNKNOWN', 'PENDING>SUCCESS', 'PENDING>FAILED', 'UNKNOWN>SUCCESS', 'UNKNOWN>FAILED'],
    finals: ['SUCCESS', 'FAILED'],
  },
};

const MACHINE_NAMES = Object.keys(EXPECTED) as MachineName[];
// Loosely typed views for table-driven tests over every machine.
const can = (m: MachineName, from: string, to: string) => canTransition(m, from as never, to as never);
const assertMove = (m: MachineName, from: string, to: string) =>
  assertTransition(m, from as never, to as never);
const final = (m: MachineName, s: string) => isFinal(m, s as never);

const legalCases = MACHINE_NAMES.flatMap((m) =>
  EXPECTED[m].legal.map((pair): [MachineName, string, string] => {
    const [from, to] = pair.split('>');
    return [m, from, to];
  }),
);

describe('transition tables', () => {
  it('cover exactly the machines expected', () => {
    expect(Object.keys(MACHINES).sort()).toEqual([...MACHINE_NAMES].sort());
  });

  it.each(MACHINE_NAMES)('%s: table keys are the exported status list', (m) => {
    expect(Object.keys(MACHINES[m]).sort()).toEqual([...EXPECTED[m].statuses].sort());
  });

  it.each(legalCases)('%s: %s → %s is legal', (m, from, to) => {
    expect(can(m, from, to)).toBe(true);
    expect(() => assertMove(m, from, to)).not.toThrow();
  });

  it.each(MACHINE_NAMES)('%s: every other pair is illegal', (m) => {
    const { statuses, legal } = EXPECTED[m];
    const actual = statuses.flatMap((from) =>
      statuses.filter((to) => can(m, from, to)).map((to) => `${from}>${to}`),
    );
    expect(actual.sort()).toEqual([...legal].sort());
  });

  it.each([
    ['tender', 'AUTHORIZED', 'PENDING'],
    ['tender', 'AUTHORIZED', 'UNKNOWN'],
    ['tender', 'AUTHORIZED', 'REFUSED'],
    ['tender', 'REFUSED', 'AUTHORIZED'],
    ['tender', 'FAILED', 'PENDING'],
    ['tender', 'CANCELLED', 'AUTHORIZED'],
    ['tender', 'PENDING_FRAUD_APPROVAL', 'PENDING'],
    ['tender', 'PENDING_FRAUD_APPROVAL', 'UNKNOWN'],
    ['tender', 'REQUIRES_ACTION', 'PENDING'],
    ['tender', 'UNKNOWN', 'PENDING'],
    ['tender', 'REQUIRES_ACTION', 'UNKNOWN'],
    ['authorization', 'AUTHORIZED', 'PENDING'],
    ['authorization', 'AUTHORIZED', 'REFUSED'],
    ['authorization', 'REFUSED', 'AUTHORIZED'],
    ['authorization', 'CANCELLED', 'PENDING'],
    ['clientSession', 'COMPLETED', 'SUBMITTED'],
    ['clientSession', 'CREATED', 'COMPLETED'],
    ['clientSession', 'EXPIRED', 'CREATED'],
    ['operation', 'SUCCESS', 'FAILED'],
    ['operation', 'FAILED', 'PENDING'],
    ['operationLeg', 'UNKNOWN', 'PENDING'],
    ['operationLeg', 'SUCCESS', 'UNKNOWN'],
  ] as const)('%s: %s → %s is illegal and assertTransition says so', (m, from, to) => {
    expect(can(m, from, to)).toBe(false);
    let error: unknown;
    try {
      assertMove(m, from, to);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ machine: m, from, to });
    expect((error as Error).message).toBe(`Illegal ${m} transition ${from} → ${to}`);
  });

  it.each(MACHINE_NAMES)('%s: no status transitions to itself', (m) => {
    for (const s of EXPECTED[m].statuses) expect(can(m, s, s)).toBe(false);
  });

  it('treats unknown or prototype-ish statuses as illegal rather than crashing', () => {
    expect(can('tender', 'BOGUS', 'AUTHORIZED')).toBe(false);
    expect(can('tender', '__proto__', 'AUTHORIZED')).toBe(false);
    expect(can('tender', 'constructor', 'AUTHORIZED')).toBe(false);
    expect(can('tender', 'PENDING', 'BOGUS')).toBe(false);
    expect(() => final('tender', 'BOGUS')).toThrow(RangeError);
  });
});

describe('isFinal', () => {
  it.each(MACHINE_NAMES)('%s: exactly the expected statuses are final', (m) => {
    const finals = EXPECTED[m].statuses.filter((s) => final(m, s));
    expect(finals.sort()).toEqual([...EXPECTED[m].finals].sort());
  });
});

describe('machine shape', () => {
  /** Statuses reachable from `from` in one or more moves. */
  function reachable(m: MachineName, from: string): Set<string> {
    const table = MACHINES[m] as Readonly<Record<string, readonly string[]>>;
    const seen = new Set<string>();
    const stack = [...table[from]];
    while (stack.length > 0) {
      const s = stack.pop() as string;
      if (!seen.has(s)) {
        seen.add(s);
        stack.push(...table[s]);
      }
    }
    return seen;
  }

  it.each(MACHINE_NAMES)('%s: never goes backwards (no cycles)', (m) => {
    for (const s of EXPECTED[m].statuses) expect(reachable(m, s).has(s)).toBe(false);
  });

  it.each(MACHINE_NAMES)('%s: every status is reachable from the first one', (m) => {
    const [initial, ...rest] = EXPECTED[m].statuses;
    const seen = reachable(m, initial);
    for (const s of rest) expect(seen.has(s)).toBe(true);
  });

  it.each(MACHINE_NAMES)('%s: every walk ends in a final status', (m) => {
    const statuses = EXPECTED[m].statuses;
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 20 }), (choices) => {
        let s = statuses[0];
        for (const c of choices) {
          const next = statuses.filter((to) => can(m, s, to));
          if (next.length === 0) break;
          s = next[c % next.length];
        }
        // Walks are at most as long as the number of statuses, since there are no cycles.
        if (choices.length >= statuses.length) expect(final(m, s)).toBe(true);
      }),
    );
  });
});
