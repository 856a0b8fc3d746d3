import fc from 'fast-check';
import {
  AllocatableTender,
  AllocationOrder,
  AllocationResult,
  MAX_ALLOCATABLE_TENDERS,
  OperationKind,
  allocateOperation,
  availableFor,
} from './allocation';
import { checkTenderInvariants } from './amounts';
import { PartnerCapabilities } from './capabilities';

/** A typical card PSP: everything but partial voids (a void releases the whole remainder). */
const CARD_PSP: PartnerCapabilities = {
  partialCapture: true,
  multipleCaptures: true,
  voidAfterPartialCapture: true,
  refund: true,
  partialRefund: true,
  multipleRefunds: true,
  needsRedirect: false,
  immediateDebit: false,
};

function card(
  id: string,
  position: number,
  f: Partial<AllocatableTender> = {},
  caps: Partial<PartnerCapabilities> = {},
) {
  const t: AllocatableTender = {
    id,
    partner: 'Acme PSP',
    method: 'visa',
    kind: 'card',
    capabilities: { ...CARD_PSP, ...caps },
    authorized: 0,
    captured: 0,
    voided: 0,
    refunded: 0,
    captureCount: 0,
    refundCount: 0,
    position,
    ...f,
  };
  return t;
}

function giftCard(
  id: string,
  position: number,
  f: Partial<AllocatableTender> = {},
  caps: Partial<PartnerCapabilities> = {},
) {
  return card(
    id,
    position,
    { partner: 'Paytronix', method: 'gift_card', kind: 'stored_value', ...f },
    {
      immediateDebit: true,
      ...caps,
    },
  );
}

function expectOk(result: AllocationResult): [string, number][] {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.reason}`);
  return result.allocations.map((a) => [a.tenderId, a.amount]);
}

function expectCode(result: AllocationResult, code: string): string {
  if (result.ok) throw new Error(`expected ${code}, got ${JSON.stringify(result.allocations)}`);
  expect(result.code).toBe(code);
  return result.reason;
}

describe('allocateOperation: input checks', () => {
  const tenders = [card('a', 0, { authorized: 100 })];

  it.each([0, -1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1])('refuses amount %p', (amount) => {
    expectCode(allocateOperation('capture', amount, tenders), 'invalid_amount');
  });

  it.each<[string, AllocatableTender[]]>([
    ['duplicate ids', [card('a', 0, { authorized: 10 }), card('a', 1, { authorized: 10 })]],
    ['captured + voided > authorized', [card('a', 0, { authorized: 10, captured: 6, voided: 5 })]],
    ['refunded > captured', [card('a', 0, { authorized: 10, captured: 6, refunded: 7 })]],
    ['negative figure', [card('a', 0, { authorized: -10 })]],
    ['fractional figure', [card('a', 0, { authorized: 10.5 })]],
    ['negative count', [card('a', 0, { authorized: 10, captureCount: -1 })]],
    [
      'unsafe total',
      [
        card('a', 0, { authorized: Number.MAX_SAFE_INTEGER }),
        card('b', 1, { authorized: Number.MAX_SAFE_INTEGER }),
      ],
    ],
  ])('refuses inconsistent tenders (%s)', (_, bad) => {
    expectCode(allocateOperation('capture', 1, bad), 'invalid_tender');
  });

  it('refuses more tenders than the search is bounded for', () => {
    const many = Array.from({ length: MAX_ALLOCATABLE_TENDERS + 1 }, (_, i) =>
      card(`t${i}`, i, { authorized: 1 }),
    );
    expectCode(allocateOperation('capture', 1, many), 'too_many_tenders');
    expect(expectOk(allocateOperation('capture', 16, many.slice(0, MAX_ALLOCATABLE_TENDERS)))).toHaveLength(
      16,
    );
  });

  it('refuses an explicit order naming an unknown tender or the same tender twice', () => {
    expect(
      expectCode(allocateOperation('capture', 1, tenders, { tenderIds: ['zz'] }), 'unknown_tender'),
    ).toContain('zz');
    expectCode(allocateOperation('capture', 1, tenders, { tenderIds: ['a', 'a'] }), 'invalid_order');
  });

  it('does not mutate its inputs', () => {
    const input = [card('b', 1, { authorized: 50 }), giftCard('g', 0, { authorized: 50 })];
    const copy = JSON.parse(JSON.stringify(input));
    allocateOperation('capture', 70, input);
    expect(input).toEqual(copy);
  });
});

describe('allocateOperation: capture', () => {
  it('captures the gift card first, then cards in split order (Purse example)', () => {
    const tenders = [card('visa', 0, { authorized: 7000 }), giftCard('gift', 1, { authorized: 3000 })];
    expect(expectOk(allocateOperation('capture', 5000, tenders))).toEqual([
      ['gift', 3000],
      ['visa', 2000],
    ]);
    expect(expectOk(allocateOperation('capture', 10000, tenders))).toEqual([
      ['gift', 3000],
      ['visa', 7000],
    ]);
    expect(expectOk(allocateOperation('capture', 1000, tenders))).toEqual([['gift', 1000]]);
  });

  it('treats an immediate-debit tender as stored value whatever its kind', () => {
    const tenders = [
      card('visa', 0, { authorized: 100 }),
      card('voucher', 1, { authorized: 100, kind: 'other' }, { immediateDebit: true }),
    ];
    expect(expectOk(allocateOperation('capture', 50, tenders))).toEqual([['voucher', 50]]);
  });

  it('uses split order between cards, and ignores exhausted tenders', () => {
    const tenders = [
      card('c', 2, { authorized: 100 }),
      card('a', 0, { authorized: 100, captured: 100 }),
      card('b', 1, { authorized: 100, voided: 40 }),
    ];
    expect(expectOk(allocateOperation('capture', 90, tenders))).toEqual([
      ['b', 60],
      ['c', 30],
    ]);
  });

  it('refuses more than is available, and says how much is', () => {
    const tenders = [card('a', 0, { authorized: 100, captured: 30, voided: 20 })];
    expect(expectCode(allocateOperation('capture', 51, tenders), 'amount_exceeds_available')).toContain(
      'only 50',
    );
    expect(expectOk(allocateOperation('capture', 50, tenders))).toEqual([['a', 50]]);
  });

  it('skips a full-capture-only tender that would overshoot and fills with the next one', () => {
    const tenders = [
      card('rigid', 0, { authorized: 5000 }, { partialCapture: false }),
      card('flex', 1, { authorized: 5000 }),
    ];
    expect(expectOk(allocateOperation('capture', 3000, tenders))).toEqual([['flex', 3000]]);
    expect(expectOk(allocateOperation('capture', 7000, tenders))).toEqual([
      ['rigid', 5000],
      ['flex', 2000],
    ]);
  });

  it('keeps order priority: an earlier flexible tender is not starved to fit a later rigid one', () => {
    const tenders = [
      giftCard('gift', 0, { authorized: 100 }),
      card('rigid', 1, { authorized: 50 }, { partialCapture: false }),
    ];
    expect(expectOk(allocateOperation('capture', 60, tenders))).toEqual([['gift', 60]]);
    expect(expectOk(allocateOperation('capture', 130, tenders))).toEqual([
      ['gift', 80],
      ['rigid', 50],
    ]);
  });

  it('lets an earlier flexible tender take the most that still completes the amount exactly', () => {
    const rigid = { partialCapture: false };
    const tenders = [
      card('f1', 0, { authorized: 6 }),
      card('a', 1, { authorized: 3 }, rigid),
      card('b', 2, { authorized: 5 }, rigid),
      card('f2', 3, { authorized: 1 }),
    ];
    // f1 = 5 with b = 5 would also work, but f1 comes first and can take 6.
    expect(expectOk(allocateOperation('capture', 10, tenders))).toEqual([
      ['f1', 6],
      ['a', 3],
      ['f2', 1],
    ]);
  });

  it('searches over several full-only tenders for an exact combination', () => {
    const rigid = { partialCapture: false };
    const tenders = [
      card('a', 0, { authorized: 3000 }, rigid),
      card('b', 1, { authorized: 5000 }, rigid),
      card('c', 2, { authorized: 2000 }, rigid),
    ];
    expect(expectOk(allocateOperation('capture', 7000, tenders))).toEqual([
      ['b', 5000],
      ['c', 2000],
    ]);
    expect(expectOk(allocateOperation('capture', 5000, tenders))).toEqual([
      ['a', 3000],
      ['c', 2000],
    ]);
    expect(expectOk(allocateOperation('capture', 10000, tenders))).toHaveLength(3);
  });

  it('refuses with partner_cannot_partially_capture when only an overshooting split exists', () => {
    const tenders = [
      card('a', 0, { authorized: 3000 }, { partialCapture: false }),
      card(
        'b',
        1,
        { partner: 'Paytronix', method: 'gift_card', authorized: 5000 },
        { partialCapture: false },
      ),
    ];
    const reason = expectCode(
      allocateOperation('capture', 4000, tenders),
      'partner_cannot_partially_capture',
    );
    expect(reason).toContain('Paytronix gift_card (tender b)');
    expect(reason).toContain('Acme PSP visa (tender a)');
    expect(reason).toContain('5000');
  });

  it('captures a multi-capture tender again, but not a single-capture one', () => {
    const again = card('a', 0, { authorized: 100, captured: 40, captureCount: 1 });
    expect(expectOk(allocateOperation('capture', 60, [again]))).toEqual([['a', 60]]);

    const once = card(
      'a',
      0,
      { authorized: 100, captured: 40, captureCount: 1 },
      { multipleCaptures: false },
    );
    const reason = expectCode(
      allocateOperation('capture', 10, [once]),
      'partner_cannot_capture_multiple_times',
    );
    expect(reason).toContain('Acme PSP visa (tender a)');
  });

  it('routes around a blocked tender when others can take the amount', () => {
    const tenders = [
      card('once', 0, { authorized: 100, captured: 40, captureCount: 1 }, { multipleCaptures: false }),
      card('b', 1, { authorized: 100 }),
    ];
    expect(expectOk(allocateOperation('capture', 100, tenders))).toEqual([['b', 100]]);
    expectCode(allocateOperation('capture', 101, tenders), 'partner_cannot_capture_multiple_times');
    expectCode(allocateOperation('capture', 161, tenders), 'amount_exceeds_available');
  });

  it('follows a configured order', () => {
    const tenders = [
      giftCard('gift', 0, { authorized: 100 }),
      card('a', 1, { authorized: 100 }),
      card('b', 2, { authorized: 100 }),
    ];
    const run = (order: AllocationOrder) => expectOk(allocateOperation('capture', 150, tenders, order));
    expect(run({ storedValue: 'last', then: 'split_order' })).toEqual([
      ['a', 100],
      ['b', 50],
    ]);
    expect(run({ storedValue: 'in_place', then: 'reverse_split_order' })).toEqual([
      ['b', 100],
      ['a', 50],
    ]);
    expect(run({ storedValue: 'first', then: 'reverse_split_order' })).toEqual([
      ['gift', 100],
      ['b', 50],
    ]);
    expect(run({ tenderIds: ['b', 'gift'] })).toEqual([
      ['b', 100],
      ['gift', 50],
    ]);
  });

  it('uses only the tenders listed in an explicit order', () => {
    const tenders = [card('a', 0, { authorized: 100 }), card('b', 1, { authorized: 100 })];
    expect(
      expectCode(
        allocateOperation('capture', 150, tenders, { tenderIds: ['b'] }),
        'amount_exceeds_available',
      ),
    ).toContain('only 100');
  });
});

describe('allocateOperation: void', () => {
  const split = () => [
    giftCard('gift', 0, { authorized: 3000 }),
    card('a', 1, { authorized: 2000 }),
    card('b', 2, { authorized: 5000 }),
  ];

  it('voids cards first in reverse split order and the gift card last', () => {
    expect(expectOk(allocateOperation('void', 10000, split()))).toEqual([
      ['b', 5000],
      ['a', 2000],
      ['gift', 3000],
    ]);
  });

  it('voids whole remainders by default (no partial void), skipping what would overshoot', () => {
    expect(expectOk(allocateOperation('void', 5000, split()))).toEqual([['b', 5000]]);
    expect(expectOk(allocateOperation('void', 2000, split()))).toEqual([['a', 2000]]);
    expect(expectOk(allocateOperation('void', 5000 + 3000, split()))).toEqual([
      ['b', 5000],
      ['gift', 3000],
    ]);
    const reason = expectCode(allocateOperation('void', 2500, split()), 'partner_cannot_partially_void');
    expect(reason).toContain('can only void its full');
  });

  it('voids part of a remainder when the partner supports partial voids', () => {
    const tenders = split().map((t) => ({ ...t, capabilities: { ...t.capabilities, partialVoid: true } }));
    expect(expectOk(allocateOperation('void', 2500, tenders))).toEqual([['b', 2500]]);
  });

  it('voids only the uncaptured remainder', () => {
    const tenders = [card('a', 0, { authorized: 100, captured: 70 }, { partialVoid: false })];
    expect(expectOk(allocateOperation('void', 30, tenders))).toEqual([['a', 30]]);
    expectCode(allocateOperation('void', 31, tenders), 'amount_exceeds_available');
  });

  it('refuses to void after a partial capture when the partner cannot', () => {
    const tenders = [
      card('a', 0, { authorized: 100, captured: 70, captureCount: 1 }, { voidAfterPartialCapture: false }),
      card('b', 1, { authorized: 100 }),
    ];
    expect(expectOk(allocateOperation('void', 100, tenders))).toEqual([['b', 100]]);
    expect(
      expectCode(allocateOperation('void', 130, tenders), 'partner_cannot_void_after_partial_capture'),
    ).toContain('tender a');
  });

  it('does not count a fully captured tender as blocking', () => {
    const tenders = [card('a', 0, { authorized: 100, captured: 100 }, { voidAfterPartialCapture: false })];
    expectCode(allocateOperation('void', 1, tenders), 'amount_exceeds_available');
  });
});

describe('allocateOperation: refund', () => {
  it('refunds cards last-captured-first and stored value last', () => {
    const tenders = [
      giftCard('gift', 0, { lastCapturedAt: 300, authorized: 3000, captured: 3000, captureCount: 1 }),
      card('a', 1, { lastCapturedAt: 200, authorized: 2000, captured: 2000, captureCount: 1 }),
      card('b', 2, { lastCapturedAt: 100, authorized: 5000, captured: 5000, captureCount: 1 }),
    ];
    expect(expectOk(allocateOperation('refund', 10000, tenders))).toEqual([
      ['a', 2000],
      ['b', 5000],
      ['gift', 3000],
    ]);
    expect(expectOk(allocateOperation('refund', 2500, tenders))).toEqual([
      ['a', 2000],
      ['b', 500],
    ]);
  });

  it('breaks capture-time ties (or missing times) by reverse split order', () => {
    const tenders = [
      card('a', 0, { authorized: 100, captured: 100 }),
      card('b', 1, { authorized: 100, captured: 100 }),
      card('c', 2, { authorized: 100, captured: 100, lastCapturedAt: 5 }),
    ];
    expect(expectOk(allocateOperation('refund', 300, tenders)).map(([id]) => id)).toEqual(['c', 'b', 'a']);
  });

  it('can refund stored value first when configured', () => {
    const tenders = [
      card('a', 0, { authorized: 100, captured: 100 }),
      giftCard('gift', 1, { authorized: 100, captured: 100 }),
    ];
    expect(
      expectOk(
        allocateOperation('refund', 50, tenders, { storedValue: 'first', then: 'last_captured_first' }),
      ),
    ).toEqual([['gift', 50]]);
  });

  it('refunds only what was captured and not yet refunded', () => {
    const tenders = [card('a', 0, { authorized: 100, captured: 80, refunded: 30, refundCount: 1 })];
    expect(expectOk(allocateOperation('refund', 50, tenders))).toEqual([['a', 50]]);
    expect(expectCode(allocateOperation('refund', 51, tenders), 'amount_exceeds_available')).toContain(
      'only 50',
    );
    expectCode(
      allocateOperation('refund', 1, [card('x', 0, { authorized: 100 })]),
      'amount_exceeds_available',
    );
  });

  it('refuses when the partner cannot refund, and routes around it otherwise', () => {
    const tenders = [
      card('a', 0, { authorized: 100, captured: 100 }),
      giftCard('gift', 1, { authorized: 100, captured: 100 }, { refund: false }),
    ];
    expect(
      expectOk(allocateOperation('refund', 100, tenders, { storedValue: 'first', then: 'split_order' })),
    ).toEqual([['a', 100]]);
    const reason = expectCode(allocateOperation('refund', 150, tenders), 'partner_cannot_refund');
    expect(reason).toContain('Paytronix gift_card (tender gift) does not support refunds');
  });

  it('refunds a full-refund-only tender only in full', () => {
    const tenders = [card('a', 0, { authorized: 100, captured: 100 }, { partialRefund: false })];
    expect(expectOk(allocateOperation('refund', 100, tenders))).toEqual([['a', 100]]);
    expectCode(allocateOperation('refund', 40, tenders), 'partner_cannot_partially_refund');
  });

  it('refuses a second refund only when the partner explicitly forbids it', () => {
    const refundedOnce = { authorized: 100, captured: 100, refunded: 10, refundCount: 1 };
    expectCode(
      allocateOperation('refund', 10, [card('a', 0, refundedOnce, { multipleRefunds: false })]),
      'partner_cannot_refund_multiple_times',
    );
    expect(
      expectOk(allocateOperation('refund', 10, [card('a', 0, refundedOnce, { multipleRefunds: undefined })])),
    ).toEqual([['a', 10]]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------

const KINDS: OperationKind[] = ['capture', 'void', 'refund'];

const capabilitiesArb: fc.Arbitrary<PartnerCapabilities> = fc.record({
  partialCapture: fc.boolean(),
  multipleCaptures: fc.boolean(),
  voidAfterPartialCapture: fc.boolean(),
  partialVoid: fc.option(fc.boolean(), { nil: undefined }),
  refund: fc.boolean(),
  partialRefund: fc.boolean(),
  multipleRefunds: fc.option(fc.boolean(), { nil: undefined }),
  needsRedirect: fc.boolean(),
  immediateDebit: fc.boolean(),
});

/** Fresh authorized tenders with distinct ids and positions. */
const freshTenders = (maxAuthorized: number, maxCount: number) =>
  fc
    .array(
      fc.record({
        kind: fc.constantFrom('stored_value', 'card', 'wallet', 'other' as const),
        capabilities: capabilitiesArb,
        authorized: fc.nat(maxAuthorized),
      }),
      { minLength: 1, maxLength: maxCount },
    )
    .map((rows) =>
      rows.map((r, i): AllocatableTender => ({
        ...r,
        id: `t${i}`,
        partner: `P${i}`,
        method: 'm',
        captured: 0,
        voided: 0,
        refunded: 0,
        captureCount: 0,
        refundCount: 0,
        position: i,
      })),
    );

const orderArb = (n: number): fc.Arbitrary<AllocationOrder | undefined> =>
  fc.oneof(
    fc.constant(undefined),
    fc.record({
      storedValue: fc.constantFrom('first', 'last', 'in_place' as const),
      then: fc.constantFrom('split_order', 'reverse_split_order', 'last_captured_first' as const),
    }),
    fc
      .shuffledSubarray(
        Array.from({ length: n }, (_, i) => `t${i}`),
        { minLength: 1 },
      )
      .map((tenderIds) => ({ tenderIds })),
  );

function apply(kind: OperationKind, tenders: AllocatableTender[], result: AllocationResult, at: number) {
  if (!result.ok) return tenders;
  return tenders.map((t) => {
    const a = result.allocations.find((x) => x.tenderId === t.id);
    if (!a) return t;
    if (kind === 'capture')
      return { ...t, captured: t.captured + a.amount, captureCount: t.captureCount + 1, lastCapturedAt: at };
    if (kind === 'void') return { ...t, voided: t.voided + a.amount };
    return { ...t, refunded: t.refunded + a.amount, refundCount: t.refundCount + 1 };
  });
}

/** What the rules allow a single tender to take, written independently of the implementation. */
function allowedTakes(kind: OperationKind, t: AllocatableTender): number[] {
  const c = t.capabilities;
  const available = kind === 'refund' ? t.captured - t.refunded : t.authorized - t.captured - t.voided;
  const range = Array.from({ length: available + 1 }, (_, i) => i);
  if (kind === 'capture') {
    if (t.captureCount > 0 && !c.multipleCaptures) return [0];
    return c.partialCapture ? range : [0, available];
  }
  if (kind === 'void') {
    if (t.captured > 0 && !c.voidAfterPartialCapture) return [0];
    return c.partialVoid ? range : [0, available];
  }
  if (!c.refund || (t.refundCount > 0 && c.multipleRefunds === false)) return [0];
  return c.partialRefund ? range : [0, available];
}

/** Lexicographically largest vector of takes (in the given order) summing to amount, if any. */
function bruteForce(kind: OperationKind, amount: number, ordered: AllocatableTender[]): number[] | undefined {
  const options = ordered.map((t) => [...new Set(allowedTakes(kind, t))].sort((a, b) => b - a));
  const search = (i: number, rest: number): number[] | undefined => {
    if (i === ordered.length) return rest === 0 ? [] : undefined;
    for (const take of options[i]) {
      if (take > rest) continue;
      const tail = search(i + 1, rest - take);
      if (tail) return [take, ...tail];
    }
    return undefined;
  };
  return search(0, amount);
}

describe('allocation properties', () => {
  const operation = fc.record({
    kind: fc.constantFrom(...KINDS),
    amount: fc.oneof(fc.integer({ min: 1, max: 12_000 }), fc.constant(-1)), // -1: "everything available"
    orderSeed: fc.nat(),
  });

  it('never breaks per-tender invariants or partner capabilities over random operation sequences', () => {
    fc.assert(
      fc.property(
        freshTenders(5000, 5).chain((tenders) =>
          fc.tuple(
            fc.constant(tenders),
            fc.array(fc.tuple(operation, orderArb(tenders.length)), { maxLength: 15 }),
          ),
        ),
        ([initial, operations]) => {
          let tenders = initial;
          operations.forEach(([op, order], step) => {
            const total = tenders.reduce((s, t) => s + availableFor(op.kind, t), 0);
            const amount = op.amount === -1 ? Math.max(total, 1) : op.amount;
            const result = allocateOperation(op.kind, amount, tenders, order);
            if (result.ok) {
              expect(result.allocations.reduce((s, a) => s + a.amount, 0)).toBe(amount);
              expect(new Set(result.allocations.map((a) => a.tenderId)).size).toBe(result.allocations.length);
              for (const a of result.allocations) {
                const t = tenders.find((x) => x.id === a.tenderId) as AllocatableTender;
                expect(Number.isSafeInteger(a.amount) && a.amount > 0).toBe(true);
                expect(allowedTakes(op.kind, t)).toContain(a.amount);
                if (order && 'tenderIds' in order) expect(order.tenderIds).toContain(a.tenderId);
              }
            } else if (result.code === 'amount_exceeds_available' && !(order && 'tenderIds' in order)) {
              expect(amount).toBeGreaterThan(total);
            }
            tenders = apply(op.kind, tenders, result, step);
            for (const t of tenders) {
              expect(checkTenderInvariants({ ...t, authorizePending: 0 })).toEqual([]);
              if (!t.capabilities.multipleCaptures) expect(t.captureCount).toBeLessThanOrEqual(1);
              if (!t.capabilities.refund) expect(t.refunded).toBe(0);
              if (t.capabilities.multipleRefunds === false) expect(t.refundCount).toBeLessThanOrEqual(1);
            }
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds an allocation exactly when one exists, and the one that favours earlier tenders', () => {
    fc.assert(
      fc.property(
        freshTenders(6, 4).chain((tenders) =>
          fc.record({
            // Pre-apply random history so counts and captured amounts vary.
            tenders: fc.constant(tenders),
            history: fc.array(fc.tuple(fc.constantFrom(...KINDS), fc.integer({ min: 1, max: 12 })), {
              maxLength: 4,
            }),
            kind: fc.constantFrom(...KINDS),
            amount: fc.integer({ min: 1, max: 25 }),
            ids: fc.shuffledSubarray(
              tenders.map((t) => t.id),
              { minLength: 1 },
            ),
          }),
        ),
        ({ tenders: initial, history, kind, amount, ids }) => {
          let tenders = initial;
          history.forEach(([k, a], step) => {
            tenders = apply(k, tenders, allocateOperation(k, a, tenders), step);
          });
          const ordered = ids.map((id) => tenders.find((t) => t.id === id) as AllocatableTender);
          const expected = bruteForce(kind, amount, ordered);
          const result = allocateOperation(kind, amount, tenders, { tenderIds: ids });
          if (!expected) {
            expect(result.ok).toBe(false);
          } else {
            const want = ids.map((id, i) => [id, expected[i]] as [string, number]).filter(([, v]) => v > 0);
            expect(expectOk(result)).toEqual(want);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('with default orders, refunding Y after capturing X leaves each tender as if X - Y had been captured', () => {
    fc.assert(
      fc.property(
        freshTenders(5000, 5).map((ts) =>
          ts.map((t) => ({
            ...t,
            capabilities: { ...CARD_PSP, immediateDebit: t.capabilities.immediateDebit },
          })),
        ),
        fc.nat(),
        fc.nat(),
        (tenders, xSeed, ySeed) => {
          const total = tenders.reduce((s, t) => s + t.authorized, 0);
          fc.pre(total > 0);
          const x = 1 + (xSeed % total);
          const y = ySeed % (x + 1);
          const afterCapture = apply('capture', tenders, allocateOperation('capture', x, tenders), 1);
          const afterRefund =
            y > 0
              ? apply('refund', afterCapture, allocateOperation('refund', y, afterCapture), 2)
              : afterCapture;
          const net = afterRefund.map((t) => t.captured - t.refunded);
          const direct =
            x - y > 0 ? apply('capture', tenders, allocateOperation('capture', x - y, tenders), 1) : tenders;
          expect(net).toEqual(direct.map((t) => t.captured));
        },
      ),
    );
  });
});
