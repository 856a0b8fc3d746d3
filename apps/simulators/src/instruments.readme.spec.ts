import * as fs from 'node:fs';
import * as path from 'node:path';
import { testInstrumentsMarkdown } from './instruments';

describe('test instruments table', () => {
  it('is the same in the README as in code', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
    const table = /<!-- test-instruments:start -->\n([\s\S]*?)\n<!-- test-instruments:end -->/.exec(
      readme,
    )?.[1];
    expect(table?.trim()).toBe(testInstrumentsMarkdown().trim());
  });
});
