import fc from 'fast-check';
import {
  Amounts,
  TenderFigures,
  TenderInvariantError,
  checkTenderInvariants,
  consumption,
  deriveAmounts,
  deriveOverview,
} from './amounts';

const fig = (f: Partial<TenderFigures>): TenderFigures => ({
  authorized: 0,
  authorizePending: 0,
  captured: 0,
  voided: 0,
  refunded: 0,
  ...f,
});

/** A consistent tender: captured + voided <= authorized, refunded <= captured. */
const validTender = fc
  .record({ authorized: fc.nat(1_000_000), authorizePending: fc.nat(1_000_000) })
  .chain(({ authorized, authorizePending }) =>
    fc.nat(authorized).chain((captured) =>
      fc.record({
        authorized: fc.constant(authorized),
        authorizePending: fc.constant(authorizePending),
        captured: fc.constant(captured),
        voided: fc.nat(authorized - captured),
        refunded: fc.nat(captured),
      }),
    ),
  );

describe('deriveAmounts', () => {
  it('is all zeros for no tenders', () => {
    expect(deriveAmounts([])).toEqual({
      authorize_pending: 0,
      total_authorized: 0,
      total_captured: 0,
      total_voided: 0,
      total_refunded: 0,
      available_to_capture: 0,
      available_to_void: 0,
      available_to_refund: 0,
    });
  });

  it('sums a gift card + card split (gift card captured in full, card partly, some refunded)', () => {
    const amounts = deriveAmounts([
      fig({ authorized: 3000, captured: 3000 }),
      fig({ authorized: 7000, captured: 2000, voided: 1000, refunded: 500 }),
      fig({ authorizePending: 1500 }),
    ]);
    expect(amounts).toEqual({
      authorize_pending: 1500,
      total_authorized: 10000,
      total_captured: 5000,
      total_voided: 1000,
      total_refunded: 500,
      available_to_capture: 4000,
      available_to_void: 4000,
      available_to_refund: 4500,
    });
  });

  it('throws on an inconsistent tender, naming its index', () => {
    expect(() =>
      deriveAmounts([fig({ authorized: 10 }), fig({ authorized: 10, captured: 8, voided: 3 })]),
    ).toThrow(TenderInvariantError);
    try {
      deriveAmounts([fig({ authorized: 10 }), fig({ authorized: 5, captured: 5, refunded: 6 })]);
    } catch (e) {
      expect((e as TenderInvariantError).index).toBe(1);
      expect((e as TenderInvariantError).violations.map((v) => v.code)).toEqual([
        'refunded_exceeds_captured',
      ]);
    }
    expect.assertions(3);
  });

  it('throws when a total leaves the safe integer range', () => {
    const big = fig({ authorized: Number.MAX_SAFE_INTEGER });
    expect(() => deriveAmounts([big, big])).toThrow(RangeError);
  });
});

describe('consumption', () => {
  it.each([
    [0, 0, 'NOT'],
    [5, 0, 'NOT'],
    [0, 100, 'NOT'],
    [1, 100, 'PARTIALLY'],
    [99, 100, 'PARTIALLY'],
    [100, 100, 'FULLY'],
  ] as const)('%p of %p is %s', (value, reference, expected) => {
    expect(consumption(value, reference)).toBe(expected);
  });
});

describe('deriveOverview', () => {
  const overviewOf = (...tenders: TenderFigures[]) => deriveOverview(deriveAmounts(tenders));

  it('is NOT everywhere for an untouched authorization', () => {
    expect(overviewOf(fig({ authorized: 100 }))).toEqual({
      consumed: 'NOT',
      captured: 'NOT',
      voided: 'NOT',
      refunded: 'NOT',
    });
  });

  it('captured in part, rest voided: consumed FULLY while captured and voided are PARTIALLY', () => {
    expect(overviewOf(fig({ authorized: 100, captured: 60, voided: 40 }))).toEqual({
      consumed: 'FULLY',
      captured: 'PARTIALLY',
      voided: 'PARTIALLY',
      refunded: 'NOT',
    });
  });

  it('fully captured then fully refunded', () => {
    expect(overviewOf(fig({ authorized: 100, captured: 100, refunded: 100 }))).toEqual({
      consumed: 'FULLY',
      captured: 'FULLY',
      voided: 'NOT',
      refunded: 'FULLY',
    });
  });

  it('fully voided', () => {
    expect(overviewOf(fig({ authorized: 100, voided: 100 }))).toEqual({
      consumed: 'FULLY',
      captured: 'NOT',
      voided: 'FULLY',
      refunded: 'NOT',
    });
  });

  it('compares refunds with the captured amount, not the authorized one', () => {
    expect(overviewOf(fig({ authorized: 100, captured: 40, refunded: 40 })).refunded).toBe('FULLY');
    expect(overviewOf(fig({ authorized: 100, captured: 40, refunded: 10 })).refunded).toBe('PARTIALLY');
  });

  it('looks at payment totals, not at single tenders', () => {
    const o = overviewOf(fig({ authorized: 30, captured: 30 }), fig({ authorized: 70 }));
    expect(o.captured).toBe('PARTIALLY');
    expect(o.consumed).toBe('PARTIALLY');
  });
});

describe('checkTenderInvariants', () => {
  it('accepts consistent figures, including the boundaries', () => {
    expect(checkTenderInvariants(fig({}))).toEqual([]);
    expect(checkTenderInvariants(fig({ authorized: 10, captured: 6, voided: 4, refunded: 6 }))).toEqual([]);
  });

  it.each([
    [fig({ authorized: 10, captured: 6, voided: 5 }), ['captured_plus_voided_exceeds_authorized']],
    [fig({ authorized: 10, captured: 6, refunded: 7 }), ['refunded_exceeds_captured']],
    [
      fig({ authorized: 1, captured: 2, refunded: 3 }),
      ['captured_plus_voided_exceeds_authorized', 'refunded_exceeds_captured'],
    ],
    [fig({ authorized: -1 }), ['not_a_minor_amount']],
    [fig({ captured: 1.5, authorized: 2 }), ['not_a_minor_amount']],
    [fig({ authorizePending: NaN }), ['not_a_minor_amount']],
    [fig({ voided: Number.MAX_SAFE_INTEGER + 1 }), ['not_a_minor_amount']],
    [fig({ refunded: -1, voided: -2 }), ['not_a_minor_amount', 'not_a_minor_amount']],
  ])('%j violates %j', (t, codes) => {
    expect(checkTenderInvariants(t).map((v) => v.code)).toEqual(codes);
  });

  it('names the offending figures in the message', () => {
    const [v] = checkTenderInvariants(fig({ authorized: 10, captured: 6, voided: 5 }));
    expect(v.message).toContain('captured (6) + voided (5) exceeds authorized (10)');
  });

  it('flags any random violation of captured + voided <= authorized', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.nat(1000), (authorized, captured, voided) => {
        const codes = checkTenderInvariants(fig({ authorized, captured, voided })).map((v) => v.code);
        expect(codes.includes('captured_plus_voided_exceeds_authorized')).toBe(
          captured + voided > authorized,
        );
      }),
    );
  });
});

describe('amounts properties', () => {
  it('holds the Purse identities for any consistent set of tenders', () => {
    fc.assert(
      fc.property(fc.array(validTender, { maxLength: 8 }), (tenders) => {
        expect(tenders.every((t) => checkTenderInvariants(t).length === 0)).toBe(true);
        const a: Amounts = deriveAmounts(tenders);
        const sum = (k: keyof TenderFigures) => tenders.reduce((s, t) => s + t[k], 0);
        expect(a.total_authorized).toBe(sum('authorized'));
        expect(a.total_captured).toBe(sum('captured'));
        expect(a.total_voided).toBe(sum('voided'));
        expect(a.total_refunded).toBe(sum('refunded'));
        expect(a.authorize_pending).toBe(sum('authorizePending'));
        expect(a.available_to_capture + a.total_captured + a.total_voided).toBe(a.total_authorized);
        expect(a.available_to_void).toBe(a.available_to_capture);
        expect(a.available_to_refund + a.total_refunded).toBe(a.total_captured);
        for (const v of Object.values(a)) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
      }),
    );
  });

  it('gives an overview consistent with the amounts', () => {
    fc.assert(
      fc.property(fc.array(validTender, { maxLength: 8 }), (tenders) => {
        const a = deriveAmounts(tenders);
        const o = deriveOverview(a);
        expect(o.captured === 'FULLY').toBe(
          a.total_authorized > 0 && a.total_captured === a.total_authorized,
        );
        expect(o.voided === 'NOT').toBe(a.total_voided === 0);
        expect(o.consumed === 'FULLY').toBe(a.total_authorized > 0 && a.available_to_capture === 0);
        expect(o.refunded === 'FULLY').toBe(a.total_captured > 0 && a.available_to_refund === 0);
        // Nothing can be fully captured or voided unless everything is consumed.
        if (o.captured === 'FULLY' || o.voided === 'FULLY') expect(o.consumed).toBe('FULLY');
      }),
    );
  });
});
