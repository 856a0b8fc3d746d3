import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import * as domain from '@tender/domain';

describe('@tender/domain', () => {
  it('resolves through the path alias and exports the public API', () => {
    for (const name of [
      'CURRENCY_EXPONENTS',
      'decimalStringToMinor',
      'minorToDecimalString',
      'deriveAmounts',
      'deriveOverview',
      'checkTenderInvariants',
      'allocateOperation',
      'DEFAULT_ALLOCATION_ORDERS',
      'canTransition',
      'assertTransition',
      'isFinal',
      'IllegalTransitionError',
      'deriveAuthorizationStatus',
      'tendersToCompensate',
    ]) {
      expect(domain).toHaveProperty(name);
    }
  });

  it('stays pure: source files import nothing but sibling modules', () => {
    const sources = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(sources.length).toBeGreaterThanOrEqual(7);
    for (const file of sources) {
      const text = readFileSync(join(__dirname, file), 'utf8');
      const specifiers = [
        ...text.matchAll(/\bfrom\s+'([^']+)'|\brequire\(\s*'([^']+)'|\bimport\(\s*'([^']+)'/g),
      ].map((m) => m[1] ?? m[2] ?? m[3]);
      for (const s of specifiers) expect(`${file}: ${s}`).toMatch(/: \.\/[\w-]+$/);
    }
  });
});
