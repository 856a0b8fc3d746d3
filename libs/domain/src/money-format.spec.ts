import { formatMoney } from './money-format';

describe('formatMoney', () => {
  it('shows the decimals of the currency’s ISO exponent', () => {
    expect(formatMoney(14299, 'EUR', 'en-US')).toBe('€142.99');
    expect(formatMoney(4299, 'USD', 'en-US')).toBe('$42.99');
    expect(formatMoney(500, 'JPY', 'en-US')).toBe('¥500');
    expect(formatMoney(1500, 'KWD', 'en-US').replace(/\s/g, ' ')).toBe('KWD 1.500');
    expect(formatMoney(0, 'EUR', 'en-US')).toBe('€0.00');
  });

  it('follows the locale’s separators, exactly for large amounts', () => {
    expect(formatMoney(9007199254740991, 'EUR', 'en-US')).toBe('€90,071,992,547,409.91');
    expect(formatMoney(123456, 'EUR', 'fr-FR').replace(/\s/g, ' ')).toBe('1 234,56 €');
  });

  it('refuses what is not an amount in minor units', () => {
    expect(() => formatMoney(1.5, 'EUR')).toThrow();
    expect(() => formatMoney(100, 'XXX')).toThrow();
  });
});
