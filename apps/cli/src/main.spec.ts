import { run } from './main';

const UUID = '0190b5a6-0000-7000-8000-000000000000';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // No database is reachable here: every case below must fail (or answer) before connecting.
  const code = await run(
    argv,
    { NODE_ENV: 'test', DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' },
    {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
    },
  );
  return { code, stdout, stderr };
}

describe('tender CLI arguments', () => {
  it('prints the usage with --help, and a command usage with <command> --help', async () => {
    const all = await cli('--help');
    expect(all.code).toBe(0);
    for (const command of [
      'entity list',
      'entity create',
      'client create',
      'partner-account set',
      'demo seed',
      'keys reencrypt',
      'unknown list',
      'unknown retry --id',
      'unknown resolve --id',
    ]) {
      expect(all.stdout).toContain(`tender ${command}`);
    }
    const one = await cli('client', 'create', '-h');
    expect(one).toMatchObject({ code: 0, stderr: '' });
    expect(one.stdout).toMatch(/^Usage: tender client create --entity/);
  });

  it.each([
    [['entity', 'create'], 'missing --name'],
    [['client', 'create', '--entity', 'e'], 'missing --scope'],
    [
      ['partner-account', 'set', '--entity', 'e', '--partner', 'p', '--methods', 'card'],
      'missing --credentials',
    ],
    [['entity', 'list', '--partner', 'x'], '--partner is not an option of entity list'],
    [['entity', 'create', '--name', ' '], '--name must not be empty'],
    [['entity', 'create', '--nme', 'x'], "Unknown option '--nme'"],
    [['entity'], 'missing entity command'],
    [['entity', 'lst'], 'unknown command "entity lst"'],
    [['nope'], 'unknown command "nope"'],
    [[], 'missing command'],
    [['entity', 'list', 'extra'], 'unexpected argument "extra"'],
    [
      [
        'partner-account',
        'set',
        '--entity',
        'e',
        '--partner',
        'p',
        '--methods',
        'card',
        '--credentials',
        '{',
      ],
      '--credentials is not valid JSON',
    ],
    [
      [
        'partner-account',
        'set',
        '--entity',
        'e',
        '--partner',
        'p',
        '--methods',
        'card',
        '--credentials',
        '[]',
      ],
      '--credentials must be a JSON object',
    ],
    [['client', 'create', '--entity', 'e', '--scope', 'admin'], 'unknown scope admin'],
    [['unknown', 'list', '--entity', 'e'], '--entity must be an entity id'],
    [['unknown', 'retry', '--id', 'tender-1'], '--id must be a tender or operation leg id'],
    [['unknown', 'retry', '--id', UUID, '--as', 'failed'], '--as is not an option of unknown retry'],
    [['unknown', 'resolve', '--id', UUID, '--as', 'failed'], 'missing --reason'],
    [['unknown', 'resolve', '--id', UUID, '--as', 'failed', '--reason', ' '], '--reason must not be empty'],
    [
      ['unknown', 'resolve', '--id', UUID, '--as', 'maybe', '--reason', 'r'],
      '--as must be one of succeeded, failed',
    ],
  ])('%j: exit 2, %s', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const error = JSON.parse(result.stderr);
    expect(error.error).toContain(message);
    expect(error.usage).toMatch(/^tender /);
  });
});
