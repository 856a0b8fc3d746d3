/**
 * Money in Tender is always an integer count of minor units (cents, fils, yen…) held in a
 * `number` that must be a safe integer. Floats never carry money: 0.1 + 0.2 !== 0.3, and a
 * float that is "nearly" 1234 cents is a reconciliation bug waiting to happen.
 *
 * Partners that speak decimal strings in major units ("12.34") are converted here by moving
 * digits around, never through a float, so the conversion is exact up to
 * Number.MAX_SAFE_INTEGER minor units (90071992547409.91 EUR).
 */

/**
 * ISO 4217 minor-unit exponents (list one, as published 2026-01-01): the number of decimals
 * of the currency. Codes without minor units in the standard (XAU, XDR, XTS, XXX…) are left
 * out on purpose: they are not payable currencies.
 *
 * We follow ISO, not any single partner: a few acquirers deviate (e.g. some treat ISK or UGX
 * with 2 decimals); such a difference belongs in that partner's adapter, not here.
 */
// prettier-ignore
export const CURRENCY_EXPONENTS = {
  AED: 2, AFN: 2, ALL: 2, AMD: 2, AOA: 2, ARS: 2, AUD: 2, AWG: 2, AZN: 2,
  BAM: 2, BBD: 2, BDT: 2, BHD: 3, BIF: 0, BMD: 2, BND: 2, BOB: 2, BOV: 2, BRL: 2,
  BSD: 2, BTN: 2, BWP: 2, BYN: 2, BZD: 2,
  CAD: 2, CDF: 2, CHE: 2, CHF: 2, CHW: 2, CLF: 4, CLP: 0, CNY: 2, COP: 2, COU: 2,
  CRC: 2, CUP: 2, CVE: 2, CZK: 2,
  DJF: 0, DKK: 2, DOP: 2, DZD: 2,
  EGP: 2, ERN: 2, ETB: 2, EUR: 2,
  FJD: 2, FKP: 2,
  GBP: 2, GEL: 2, GHS: 2, GIP: 2, GMD: 2, GNF: 0, GTQ: 2, GYD: 2,
  HKD: 2, HNL: 2, HTG: 2, HUF: 2,
  IDR: 2, ILS: 2, INR: 2, IQD: 3, IRR: 2, ISK: 0,
  JMD: 2, JOD: 3, JPY: 0,
  KES: 2, KGS: 2, KHR: 2, KMF: 0, KPW: 2, KRW: 0, KWD: 3, KYD: 2, KZT: 2,
  LAK: 2, LBP: 2, LKR: 2, LRD: 2, LSL: 2, LYD: 3,
  MAD: 2, MDL: 2, MGA: 2, MKD: 2, MMK: 2, MNT: 2, MOP: 2, MRU: 2, MUR: 2, MVR: 2,
  MWK: 2, MXN: 2, MXV: 2, MYR: 2, MZN: 2,
  NAD: 2, NGN: 2, NIO: 2, NOK: 2, NPR: 2, NZD: 2,
  OMR: 3,
  PAB: 2, PEN: 2, PGK: 2, PHP: 2, PKR: 2, PLN: 2, PYG: 0,
  QAR: 2,
  RON: 2, RSD: 2, RUB: 2, RWF: 0,
  SAR: 2, SBD: 2, SCR: 2, SDG: 2, SEK: 2, SGD: 2, SHP: 2, SLE: 2, SOS: 2, SRD: 2,
  SSP: 2, STN: 2, SVC: 2, SYP: 2, SZL: 2,
  THB: 2, TJS: 2, TMT: 2, TND: 3, TOP: 2, TRY: 2, TTD: 2, TWD: 2, TZS: 2,
  UAH: 2, UGX: 0, USD: 2, USN: 2, UYI: 0, UYU: 2, UYW: 4, UZS: 2,
  VED: 2, VES: 2, VND: 0, VUV: 0,
  WST: 2,
  XAD: 2, XAF: 0, XCD: 2, XCG: 2, XOF: 0, XPF: 0,
  YER: 2,
  ZAR: 2, ZMW: 2, ZWG: 2,
  // Withdrawn recently (ANG → XCG in 2025, BGN → EUR on 2026-01-01) but kept: payments
  // taken before the changeover are still captured or refunded in their original currency.
  ANG: 2, BGN: 2,
} as const satisfies Record<string, 0 | 2 | 3 | 4>;

export type CurrencyCode = keyof typeof CURRENCY_EXPONENTS;

export type MoneyErrorCode =
  | 'unknown_currency'
  | 'invalid_amount'
  | 'negative_amount'
  | 'invalid_decimal'
  | 'too_many_decimals'
  | 'amount_too_large'
  | 'currency_mismatch';

/** Thrown for any malformed money input; `code` is stable so API layers can map it to a 4xx. */
export class MoneyError extends Error {
  override readonly name = 'MoneyError';
  constructor(
    readonly code: MoneyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Exact, case-sensitive match: callers normalise ("eur" → "EUR") at the API edge, once. */
export function isCurrency(code: unknown): code is CurrencyCode {
  // Object.hasOwn, not `in`, so that "toString" or "__proto__" are not currencies.
  return typeof code === 'string' && Object.hasOwn(CURRENCY_EXPONENTS, code);
}

export function currencyExponent(code: string): number {
  if (!isCurrency(code)) {
    throw new MoneyError('unknown_currency', `Unknown ISO 4217 currency: ${JSON.stringify(code)}`);
  }
  return CURRENCY_EXPONENTS[code];
}

/** Asserts a non-negative safe integer. Direction (capture vs refund) is never a sign. */
export function assertMinorAmount(n: unknown, field = 'amount'): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new MoneyError(
      'invalid_amount',
      `${field} must be a safe integer of minor units, got ${String(n)}`,
    );
  }
  if (n < 0) {
    throw new MoneyError('negative_amount', `${field} must not be negative, got ${n}`);
  }
}

/** 1234 EUR → "12.34", 5 JPY → "5", 1 KWD → "0.001". Always all decimals, no grouping. */
export function minorToDecimalString(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  assertMinorAmount(minor);
  if (exponent === 0) return String(minor);
  // String() of a safe integer is its exact decimal digits (never exponent notation below 1e21).
  const digits = String(minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * "12.34" EUR → 1234. Accepted: digits with an optional "." and at least one digit after it.
 * Extra decimals beyond the currency exponent are accepted only when they are zeros
 * ("25.000" EUR is 2500, "25.001" EUR is rejected: we never round money silently).
 *
 * Rejected: signs (a leading "-" gets its own code: amounts are never negative here, a partner
 * sending one is a bug to surface, not a refund), whitespace, exponents, thousands separators,
 * ".5" and "5.", and anything above Number.MAX_SAFE_INTEGER minor units.
 */
export function decimalStringToMinor(value: string, currency: string): number {
  const exponent = currencyExponent(currency);
  if (typeof value !== 'string') {
    throw new MoneyError('invalid_decimal', `Decimal amount must be a string, got ${typeof value}`);
  }
  if (value.startsWith('-')) {
    throw new MoneyError('negative_amount', `Decimal amount must not be negative: ${JSON.stringify(value)}`);
  }
  // [0-9] rather than \d so that no other digit class can ever sneak in.
  const match = /^([0-9]+)(?:\.([0-9]+))?$/.exec(value);
  if (!match) {
    throw new MoneyError('invalid_decimal', `Not a plain decimal amount: ${JSON.stringify(value)}`);
  }
  const [, whole, fraction = ''] = match;
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw new MoneyError(
      'too_many_decimals',
      `${currency} has ${exponent} decimal(s), cannot represent ${JSON.stringify(value)} exactly`,
    );
  }
  const digits = (whole + fraction.slice(0, exponent).padEnd(exponent, '0')).replace(/^0+(?=.)/, '');
  // The length check keeps BigInt away from absurdly long inputs; the compare is exact.
  if (digits.length > 16 || BigInt(digits) > MAX_SAFE) {
    throw new MoneyError(
      'amount_too_large',
      `Amount ${JSON.stringify(value)} ${currency} exceeds the safe range`,
    );
  }
  return Number(digits);
}

export interface Money {
  readonly amount: number;
  readonly currency: string;
}

/** Validating constructor: the only sanctioned way to build a Money from untrusted parts. */
export function money(amount: number, currency: string): Money {
  currencyExponent(currency);
  assertMinorAmount(amount);
  return { amount, currency };
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new MoneyError('currency_mismatch', `Cannot combine ${a.currency} with ${b.currency}`);
  }
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

/** Throws rather than going below zero: a negative balance is always a logic error upstream. */
export function subtractMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  assertMinorAmount(b.amount);
  return money(a.amount - b.amount, a.currency);
}
