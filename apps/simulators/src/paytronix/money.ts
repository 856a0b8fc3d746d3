/**
 * Paytronix `Decimal`: a JSON string `[+-]mmmm[.nn]` in major units ("145.92", "-45"). The
 * simulator keeps integer cents internally and always answers two-decimal strings. A JSON number
 * is accepted on input too (live clients send both), as long as it has at most two decimals.
 */
export function parseDecimal(value: unknown): number | undefined {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return undefined;
  const match = /^([+-])?(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return undefined;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return undefined;
  return match[1] === '-' ? -cents : cents;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
