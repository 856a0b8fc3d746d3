/**
 * The real Tender stack as separate processes, as `npm start` runs it (simulators, API, worker(s)),
 * against the benchmark's own database and Redis key prefix, on free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '@tender/config';
import { createTenderClient } from '@tender/client';
import { createPrismaClient, DataCipher, type PrismaClient } from '@tender/persistence';
import { ensureDatabase, migrate } from '../../libs/persistence/src/migrations';
import { createClient, createEntity, setPartnerAccount } from '../../apps/cli/src/provisioning';
import { DEMO_PARTNER_ACCOUNTS } from '../../apps/cli/src/demo';

export const ROOT = path.resolve(__dirname, '..', '..');
const TS_NODE = require.resolve('ts-node/dist/bin.js');
const PRELOAD = path.join(__dirname, 'preload.js');

export interface ProcessStats {
  pid: number;
  cpu_user_us: number;
  cpu_system_us: number;
  elu_idle_ms: number;
  elu_active_ms: number;
  rss_bytes: number;
  queries: number;
  query_ms: number;
  by_sql: Record<string, { count: number; ms: number; sample?: Array<string | null> }>;
}

export interface Role {
  name: string;
  kind: 'api' | 'worker' | 'simulators';
  child: ChildProcess;
  exited: boolean;
}

export interface StackOptions {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  /** Simulator latency spec (SIM_LATENCY_MS): "0", "50", "20-80"… */
  latency: string;
  apiProcs: number;
  workerProcs: number;
  profile: boolean;
  profileDir: string;
  logDir: string;
  env?: Record<string, string>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Drops (it is ours: the name must start with tender_bench), then creates and migrates the database with our runner. */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const database = url.pathname.slice(1);
  if (!/^tender_bench\w*$/.test(database)) {
    throw new Error(`refusing to recreate "${database}": benchmark databases are named tender_bench*`);
  }
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await ensureDatabase(databaseUrl);
  await migrate({
    databaseUrl,
    migrationsDir: path.join(ROOT, 'prisma', 'migrations'),
    log: () => undefined,
  });
}

export class BenchStack {
  readonly roles: Role[] = [];
  apiUrl = '';
  simUrls: Record<'connect' | 'purse' | 'paytronix', string> = { connect: '', purse: '', paytronix: '' };
  private requestId = 0;

  constructor(readonly options: StackOptions) {}

  async start(): Promise<void> {
    const o = this.options;
    fs.mkdirSync(o.logDir, { recursive: true });
    if (o.profile) fs.mkdirSync(o.profileDir, { recursive: true });
    const [apiPort, connectPort, pursePort, paytronixPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    this.apiUrl = `http://127.0.0.1:${apiPort}`;
    this.simUrls = {
      connect: `http://127.0.0.1:${connectPort}`,
      purse: `http://127.0.0.1:${pursePort}`,
      paytronix: `http://127.0.0.1:${paytronixPort}`,
    };
    const common: Record<string, string> = {
      NODE_ENV: 'development',
      DATABASE_URL: o.databaseUrl,
      REDIS_URL: o.redisUrl,
      QUEUE_PREFIX: o.queuePrefix,
      LOG_LEVEL: 'warn',
      API_WAIT_FOR_OUTCOME_MS: '10000',
      ACCESS_TOKEN_TTL_SECONDS: '86400',
      // No metrics listener in the workers: two of them (or another engineer's) would fight for its port.
      WORKER_METRICS_PORT: '0',
      // Rate limits checked on every request (their cost is measured) but far above the load generated.
      RATE_LIMIT_TOKEN_REQUESTS_PER_IP: '1000000',
      RATE_LIMIT_PAYMENT_WRITES_PER_CLIENT: '1000000',
      RATE_LIMIT_PARTNER_WEBHOOKS_PER_IP: '1000000',
      ...o.env,
    };
    const simEnv = {
      SIM_HOST: '127.0.0.1',
      CONNECT_SIM_PORT: String(connectPort),
      PURSE_SIM_PORT: String(pursePort),
      PAYTRONIX_SIM_PORT: String(paytronixPort),
      SIM_LATENCY_MS: o.latency,
      // Connect settles captures and refunds at once and says so by webhook: the bench measures Tender,
      // not a partner's settlement batch (the API waits for the capture to settle).
      CONNECT_SIM_SETTLE_DELAY_MS: '0',
      CONNECT_SIM_WEBHOOK_URL: `${this.apiUrl}/v2/webhooks/connect`,
    };
    const ready = [
      this.spawnRole(
        'simulators',
        'simulators',
        'apps/simulators/src/main.ts',
        simEnv,
        /paytronix simulator listening/,
      ),
    ];
    await Promise.all(ready);
    const apiEntry = o.apiProcs > 1 ? 'bench/lib/cluster-api.ts' : 'apps/api/src/main.ts';
    const apiEnv: Record<string, string> = {
      ...common,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      ...(o.apiProcs > 1 ? { BENCH_CLUSTER_PRIMARY: '1', BENCH_API_PROCS: String(o.apiProcs) } : {}),
    };
    const starting = [
      this.spawnRole('api', 'api', apiEntry, apiEnv, /tender api listening/, o.apiProcs > 1 ? o.apiProcs : 1),
    ];
    for (let i = 0; i < o.workerProcs; i++) {
      starting.push(
        this.spawnRole(
          `worker${o.workerProcs > 1 ? i + 1 : ''}`,
          'worker',
          'apps/worker/src/main.ts',
          common,
          /tender worker started/,
        ),
      );
    }
    await Promise.all(starting);
  }

  private spawnRole(
    name: string,
    kind: Role['kind'],
    entry: string,
    env: Record<string, string>,
    readyLine: RegExp,
    readyCount = 1,
  ): Promise<void> {
    const o = this.options;
    const nodeArgs = ['--require', PRELOAD];
    if (o.profile && kind !== 'simulators') {
      // One folder per role; in it, Node names each profile CPU.<date>.<time>.<pid>…cpuprofile.
      nodeArgs.push('--cpu-prof', '--cpu-prof-dir', path.join(o.profileDir, name));
    }
    const child = spawn(process.execPath, [...nodeArgs, TS_NODE, entry], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const role: Role = { name, kind, child, exited: false };
    this.roles.push(role);
    const logPath = path.join(o.logDir, `${name}.log`);
    const log = fs.createWriteStream(logPath, { flags: 'a' });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    return new Promise((resolve, reject) => {
      let seen = 0;
      let buffer = '';
      const timer = setTimeout(
        () => reject(new Error(`${name} did not start within 90 s (see ${logPath})`)),
        90_000,
      );
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer = (buffer + chunk.toString()).slice(-4000);
        const matches = buffer.match(new RegExp(readyLine.source, 'g'))?.length ?? 0;
        if (matches > seen) seen = matches;
        if (seen >= readyCount) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code, signal) => {
        role.exited = true;
        clearTimeout(timer);
        reject(new Error(`${name} exited (${signal ?? code}) during start-up; see ${logPath}`));
      });
    });
  }

  /** Whether every process is still running (a crash during a step invalidates it). */
  alive(): boolean {
    return this.roles.every((r) => !r.exited && r.child.exitCode === null);
  }

  /** CPU, event loop, memory and Postgres round trips of every process (and cluster worker). */
  async stats(): Promise<Array<{ role: string; kind: Role['kind']; stats: ProcessStats[] }>> {
    const id = ++this.requestId;
    return Promise.all(
      this.roles.map(
        (role) =>
          new Promise<{ role: string; kind: Role['kind']; stats: ProcessStats[] }>((resolve) => {
            const timer = setTimeout(() => {
              role.child.off('message', onMessage);
              resolve({ role: role.name, kind: role.kind, stats: [] });
            }, 5000);
            const onMessage = (message: { cmd?: string; id?: number; stats?: ProcessStats[] }) => {
              if (message?.cmd !== 'bench-stats' || message.id !== id) return;
              clearTimeout(timer);
              role.child.off('message', onMessage);
              resolve({ role: role.name, kind: role.kind, stats: message.stats ?? [] });
            };
            role.child.on('message', onMessage);
            if (role.child.connected) role.child.send({ cmd: 'bench-stats', id });
          }),
      ),
    );
  }

  /** Stops everything: a clean exit when profiling (so profiles are written), SIGTERM otherwise. */
  async stop(): Promise<void> {
    const stopOne = (role: Role) =>
      new Promise<void>((resolve) => {
        if (role.exited || role.child.exitCode !== null) return resolve();
        const kill = setTimeout(() => role.child.kill('SIGKILL'), 15_000);
        role.child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        if (this.options.profile && role.kind !== 'simulators' && role.child.connected)
          role.child.send({ cmd: 'bench-exit' });
        else role.child.kill('SIGTERM');
      });
    // Workers and API first (they may still talk to the simulators), then the simulators.
    await Promise.all(this.roles.filter((r) => r.kind !== 'simulators').map(stopOne));
    await Promise.all(this.roles.filter((r) => r.kind === 'simulators').map(stopOne));
  }
}

export interface Merchant {
  index: number;
  entityId: string;
  frontOffice: string;
  backOffice: string;
}

/**
 * N merchants: an entity each, with a front-office and a back-office API client, partner accounts at
 * the benchmark's simulators (the demo settings), and access tokens from the API's token endpoint.
 */
export async function provisionMerchants(
  stack: BenchStack,
  count: number,
  label: string,
): Promise<Merchant[]> {
  const prisma: PrismaClient = createPrismaClient(stack.options.databaseUrl, 4);
  // The bench's processes run with NODE_ENV=development: the development key.
  const cipher = new DataCipher(
    loadConfig({ NODE_ENV: 'development', DATA_ENCRYPTION_KEYS: process.env.DATA_ENCRYPTION_KEYS })
      .DATA_ENCRYPTION_KEYS,
  );
  try {
    const merchants: Merchant[] = [];
    const one = async (index: number): Promise<Merchant> => {
      const entity = await createEntity(prisma, cipher, `bench-${label}-${index}`);
      for (const account of DEMO_PARTNER_ACCOUNTS) {
        await setPartnerAccount(prisma, cipher, entity.entity_id, account.partner, {
          methods: account.methods,
          credentials: {
            ...account.credentials,
            endpoint: stack.simUrls[account.partner as keyof BenchStack['simUrls']],
          },
          config: account.config,
        });
      }
      const fo = await createClient(prisma, entity.entity_id, ['front_office'], {
        name: 'bench front office',
      });
      const bo = await createClient(prisma, entity.entity_id, ['back_office'], { name: 'bench back office' });
      return {
        index,
        entityId: entity.entity_id,
        frontOffice: await token(stack.apiUrl, fo.client_id, fo.client_secret),
        backOffice: await token(stack.apiUrl, bo.client_id, bo.client_secret),
      };
    };
    for (let i = 0; i < count; i += 4) {
      const batch = [];
      for (let j = i; j < Math.min(count, i + 4); j++) batch.push(one(j));
      merchants.push(...(await Promise.all(batch)));
    }
    return merchants;
  } finally {
    await prisma.$disconnect();
  }
}

async function token(apiUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const { data, error, response } = await createTenderClient(apiUrl).POST('/oauth2/token', {
    body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
  });
  if (!data) throw new Error(`token for ${clientId}: HTTP ${response.status} ${JSON.stringify(error)}`);
  return data.access_token;
}
