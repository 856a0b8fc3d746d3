import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { TestStack } from './stack';

const root = path.resolve(__dirname, '../..');

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** An app's main.ts in its own process, as in production, so the test can signal it. */
export function startProcess(
  entry: string,
  stack: TestStack,
  env: Record<string, string>,
  ready: string,
): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', entry],
    {
      cwd: root,
      env: {
        ...process.env,
        TS_NODE_PROJECT: path.join(root, 'tsconfig.json'),
        DATABASE_URL: stack.config.DATABASE_URL,
        REDIS_URL: stack.config.REDIS_URL,
        QUEUE_PREFIX: stack.config.QUEUE_PREFIX,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        WORKER_METRICS_PORT: '0',
        SHUTDOWN_TIMEOUT_MS: '10000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (output.includes(ready)) {
        child.stdout!.off('data', onData);
        resolve({ child, output: () => output, exited });
      }
    };
    child.stdout!.on('data', onData);
    exited.then(({ code }) => reject(new Error(`${entry} exited (${code}) before starting:\n${output}`)));
  });
}
