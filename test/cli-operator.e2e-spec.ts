import { randomBytes } from 'node:crypto';
import { runCliProcess } from './support/processes';
import { TestStack } from './support/stack';

const email = (role: string) => `${role}-${randomBytes(6).toString('hex')}@cli.test`;

/** `tender operator create`: accounts that sign in to the console, their passwords never stored in clear. */
describe('tender operator', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ simulators: false });
  });

  afterAll(() => stack.close());

  it('creates an operator with a generated password printed once, which signs in to the console', async () => {
    const address = email('operator');
    const created = await runCliProcess(['operator', 'create', '--email', address, '--role', 'operator']);
    expect(created.code).toBe(0);
    expect(created.json).toEqual({
      operator_id: expect.any(String),
      email: address,
      role: 'operator',
      password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
    });
    const { password } = created.json as { password: string };
    const stored = await stack.prisma.operatorAccount.findUniqueOrThrow({ where: { email: address } });
    expect(stored.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(stored.passwordHash).not.toContain(password);

    const signIn = await stack.request('POST', '/console/api/session', {
      body: { email: address, password },
    });
    expect(signIn.status).toBe(201);
    expect(signIn.body.operator).toEqual({ id: stored.id, email: address, role: 'operator' });

    const list = await runCliProcess(['operator', 'list']);
    expect(list.json).toEqual(
      expect.arrayContaining([
        { operator_id: stored.id, email: address, role: 'operator', created_at: expect.any(String) },
      ]),
    );
    expect(list.stdout).not.toContain('scrypt');
  }, 60_000);

  it('takes a given password (never echoing it), and refuses a bad role, a short password or a duplicate email', async () => {
    const address = email('viewer');
    const password = 'a-long-enough-password';
    const created = await runCliProcess([
      'operator',
      'create',
      '--email',
      address,
      '--role',
      'viewer',
      '--password',
      password,
    ]);
    expect(created.code).toBe(0);
    expect(created.json).toEqual({ operator_id: expect.any(String), email: address, role: 'viewer' });
    expect(created.stdout).not.toContain(password);
    const signIn = await stack.request('POST', '/console/api/session', {
      body: { email: address, password },
    });
    expect(signIn.status).toBe(201);

    const [role, short, duplicate, noEmail] = await Promise.all([
      runCliProcess(['operator', 'create', '--email', email('x'), '--role', 'admin']),
      runCliProcess(['operator', 'create', '--email', email('x'), '--role', 'viewer', '--password', 'short']),
      runCliProcess(['operator', 'create', '--email', address.toUpperCase(), '--role', 'operator']),
      runCliProcess(['operator', 'create', '--email', 'not-an-email', '--role', 'viewer']),
    ]);
    expect([role.code, role.json]).toEqual([
      2,
      expect.objectContaining({ error: '--role must be one of viewer, operator' }),
    ]);
    expect([short.code, short.json]).toEqual([
      2,
      expect.objectContaining({ error: '--password must be at least 12 characters' }),
    ]);
    expect([duplicate.code, duplicate.json]).toEqual([
      1,
      { error: `an operator with email ${address} already exists` },
    ]);
    expect([noEmail.code, noEmail.json]).toEqual([
      2,
      expect.objectContaining({ error: '--email must be an email address' }),
    ]);
  }, 60_000);
});
