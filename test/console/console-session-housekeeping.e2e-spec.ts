import { Maintenance } from '../../apps/worker/src/maintenance';
import { ConsoleSession, newOperator } from '../support/console';
import { TestStack } from '../support/stack';

/** Expired operator sessions are removed by the worker's housekeeping, not only at the next sign-in. */
describe('console sessions: housekeeping', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ simulators: false, worker: true });
  }, 60_000);

  afterAll(() => stack?.close());

  it('removes expired sessions, of operators who never sign in again too, and keeps live ones', async () => {
    const gone = await newOperator(stack, 'viewer'); // signs in once, never again
    await ConsoleSession.signIn(stack, gone);
    const active = await newOperator(stack, 'operator');
    const stale = await ConsoleSession.signIn(stack, active);
    const live = await ConsoleSession.signIn(stack, active);
    const expired = new Date(Date.now() - 1000);
    await stack.prisma.operatorSession.updateMany({
      where: { operatorId: gone.id },
      data: { expiresAt: expired },
    });
    const staleRow = await stack.prisma.operatorSession.findFirstOrThrow({
      where: { operatorId: active.id },
      orderBy: { createdAt: 'asc' },
    });
    await stack.prisma.operatorSession.update({ where: { id: staleRow.id }, data: { expiresAt: expired } });
    expect((await stale.get('/session')).status).toBe(401); // refused on read already

    const maintenance = stack.worker!.get(Maintenance);
    expect(await maintenance.purgeExpiredOperatorSessions()).toBeGreaterThanOrEqual(2);
    await maintenance.housekeeping(); // the periodic loop calls it: nothing left to remove
    expect(await stack.prisma.operatorSession.count({ where: { expiresAt: { lt: new Date() } } })).toBe(0);
    expect(await stack.prisma.operatorSession.count({ where: { operatorId: gone.id } })).toBe(0);
    const remaining = await stack.prisma.operatorSession.findMany({ where: { operatorId: active.id } });
    expect(remaining.map((row) => row.id)).not.toContain(staleRow.id);
    expect(remaining).toHaveLength(1);
    expect((await live.get('/session')).status).toBe(200);
  });
});
