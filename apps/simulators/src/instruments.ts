import { CONNECT_TEST_INSTRUMENTS } from './connect';
import { PAYTRONIX_TEST_INSTRUMENTS } from './paytronix/instruments';
import { PURSE_TEST_INSTRUMENTS } from './purse/instruments';

/**
 * Every test instrument of the three simulators in one table, for the README and for code that
 * picks an instrument by outcome. Connect and Purse instruments are tokens; Paytronix ones are
 * gift card numbers (`cardInfo.printedCardNumber`) plus the recharge card and the hosted page.
 */
export interface TestInstrument {
  partner: 'connect' | 'purse' | 'paytronix';
  instrument: string;
  outcome: string;
}

export const TEST_INSTRUMENTS: readonly TestInstrument[] = [
  ...CONNECT_TEST_INSTRUMENTS.map((row) => ({
    partner: 'connect' as const,
    instrument: row.token,
    outcome: row.description,
  })),
  { partner: 'connect', instrument: '(any other token)', outcome: 'Declined, like an unknown card.' },
  ...PURSE_TEST_INSTRUMENTS,
  ...PAYTRONIX_TEST_INSTRUMENTS,
];

/** The table as Markdown, e.g. for the README. */
export function testInstrumentsMarkdown(rows: readonly TestInstrument[] = TEST_INSTRUMENTS): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '| Partner | Instrument | Outcome |',
    '|---|---|---|',
    ...rows.map((row) => `| ${row.partner} | \`${cell(row.instrument)}\` | ${cell(row.outcome)} |`),
  ].join('\n');
}
