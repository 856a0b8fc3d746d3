import { currencyExponent, minorToDecimalString } from './money';

/**
 * An amount for people: 14299 EUR → "€142.99", 500 JPY → "¥500", 1500 KWD → "KWD 1.500" (en).
 * The decimals are the currency's exponent from the ISO table (never Intl's own idea of it), and the
 * digits go through the exact decimal string, never a float division.
 */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const exponent = currencyExponent(currency);
  const decimal = minorToDecimalString(minor, currency);
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // A string argument keeps every digit exact (Intl.NumberFormat v3 formats decimal strings).
  return format.format(decimal as unknown as number);
}
