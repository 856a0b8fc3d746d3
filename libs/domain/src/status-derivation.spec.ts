import fc from 'fast-check';
import {
  AuthorizationStatus,
  OPERATION_LEG_STATUSES,
  OperationLegStatus,
  TENDER_STATUSES,
  TENDER_TRANSITIONS,
  TenderStatus,
  canTransition,
} from './state-machines';
import {
  deriveAuthorizationStatus,
  deriveOperationStatus,
  isTenderOutcomeOpen,
  tendersToCompensate,
} from './status-derivation';

describe('deriveAuthorizationStatus', () => {
  it.each<[TenderStatus[], AuthorizationStatus]>([
    [['AUTHORIZED'], 'AUTHORIZED'],
    [['AUTHORIZED', 'AUTHORIZED'], 'AUTHORIZED'],
    [['AUTHORIZED', 'CANCELLED'], 'AUTHORIZED'],
    [['PENDING'], 'PENDING'],
    [['REQUIRES_ACTION', 'AUTHORIZED'], 'PENDING'],
    [['UNKNOWN', 'AUTHORIZED'], 'PENDING'],
    [['PENDING', 'PENDING_FRAUD_APPROVAL'], 'PENDING'],
    [['PENDING', 'CANCELLED'], 'PENDING'],
    [['PENDING_FRAUD_APPROVAL'], 'PENDING_FRAUD_APPROVAL'],
    [['PENDING_FRAUD_APPROVAL', 'AUTHORIZED'], 'PENDING_FRAUD_APPROVAL'],
    [['PENDING_FRAUD_APPROVAL', 'CANCELLED'], 'PENDING_FRAUD_APPROVAL'],
    [['REFUSED'], 'REFUSED'],
    [['FAILED'], 'REFUSED'],
    [['AUTHORIZED', 'REFUSED'], 'REFUSED'],
    [['UNKNOWN', 'FAILED'], 'REFUSED'],
    [['PENDING', 'REFUSED'], 'REFUSED'],
    [['CANCELLED', 'REFUSED'], 'REFUSED'],
    [['CANCELLED'], 'CANCELLED'],
    [['CANCELLED', 'CANCELLED'], 'CANCELLED'],
  ])('%j → %s', (statuses, expected) => {
    expect(deriveAuthorizationStatus(statuses)).toBe(expected);
  });

  it('refuses an empty split', () => {
    expect(() => deriveAuthorizationStatus([])).toThrow(RangeError);
  });

  it('does not depend on the order of the tenders', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...TENDER_STATUSES), { minLength: 1, maxLength: 6 }),
        (statuses) => {
          expect(deriveAuthorizationStatus([...statuses].reverse())).toBe(
            deriveAuthorizationStatus(statuses),
          );
        },
      ),
    );
  });

  it('only ever makes legal payment-level moves while tenders make legal moves', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...TENDER_STATUSES)), { maxLength: 30 }),
        (n, steps) => {
          const tenders: TenderStatus[] = Array.from({ length: n }, () => 'PENDING');
          let payment = deriveAuthorizationStatus(tenders);
          expect(payment).toBe('PENDING');
          for (const [pick, to] of steps) {
            const i = pick % n;
            if (!canTransition('tender', tenders[i], to)) continue;
            tenders[i] = to;
            const next = deriveAuthorizationStatus(tenders);
            if (next !== payment) expect(canTransition('authorization', payment, next)).toBe(true);
            payment = next;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('tendersToCompensate', () => {
  it('lists the tenders that hold or may still hold money, in input order', () => {
    const tenders = TENDER_STATUSES.map((status) => ({ id: `id-${status}`, status }));
    expect(tendersToCompensate(tenders)).toEqual([
      'id-PENDING',
      'id-REQUIRES_ACTION',
      'id-UNKNOWN',
      'id-PENDING_FRAUD_APPROVAL',
      'id-AUTHORIZED',
    ]);
    expect(tendersToCompensate([])).toEqual([]);
  });

  it('includes a status exactly when AUTHORIZED is still reachable from it', () => {
    const canBecomeAuthorized = (s: TenderStatus): boolean =>
      s === 'AUTHORIZED' || TENDER_TRANSITIONS[s].some((next) => canBecomeAuthorized(next));
    for (const status of TENDER_STATUSES) {
      expect(tendersToCompensate([{ id: 'x', status }])).toEqual(canBecomeAuthorized(status) ? ['x'] : []);
    }
  });

  it('marks as open (settle first) exactly the statuses whose outcome is unknown', () => {
    expect(TENDER_STATUSES.filter(isTenderOutcomeOpen)).toEqual(['PENDING', 'REQUIRES_ACTION', 'UNKNOWN']);
  });
});

describe('deriveOperationStatus', () => {
  it.each<[OperationLegStatus[], string]>([
    [['SUCCESS'], 'SUCCESS'],
    [['SUCCESS', 'SUCCESS'], 'SUCCESS'],
    [['PENDING', 'SUCCESS'], 'PENDING'],
    [['UNKNOWN', 'FAILED'], 'PENDING'],
    [['FAILED'], 'FAILED'],
    [['SUCCESS', 'FAILED'], 'FAILED'],
  ])('%j → %s', (legs, expected) => {
    expect(deriveOperationStatus(legs)).toBe(expected);
  });

  it('refuses an operation without legs', () => {
    expect(() => deriveOperationStatus([])).toThrow(RangeError);
  });

  it('only ever makes legal operation moves while legs make legal moves', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...OPERATION_LEG_STATUSES)), { maxLength: 20 }),
        (n, steps) => {
          const legs: OperationLegStatus[] = Array.from({ length: n }, () => 'PENDING');
          let op = deriveOperationStatus(legs);
          for (const [pick, to] of steps) {
            const i = pick % n;
            if (!canTransition('operationLeg', legs[i], to)) continue;
            legs[i] = to;
            const next = deriveOperationStatus(legs);
            if (next !== op) expect(canTransition('operation', op, next)).toBe(true);
            op = next;
          }
        },
      ),
    );
  });
});
