import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { TEST_DATA_ENCRYPTION_KEYS, TEST_DATABASE_URL } from './env';
import type { TestStack } from './stack';

const root = path.resolve(__dirname, '../..');

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** A TCP port nothing listens on right now (for a process to listen on, or to stand for a server that is down). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
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
        DATA_ENCRYPTION_KEYS: TEST_DATA_ENCRYPTION_KEYS,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        WORKER_METRICS_PORT: '0',
        SHUTDOWN_TIMEOUT_MS: '10000',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: String(stack.config.WEBHOOK_ALLOW_PRIVATE_NETWORKS),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (output.includes(ready)) {
        child.stdout.off('data', onData);
        resolve({ child, output: () => output, exited });
      }
    };
    child.stdout.on('data', onData);
    // `exited` never rejects; once started, the reject is a no-op.
    void exited.then(({ code }) =>
      reject(new Error(`${entry} exited (${code}) before starting:\n${output}`)),
    );
  });
}

export interface CliProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout (exit 0) or stderr parsed as JSON; undefined when it is not JSON. */
  json: any;
}

/** `tender <args>` as a child process against the test database, as `npm run -s tender -- …` runs it. */
export function runCliProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliProcessResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'apps/cli/src/main.ts',
        ...args,
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: TEST_DATABASE_URL,
          DATA_ENCRYPTION_KEYS: TEST_DATA_ENCRYPTION_KEYS,
          ...env,
        },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        let json: unknown;
        try {
          json = JSON.parse(code === 0 ? stdout : stderr);
        } catch {
          json = undefined;
        }
        resolve({ code, stdout, stderr, json });
      },
    );
  });
}
