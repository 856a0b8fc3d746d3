/**
 * The API in Node cluster mode (benchmark only: `--api-procs N`): the primary forks N workers that
 * each run apps/api/src/main.ts on the same port (the primary hands out connections round-robin).
 * The primary relays the benchmark's IPC requests (stats, exit) to its workers.
 */
import cluster, { type Worker } from 'node:cluster';

const { stats } = require('./preload.js') as { stats: () => Record<string, unknown> };

if (cluster.isPrimary) {
  const count = Math.max(1, Number(process.env.BENCH_API_PROCS ?? '2'));
  const workers: Worker[] = [];
  for (let i = 0; i < count; i++) workers.push(cluster.fork());
  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      console.error(`api cluster worker ${worker.process.pid} exited (${signal ?? code})`);
      process.exit(1);
    }
  });
  const ask = (worker: Worker, id: number) =>
    new Promise<unknown[]>((resolve) => {
      const timer = setTimeout(() => resolve([]), 3000);
      const onMessage = (message: { cmd?: string; id?: number; stats?: unknown[] }) => {
        if (message?.cmd === 'bench-stats' && message.id === id) {
          clearTimeout(timer);
          worker.off('message', onMessage);
          resolve(message.stats ?? []);
        }
      };
      worker.on('message', onMessage);
      worker.send({ cmd: 'bench-stats', id });
    });
  const onMessage = async (message: { cmd?: string; id?: number }) => {
    if (message?.cmd === 'bench-stats') {
      const all = await Promise.all(workers.map((w) => ask(w, message.id ?? 0)));
      process.send?.({ cmd: 'bench-stats', id: message.id, stats: [stats(), ...all.flat()] });
    } else if (message?.cmd === 'bench-exit') {
      stopping = true;
      await Promise.all(
        workers.map(
          (w) =>
            new Promise((resolve) => {
              w.once('exit', resolve);
              w.send({ cmd: 'bench-exit' });
            }),
        ),
      );
      process.exit(0);
    }
  };
  process.on('message', (message: { cmd?: string; id?: number }) => {
    onMessage(message).catch((error: Error) => console.error(`api cluster: ${error.message}`));
  });
  process.channel?.unref();
  const stop = () => {
    stopping = true;
    for (const w of workers) w.kill('SIGTERM');
    setTimeout(() => process.exit(0), 5000).unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  require('../../apps/api/src/main');
}
