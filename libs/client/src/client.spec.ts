import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

describe('@tender/client', () => {
  it('has the types of the current OpenAPI document (else: npm run client:generate)', () => {
    const committed = readFileSync(join(__dirname, 'generated', 'openapi.ts'), 'utf8').split('\n');
    const current = execFileSync(
      join(ROOT, 'node_modules', '.bin', 'ts-node'),
      ['scripts/client-generate.ts', '--stdout'],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 },
    ).split('\n');
    expect(current.length).toBeGreaterThan(1000); // the generator really ran
    const first = current.findIndex((line, i) => line !== committed[i]);
    const drift =
      first === -1 && committed.length === current.length
        ? null
        : { line: first + 1, committed: committed[first], document: current[first] };
    expect(drift).toBeNull();
  });
});
