import { currencyExponent, decimalStringToMinor, minorToDecimalString } from '../../../libs/domain/src/money';

/** 1234, EUR → "12.34 EUR". */
export function money(minor: number, currency: string): string {
  return `${minorToDecimalString(minor, currency)} ${currency}`;
}

/** What the operator typed ("12.34") in minor units, or an error message. */
export function parseAmount(value: string, currency: string): number | string {
  try {
    const minor = decimalStringToMinor(value.trim(), currency);
    return minor > 0 ? minor : 'must be more than zero';
  } catch (error) {
    return (error as Error).message;
  }
}

export function decimals(currency: string): number {
  return currencyExponent(currency);
}

export function time(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function duration(ms: number | null): string {
  if (ms === null) return 'open';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
