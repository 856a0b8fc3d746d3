import fc from 'fast-check';
import {
  CURRENCY_EXPONENTS,
  MoneyError,
  addMoney,
  assertMinorAmount,
  currencyExponent,
  decimalStringToMinor,
  isCurrency,
  minorToDecimalString,
  money,
  subtractMoney,
} from './money';

const MAX = Number.MAX_SAFE_INTEGER;
const CODES = Object.keys(CURRENCY_EXPONENTS);

function moneyErrorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MoneyError) return e.code;
    throw e;
  }
  return undefined;
}

describe('currency table', () => {
  const ZERO = [
    'BIF',
    'CLP',
    'DJF',
    'GNF',
    'ISK',
    'JPY',
    'KMF',
    'KRW',
    'PYG',
    'RWF',
    'UGX',
    'UYI',
    'VND',
    'VUV',
    'XAF',
    'XOF',
    'XPF',
  ];
  const THREE = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];
  const FOUR = ['CLF', 'UYW'];
  const byExponent = (e: number) => CODES.filter((c) => currencyExponent(c) === e).sort();

  it.each(ZERO)('%s has no decimals', (code) => expect(currencyExponent(code)).toBe(0));
  it.each(THREE)('%s has 3 decimals', (code) => expect(currencyExponent(code)).toBe(3));
  it.each(FOUR)('%s has 4 decimals', (code) => expect(currencyExponent(code)).toBe(4));
  it.each(['EUR', 'USD', 'GBP', 'CHF', 'CAD', 'AUD', 'SEK', 'INR', 'BRL', 'MXN', 'HUF', 'IDR', 'XCG'])(
    '%s has 2 decimals',
    (code) => expect(currencyExponent(code)).toBe(2),
  );

  it('has exactly the listed non-2 exponent currencies, so a typo in the table fails here', () => {
    expect(byExponent(0)).toEqual([...ZERO].sort());
    expect(byExponent(3)).toEqual([...THREE].sort());
    expect(byExponent(4)).toEqual([...FOUR].sort());
    expect(byExponent(2).length + ZERO.length + THREE.length + FOUR.length).toBe(CODES.length);
  });

  it('holds only three-letter upper-case codes and is a full list, not a handful', () => {
    for (const code of CODES) expect(code).toMatch(/^[A-Z]{3}$/);
    expect(CODES.length).toBeGreaterThanOrEqual(150);
  });

  it.each(['XAU', 'XDR', 'XTS', 'XXX', 'HRK', 'VEF', 'SLL'])(
    'leaves out %s (no minor unit or withdrawn)',
    (code) => {
      expect(isCurrency(code)).toBe(false);
    },
  );

  it.each(['eur', 'Eur', ' EUR', 'EURO', '', 'toString', '__proto__', 'constructor', 'hasOwnProperty'])(
    'isCurrency(%j) is false',
    (code) => expect(isCurrency(code)).toBe(false),
  );

  it('isCurrency rejects non-strings', () => {
    expect(isCurrency(978)).toBe(false);
    expect(isCurrency(undefined)).toBe(false);
    expect(isCurrency(null)).toBe(false);
  });

  it('throws unknown_currency for an unknown code', () => {
    expect(moneyErrorCode(() => currencyExponent('ABC'))).toBe('unknown_currency');
    expect(moneyErrorCode(() => currencyExponent('toString'))).toBe('unknown_currency');
  });
});

describe('assertMinorAmount', () => {
  it.each([0, 1, 1234, MAX])('accepts %p', (n) => expect(() => assertMinorAmount(n)).not.toThrow());

  it.each([
    [-1, 'negative_amount'],
    [-MAX, 'negative_amount'],
    [1.5, 'invalid_amount'],
    [0.1 + 0.2, 'invalid_amount'],
    [NaN, 'invalid_amount'],
    [Infinity, 'invalid_amount'],
    [MAX + 1, 'invalid_amount'],
    ['12', 'invalid_amount'],
    [null, 'invalid_amount'],
  ])('rejects %p with %s', (n, code) => {
    expect(moneyErrorCode(() => assertMinorAmount(n))).toBe(code);
  });

  it('names the field in the message', () => {
    expect(() => assertMinorAmount(-5, 'refund.amount')).toThrow(/refund\.amount/);
  });
});

describe('minorToDecimalString', () => {
  it.each([
    [1234, 'EUR', '12.34'],
    [5, 'EUR', '0.05'],
    [0, 'EUR', '0.00'],
    [100, 'USD', '1.00'],
    [5, 'JPY', '5'],
    [0, 'KRW', '0'],
    [1, 'KWD', '0.001'],
    [1000, 'BHD', '1.000'],
    [12345, 'CLF', '1.2345'],
    [1, 'UYW', '0.0001'],
    [MAX, 'EUR', '90071992547409.91'],
    [MAX, 'JPY', '9007199254740991'],
    [MAX, 'KWD', '9007199254740.991'],
    [MAX, 'CLF', '900719925474.0991'],
  ])('%p %s → %s', (minor, currency, expected) => {
    expect(minorToDecimalString(minor, currency)).toBe(expected);
  });

  it.each([
    [-1, 'EUR', 'negative_amount'],
    [1.5, 'EUR', 'invalid_amount'],
    [MAX + 1, 'EUR', 'invalid_amount'],
    [1, 'XXX', 'unknown_currency'],
  ])('rejects %p %s with %s', (minor, currency, code) => {
    expect(moneyErrorCode(() => minorToDecimalString(minor, currency))).toBe(code);
  });
});

describe('decimalStringToMinor', () => {
  it.each([
    ['25', 'EUR', 2500],
    ['25.0', 'EUR', 2500],
    ['25.00', 'EUR', 2500],
    ['25.000', 'EUR', 2500],
    ['12.34', 'EUR', 1234],
    ['0.05', 'EUR', 5],
    ['0', 'EUR', 0],
    ['0.00', 'EUR', 0],
    ['007.50', 'EUR', 750],
    ['5', 'JPY', 5],
    ['5.00', 'JPY', 5],
    ['0.001', 'KWD', 1],
    ['1.5', 'KWD', 1500],
    ['1.2345', 'CLF', 12345],
    ['90071992547409.91', 'EUR', MAX],
    ['90071992547409.910000', 'EUR', MAX],
    ['9007199254740991', 'JPY', MAX],
    ['9007199254740.991', 'KWD', MAX],
    ['0000000000000000000001.00', 'EUR', 100],
  ])('%j %s → %p', (value, currency, expected) => {
    expect(decimalStringToMinor(value, currency)).toBe(expected);
  });

  it.each([
    ['12.345', 'EUR', 'too_many_decimals'],
    ['12.3401', 'EUR', 'too_many_decimals'],
    ['5.5', 'JPY', 'too_many_decimals'],
    ['0.0001', 'KWD', 'too_many_decimals'],
    ['-1', 'EUR', 'negative_amount'],
    ['-0.00', 'EUR', 'negative_amount'],
    ['+1', 'EUR', 'invalid_decimal'],
    ['', 'EUR', 'invalid_decimal'],
    ['.5', 'EUR', 'invalid_decimal'],
    ['5.', 'EUR', 'invalid_decimal'],
    [' 5', 'EUR', 'invalid_decimal'],
    ['5 ', 'EUR', 'invalid_decimal'],
    ['1,000.00', 'EUR', 'invalid_decimal'],
    ['1e3', 'EUR', 'invalid_decimal'],
    ['0x10', 'EUR', 'invalid_decimal'],
    ['NaN', 'EUR', 'invalid_decimal'],
    ['Infinity', 'EUR', 'invalid_decimal'],
    ['1.2.3', 'EUR', 'invalid_decimal'],
    ['١٢', 'EUR', 'invalid_decimal'],
    ['12,34', 'EUR', 'invalid_decimal'],
    ['90071992547409.92', 'EUR', 'amount_too_large'],
    ['9007199254740992', 'JPY', 'amount_too_large'],
    ['99999999999999999999999999999', 'EUR', 'amount_too_large'],
    ['1', 'ABC', 'unknown_currency'],
  ])('rejects %j %s with %s', (value, currency, code) => {
    expect(moneyErrorCode(() => decimalStringToMinor(value, currency))).toBe(code);
  });

  it('rejects a non-string at runtime', () => {
    expect(moneyErrorCode(() => decimalStringToMinor(12 as unknown as string, 'EUR'))).toBe(
      'invalid_decimal',
    );
  });

  it('does not go through floats: 0.1 + 0.2 style values stay exact', () => {
    expect(decimalStringToMinor('0.30', 'EUR')).toBe(30);
    expect(decimalStringToMinor('1.15', 'EUR')).toBe(115); // 1.15 * 100 === 114.99999999999999
    expect(decimalStringToMinor('4.35', 'EUR')).toBe(435); // 4.35 * 100 === 434.99999999999994
  });
});

describe('decimal conversion properties', () => {
  const currency = fc.constantFrom(...CODES);
  const minor = fc.oneof(fc.nat(1_000_000), fc.maxSafeNat(), fc.constant(MAX));

  it('round-trips decimalStringToMinor(minorToDecimalString(x)) === x for every currency', () => {
    fc.assert(
      fc.property(minor, currency, (x, c) => decimalStringToMinor(minorToDecimalString(x, c), c) === x),
      { numRuns: 2000 },
    );
  });

  it('formats with exactly the currency exponent as decimals', () => {
    fc.assert(
      fc.property(minor, currency, (x, c) => {
        const s = minorToDecimalString(x, c);
        const decimals = s.includes('.') ? s.split('.')[1].length : 0;
        expect(decimals).toBe(currencyExponent(c));
      }),
    );
  });

  it('ignores trailing zero decimals and rejects any extra non-zero decimal', () => {
    fc.assert(
      fc.property(minor, currency, fc.nat(5), fc.integer({ min: 1, max: 9 }), (x, c, zeros, digit) => {
        const s = minorToDecimalString(x, c);
        const base = s.includes('.') ? s : `${s}.`;
        expect(decimalStringToMinor(base + '0'.repeat(zeros + 1), c)).toBe(x);
        expect(moneyErrorCode(() => decimalStringToMinor(base + '0'.repeat(zeros) + digit, c))).toBe(
          'too_many_decimals',
        );
      }),
    );
  });

  it('agrees with BigInt arithmetic on arbitrary digit strings', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,20}(\.[0-9]{1,6})?$/), currency, (s, c) => {
        const e = currencyExponent(c);
        const [whole, frac = ''] = s.split('.');
        const scaled = BigInt(whole) * 10n ** BigInt(e) + BigInt((frac.slice(0, e) || '0').padEnd(e, '0'));
        const exact = !/[^0]/.test(frac.slice(e));
        if (!exact) {
          expect(moneyErrorCode(() => decimalStringToMinor(s, c))).toBe('too_many_decimals');
        } else if (scaled > BigInt(MAX)) {
          expect(moneyErrorCode(() => decimalStringToMinor(s, c))).toBe('amount_too_large');
        } else {
          expect(decimalStringToMinor(s, c)).toBe(Number(scaled));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Money helpers', () => {
  it('builds, adds and subtracts in one currency', () => {
    expect(money(100, 'EUR')).toEqual({ amount: 100, currency: 'EUR' });
    expect(addMoney(money(100, 'EUR'), money(25, 'EUR'))).toEqual({ amount: 125, currency: 'EUR' });
    expect(subtractMoney(money(100, 'EUR'), money(25, 'EUR'))).toEqual({ amount: 75, currency: 'EUR' });
    expect(subtractMoney(money(100, 'EUR'), money(100, 'EUR'))).toEqual({ amount: 0, currency: 'EUR' });
  });

  it('refuses invalid parts, mixed currencies, negatives and overflow', () => {
    expect(moneyErrorCode(() => money(1.5, 'EUR'))).toBe('invalid_amount');
    expect(moneyErrorCode(() => money(1, 'eur'))).toBe('unknown_currency');
    expect(moneyErrorCode(() => addMoney(money(1, 'EUR'), money(1, 'USD')))).toBe('currency_mismatch');
    expect(moneyErrorCode(() => subtractMoney(money(1, 'EUR'), money(1, 'USD')))).toBe('currency_mismatch');
    expect(moneyErrorCode(() => subtractMoney(money(1, 'EUR'), money(2, 'EUR')))).toBe('negative_amount');
    expect(moneyErrorCode(() => addMoney(money(MAX, 'EUR'), money(1, 'EUR')))).toBe('invalid_amount');
    expect(moneyErrorCode(() => subtractMoney(money(5, 'EUR'), { amount: -1, currency: 'EUR' }))).toBe(
      'negative_amount',
    );
  });
});
