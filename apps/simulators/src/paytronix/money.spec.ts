import { formatCents, parseDecimal } from './money';

describe('Paytronix Decimal', () => {
  it.each([
    ['12.34', 1234],
    ['12.3', 1230],
    ['12', 1200],
    ['-45', -4500],
    ['+0.05', 5],
    [' 7.00 ', 700],
    [12.5, 1250],
    [3, 300],
  ])('parses %p as %p cents', (input, cents) => {
    expect(parseDecimal(input)).toBe(cents);
  });

  it.each(['12.345', 'abc', '', '1e3', '12,34', null, undefined, {}, Number.NaN, 0.001])(
    'refuses %p',
    (input) => {
      expect(parseDecimal(input)).toBeUndefined();
    },
  );

  it('formats cents as two-decimal strings', () => {
    expect(formatCents(0)).toBe('0.00');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(1234)).toBe('12.34');
    expect(formatCents(-1234)).toBe('-12.34');
    expect(formatCents(1_000_000_000)).toBe('10000000.00');
  });
});
