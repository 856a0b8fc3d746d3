/**
 * `npm start`: the whole local stack in the foreground for a newcomer. Creates and migrates the
 * database, seeds the demo entity, then runs the API, the worker, the partner simulators and the
 * demo shop as four child processes with prefixed output. Ctrl-C or SIGTERM (or any child dying) stops them
 * all, each gracefully (see SHUTDOWN_TIMEOUT_MS), and waits for them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { loadConfig, redactUrl } from '@tender/config';
import { createPrismaClient, DataCipher } from '@tender/persistence';
import { ensureDatabase, migrate } from '../libs/persistence/src/migrations';
import {
  describeSecretsAtRest,
  encryptSecretsAtRest,
} from '../libs/persistence/src/migrations/secrets-at-rest';
import { seedDemo } from '../apps/cli/src/demo';
import { createClient } from '../apps/cli/src/provisioning';

const root = path.resolve(__dirname, '..');
const tsNode = require.resolve('ts-node/dist/bin.js');

const processes: Array<{ name: string; entry: string }> = [
  { name: 'simulators', entry: 'apps/simulators/src/main.ts' },
  { name: 'api', entry: 'apps/api/src/main.ts' },
  { name: 'worker', entry: 'apps/worker/src/main.ts' },
  { name: 'demo', entry: 'apps/demo/src/main.ts' },
];

function prefixLines(name: string, stream: NodeJS.ReadableStream, out: NodeJS.WriteStream): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) out.write(`[${name}] ${line}\n`);
  });
  stream.on('end', () => pending && out.write(`[${name}] ${pending}\n`));
}

async function main(): Promise<void> {
  const config = loadConfig();
  console.log(`[start] database ${redactUrl(config.DATABASE_URL)}`);
  await ensureDatabase(config.DATABASE_URL);
  const result = await migrate({
    databaseUrl: config.DATABASE_URL,
    migrationsDir: path.join(root, 'prisma', 'migrations'),
  });
  console.log(
    `[start] migrations: ${result.applied.length} applied, ${result.alreadyApplied} already applied`,
  );
  console.log(`[start] ${describeSecretsAtRest(await encryptSecretsAtRest(config.DATABASE_URL))}`);
  const prisma = createPrismaClient(config.DATABASE_URL, 1);
  const demo = await seedDemo(prisma, new DataCipher(config.DATA_ENCRYPTION_KEYS));
  // The demo shop's own API client (a new one each start: its secret is shown only once).
  const shopClient = await createClient(prisma, demo.entity_id, ['front_office', 'back_office'], {
    name: 'demo shop',
  }).finally(() => prisma.$disconnect());
  const api = `http://127.0.0.1:${config.PORT}`;
  const demoShopPort = process.env.DEMO_SHOP_PORT ?? '4100';
  console.log(
    [
      `[start] demo entity ${demo.entity_id} (${demo.created ? 'created' : 'already there'}), partner accounts at the simulators.`,
      '[start] To call the API, create a client and get a token:',
      `          npm run -s tender -- client create --entity ${demo.entity_id} --scope front_office --scope back_office`,
      `          curl -s -u <client_id>:<client_secret> -d grant_type=client_credentials ${api}/oauth2/token`,
      `[start] API docs: ${api}/docs`,
      `[start] Demo shop (pay in the browser): http://127.0.0.1:${demoShopPort}/demo/shop`,
    ].join('\n'),
  );

  const children: ChildProcess[] = [];
  let stopping = false;
  // Signals are forwarded and the children get their shutdown bound (SHUTDOWN_TIMEOUT_MS: the API
  // drains requests, the worker its running jobs) plus some slack before they are killed.
  const stopAll = (code: number, signal: NodeJS.Signals = 'SIGTERM') => {
    if (stopping) return;
    stopping = true;
    const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
    for (const child of running) child.kill(signal);
    setTimeout(() => {
      console.error('[start] still running after the shutdown bound; killing');
      for (const child of running) child.kill('SIGKILL');
      process.exit(code || 1);
    }, config.SHUTDOWN_TIMEOUT_MS + 10_000).unref();
    const exits = running
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map((c) => new Promise((r) => c.once('exit', r)));
    // Exit events never reject.
    void Promise.all(exits).then(() => process.exit(code));
  };
  process.on('SIGINT', () => stopAll(0, 'SIGINT'));
  process.on('SIGTERM', () => stopAll(0, 'SIGTERM'));

  // Connect tells the API when it settles a capture or refund (the worker would otherwise poll).
  // Merchant webhooks may reach local receivers (localhost): this is a development setup.
  const env = {
    CONNECT_SIM_WEBHOOK_URL: `${api}/v2/webhooks/connect`,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    // Absolute links to the drop-in and the shopper's return from hosted pages.
    PUBLIC_URL: config.PUBLIC_URL ?? api,
    TENDER_API_URL: api,
    DEMO_SHOP_PORT: demoShopPort,
    DEMO_CLIENT_ID: shopClient.client_id,
    DEMO_CLIENT_SECRET: shopClient.client_secret,
    ...process.env,
  };
  for (const { name, entry } of processes) {
    const child = spawn(process.execPath, [tsNode, entry], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prefixLines(name, child.stdout, process.stdout);
    prefixLines(name, child.stderr, process.stderr);
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`[start] ${name} exited (${signal ?? code}); stopping everything`);
        stopAll(code || 1);
      }
    });
    children.push(child);
  }
}

main().catch((error) => {
  console.error(`[start] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
