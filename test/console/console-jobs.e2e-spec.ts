import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { WEBHOOK_QUEUE } from '@tender/infra';
import { ConsoleSession, newOperator } from '../support/console';
import { eventually, TestStack } from '../support/stack';

/** Needs attention: a failed job is listed (never its data) and an operator retries it, audited. */
describe('console: failed jobs', () => {
  let stack: TestStack;
  let connection: Redis;
  let queue: Queue;

  beforeAll(async () => {
    // No worker of ours: the job fails in the test's own worker, and waits after the retry.
    stack = await TestStack.start({ simulators: false });
    connection = new Redis(stack.config.REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(WEBHOOK_QUEUE, { connection, prefix: stack.config.QUEUE_PREFIX });
  });

  afterAll(async () => {
    await queue?.close();
    connection?.disconnect();
    await stack?.close();
  });

  it('lists a failed job and retries it with a reason; viewers cannot', async () => {
    const job = await queue.add(
      'deliver',
      { eventId: 'e', secret: 'never-shown' },
      { jobId: 'deliver-console-test', attempts: 1 },
    );
    // BullMQ never closes a connection it was given: this one is ended below with the worker.
    const workerConnection = new Redis(stack.config.REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(
      WEBHOOK_QUEUE,
      () => {
        throw new Error('receiver exploded');
      },
      { connection: workerConnection, prefix: stack.config.QUEUE_PREFIX },
    );
    await eventually(
      async () => ((await job.getState()) === 'failed' ? true : undefined),
      15_000,
      'the job failed',
    );
    await worker.close();
    workerConnection.disconnect();

    const operatorAccount = await newOperator(stack, 'operator');
    const operator = await ConsoleSession.signIn(stack, operatorAccount);
    const viewer = await ConsoleSession.signIn(stack, await newOperator(stack, 'viewer'));
    const listed = await viewer.get('/needs-attention');
    expect(listed.body.failed_jobs).toContainEqual(
      expect.objectContaining({
        queue: WEBHOOK_QUEUE,
        id: 'deliver-console-test',
        name: 'deliver',
        failed_reason: 'receiver exploded',
      }),
    );
    expect(listed.text).not.toContain('never-shown');

    const path = `/jobs/${WEBHOOK_QUEUE}/deliver-console-test/retry`;
    expect((await viewer.send('POST', path, { reason: 'viewer try' })).status).toBe(403);
    expect(
      (await operator.send('POST', `/jobs/${WEBHOOK_QUEUE}/no-such-job/retry`, { reason: 'typo' })).status,
    ).toBe(404);
    const retried = await operator.send('POST', path, { reason: 'receiver is back' });
    expect(retried.status).toBe(200);
    expect(await job.getState()).toBe('waiting');
    const audit = await stack.prisma.auditLog.findMany({ where: { operatorId: operatorAccount.id } });
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'job.retry',
        reason: 'receiver is back',
        targetType: 'job',
        details: { queue: WEBHOOK_QUEUE, job_id: 'deliver-console-test' },
      }),
    ]);
  });
});
