import { freePort, startProcess, type Running } from '../support/processes';
import { eventually, TestStack } from '../support/stack';

/** The worker's /health and /health/ready, on its metrics port, from a real worker process. */
describe('worker health routes', () => {
  let stack: TestStack;
  const processes: Running[] = [];

  /** A worker process with its metrics port; `env` may point it at a server that is down. */
  const startWorker = async (env: Record<string, string> = {}) => {
    const port = await freePort();
    const worker = await startProcess(
      'apps/worker/src/main.ts',
      stack,
      { WORKER_METRICS_PORT: String(port), METRICS_TOKEN: 'worker-metrics-token', ...env },
      'tender worker started',
    );
    processes.push(worker);
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text || 'null') };
    };
    return { worker, get };
  };

  beforeAll(async () => {
    stack = await TestStack.start({ simulators: false });
  });
  afterAll(async () => {
    for (const { child } of processes) if (child.exitCode === null && child.signalCode === null) child.kill();
    await Promise.all(processes.map((p) => p.exited));
    await stack.close();
  });

  it('is live and ready with Postgres and Redis up, without the metrics token', async () => {
    const { get } = await startWorker();
    expect(await get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get('/health/ready')).toMatchObject({
      status: 200,
      body: { status: 'ok', checks: { postgres: 'ok', redis: 'ok' } },
    });
    // /metrics keeps its token.
    expect((await get('/metrics')).status).toBe(401);
  });

  it('is live but not ready (503, redis: down, no driver error) when Redis is unreachable', async () => {
    const closed = await freePort();
    const { worker, get } = await startWorker({ REDIS_URL: `redis://127.0.0.1:${closed}` });
    expect((await get('/health')).status).toBe(200);
    const ready = await get('/health/ready');
    expect(ready).toMatchObject({
      status: 503,
      body: { status: 'down', checks: { postgres: 'ok', redis: 'down' } },
    });
    expect(ready.text).not.toMatch(new RegExp(`ECONNREFUSED|${closed}|127\\.0\\.0\\.1`));
    // Why goes to the log (the process's stdout, which may arrive after the answer).
    await eventually(
      () => /"dependency":"redis".*"msg":"not ready"/.test(worker.output()) || undefined,
      5000,
    );
  });

  it('is live but not ready (503, postgres: down, no driver error) when Postgres is unreachable', async () => {
    const closed = await freePort();
    const { worker, get } = await startWorker({
      DATABASE_URL: `postgresql://tender_health_user@127.0.0.1:${closed}/tender_test_unreachable`,
    });
    expect((await get('/health')).status).toBe(200);
    const ready = await get('/health/ready');
    expect(ready).toMatchObject({
      status: 503,
      body: { status: 'down', checks: { postgres: 'down', redis: 'ok' } },
    });
    expect(ready.text).not.toMatch(new RegExp(`ECONNREFUSED|${closed}|127\\.0\\.0\\.1|tender_health_user`));
    // Why goes to the log (the process's stdout, which may arrive after the answer).
    await eventually(
      () => /"dependency":"postgres".*"msg":"not ready"/.test(worker.output()) || undefined,
      5000,
    );
  });
});
