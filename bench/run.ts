/**
 * `npm run bench` — Tender's throughput and overhead, measured against the real stack.
 *
 * For each simulator latency (--latency 0,50): a fresh database (tender_bench, dropped and migrated),
 * the stack as separate processes (simulators, API, worker(s)) under a Redis prefix of its own, N
 * merchants with tokens; then two-tender split payments (gift card + card) created and captured
 * through the public API: open loop stepping the arrival rate up until it breaks, closed loop at a
 * fixed concurrency; a reconciliation of our store against the simulators' books; the same partner
 * calls made directly (no orchestrator). Once per run: the raw Postgres write floor.
 *
 *   npm run bench                        full run: latencies 0 and 50 ms
 *   npm run bench -- --quick             under two minutes: 0 ms, short steps
 *   npm run bench -- --profile           API and worker(s) under --cpu-prof (bench/results/profiles)
 *   npm run bench -- --help              every option
 *
 * Prints figures and writes the full run to bench/results/runs/<timestamp>.json (git-ignored) and
 * bench/results/latest.json, appends its headline figures to bench/results/history.jsonl (one line
 * per run, committed) and writes the table in BENCHMARKS.md. It asserts nothing: the targets are
 * reported with their gap.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { BenchStack, provisionMerchants, recreateDatabase, ROOT, type ProcessStats } from './lib/stack';
import { closedLoop, openLoop, type LoadContext, type StepRecorder } from './lib/load';
import { percentiles, round, type Percentiles } from './lib/stats';
import { breakdown, dropPrefix, type Breakdown } from './lib/jobs';
import { reconcile, giftCardBalanceCents, type Reconciliation } from './lib/reconcile';
import { pgFloor, type PgFloor } from './lib/pg-floor';
import { cpuDelta, cpuSnapshot, type CpuDelta } from './lib/cpu';
import { findProfiles, summarizeProfile, type ProfileSummary, type Window } from './lib/profile';
import { writeBenchmarksMd } from './lib/report';
import { appendHistory } from './lib/history';
import { tableSizes, tableStats, writesPerPayment, type WritesPerPayment } from './lib/pg-stats';
import { explainHot, type ExplainResult, type HotStatement as ExplainStatement } from './lib/explain';

type HotStatement = ExplainStatement & { count: number; payments: number };

// ---- options --------------------------------------------------------------------------------------

const TARGETS = {
  payments_per_second: 250,
  overhead_p50_ms: 10,
  overhead_p99_ms: 40,
};

interface Options {
  quick: boolean;
  latencies: string[];
  steps: number[];
  stepSeconds: number;
  closedConcurrency: number;
  closedSeconds: number;
  merchants: number;
  p99BoundMs: number;
  apiProcs: number;
  workerProcs: number;
  profile: boolean;
  directSeconds: number;
  floorSeconds: number;
  floorConcurrency: number;
  pool?: number;
  partnerConcurrency?: number;
  database: string;
  redisUrl: string;
  label?: string;
  writeMd: boolean;
  overheadRate: number;
}

const HELP = `npm run bench -- [options]
  --quick                 short run (< 2 min): latency 0, 4 s steps, smaller closed loop
  --latency 0,50          simulator latencies (SIM_LATENCY_MS specs: 50, 20-80, normal:50:10)
  --steps 25,50,...       open-loop arrival rates (payments/s), stepped up until one breaks
  --step-seconds N        duration of each open-loop step
  --closed 32             closed-loop concurrency; --closed-seconds N its duration
  --merchants N           merchants (entities with clients, partner accounts and tokens)
  --p99-bound-ms 1000     a step with a create-payment p99 above this is broken
  --workers N             worker processes (default 1); --api-procs N: API in cluster mode
  --pool N                DATABASE_POOL_SIZE of API and workers (default: the app's, 10)
  --partner-concurrency N PARTNER_CONCURRENCY (default: the app's, 32)
  --profile               API and worker(s) under node --cpu-prof (bench/results/profiles/<run>)
  --direct-seconds N      duration of the no-orchestrator reference
  --floor-seconds N       duration of the Postgres write floor; --floor-concurrency N
  --database NAME         benchmark database (tender_bench*, dropped and recreated)
  --label TEXT            added to the result file name
  --no-md                 do not rewrite the table in BENCHMARKS.md`;

function parseOptions(argv: string[]): Options {
  const args = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const [name, inline] = a.slice(2).split('=', 2);
    if (inline !== undefined) args.set(name, inline);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) args.set(name, argv[++i]);
    else flags.add(name);
  }
  if (flags.has('help')) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = flags.has('quick');
  const num = (name: string, fallback: number) => (args.has(name) ? Number(args.get(name)) : fallback);
  const list = (name: string, fallback: string) =>
    (args.get(name) ?? fallback)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const database = args.get('database') ?? 'tender_bench';
  if (!/^tender_bench\w*$/.test(database)) throw new Error('--database must start with tender_bench');
  return {
    quick,
    latencies: list('latency', quick ? '0' : '0,50'),
    // Low rates first: on a small machine the stack may break long before the 250/s target.
    steps: list(
      'steps',
      quick
        ? '5,10,15,20,25,30,35,40,50,60,80,125,250'
        : '5,10,15,20,25,30,35,40,45,50,60,70,80,100,125,150,200,250,300,400',
    ).map(Number),
    stepSeconds: num('step-seconds', quick ? 4 : 15),
    closedConcurrency: num('closed', 32),
    closedSeconds: num('closed-seconds', quick ? 6 : 20),
    merchants: num('merchants', quick ? 8 : 20),
    p99BoundMs: num('p99-bound-ms', 1000),
    apiProcs: num('api-procs', 1),
    workerProcs: num('workers', 1),
    profile: flags.has('profile'),
    directSeconds: num('direct-seconds', quick ? 4 : 10),
    floorSeconds: num('floor-seconds', quick ? 3 : 10),
    floorConcurrency: num('floor-concurrency', 16),
    pool: args.has('pool') ? Number(args.get('pool')) : undefined,
    partnerConcurrency: args.has('partner-concurrency') ? Number(args.get('partner-concurrency')) : undefined,
    database,
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    label: args.get('label'),
    writeMd: !flags.has('no-md'),
    overheadRate: TARGETS.payments_per_second / 2,
  };
}

// ---- per-step figures -----------------------------------------------------------------------------

interface Cost {
  /** Postgres round trips per payment (create + capture), per process kind. */
  queries_per_payment: Record<string, number>;
  /** CPU milliseconds per payment, per component. */
  cpu_ms_per_payment: Record<string, number>;
  /** Event-loop utilization (0..1) of each Node process during the step. */
  event_loop_utilization: Record<string, number>;
  /** CPU cores busy, whole machine (other engineers' work included). */
  machine_busy_cores: number;
  /** Of which not ours (neither the stack, its Postgres backends, Redis nor the load generator): noise. */
  others_busy_cores: number;
  /** CPU the hypervisor gave to other VMs while this one wanted it (steal time): noise we cannot see. */
  steal_cores: number;
  top_sql?: Array<{ process: string; per_payment: number; avg_ms: number; sql: string }>;
  /** Rows written per payment per table and commits per payment (Postgres statistics). */
  postgres_writes_per_payment?: WritesPerPayment;
}

interface StepFigures {
  mode: 'open' | 'closed' | 'warmup';
  target_rate?: number;
  concurrency?: number;
  duration_s: number;
  attempted: number;
  authorized: number;
  captured: number;
  payments_per_second: number;
  errors: number;
  error_kinds: Record<string, number>;
  error_samples: string[];
  retried_with_same_key: number;
  recovered_by_retry: number;
  latency_ms: Percentiles;
  capture_latency_ms: Percentiles;
  flow_latency_ms: Percentiles;
  overhead_ms: Percentiles;
  capture_overhead_ms: Percentiles;
  server_total_ms: Percentiles;
  partner_ms: Percentiles;
  queue_ms: Percentiles;
  timeline?: Breakdown;
  cost?: Cost;
  healthy?: boolean;
  broken_because?: string[];
  monotonic_window_us?: Window;
}

type StatsByRole = Awaited<ReturnType<BenchStack['stats']>>;

function costOf(
  before: StatsByRole,
  after: StatsByRole,
  cpu: CpuDelta,
  payments: number,
  topSql: boolean,
  hot?: Map<string, HotStatement>,
): Cost {
  const queries: Record<string, number> = {};
  const cpuMs: Record<string, number> = {};
  const elu: Record<string, number> = {};
  const sqlRows: Array<{ process: string; per_payment: number; avg_ms: number; sql: string }> = [];
  const per = (n: number) => (payments ? round(n / payments, 2) : 0);
  let oursCpuS = cpu.postgres_our_backends_s + cpu.redis_s + cpu.generator_s;
  for (const a of after) {
    const b = before.find((x) => x.role === a.role);
    let q = 0;
    let cpuUs = 0;
    const sql = new Map<string, { count: number; ms: number; sample: Array<string | null> }>();
    for (const s of a.stats) {
      const prev: ProcessStats | undefined = b?.stats.find((x) => x.pid === s.pid);
      q += s.queries - (prev?.queries ?? 0);
      cpuUs += s.cpu_user_us + s.cpu_system_us - ((prev?.cpu_user_us ?? 0) + (prev?.cpu_system_us ?? 0));
      const active = s.elu_active_ms - (prev?.elu_active_ms ?? 0);
      const idle = s.elu_idle_ms - (prev?.elu_idle_ms ?? 0);
      elu[`${a.role}${a.stats.length > 1 ? `#${s.pid}` : ''}`] =
        active + idle > 0 ? round(active / (active + idle), 2) : 0;
      for (const [text, v] of Object.entries(s.by_sql)) {
        const p = prev?.by_sql[text];
        const count = v.count - (p?.count ?? 0);
        const ms = v.ms - (p?.ms ?? 0);
        if (count <= 0) continue;
        const e = sql.get(text) ?? { count: 0, ms: 0, sample: v.sample ?? [] };
        e.count += count;
        e.ms += ms;
        sql.set(text, e);
      }
    }
    oursCpuS += cpuUs / 1e6;
    queries[a.kind] = round((queries[a.kind] ?? 0) + per(q), 2);
    cpuMs[a.kind] = round((cpuMs[a.kind] ?? 0) + per(cpuUs / 1000), 2);
    for (const [text, v] of sql) {
      if (hot) {
        const key = `${a.kind}\u0000${text}`;
        const h = hot.get(key) ?? {
          process: a.kind,
          per_payment: 0,
          sql: text,
          sample: v.sample,
          count: 0,
          payments: 0,
        };
        h.count += v.count;
        hot.set(key, h);
      }
      sqlRows.push({
        process: a.kind,
        per_payment: per(v.count),
        avg_ms: round(v.ms / v.count, 2),
        sql: text.replace(/\s+/g, ' ').slice(0, 220),
      });
    }
  }
  delete queries.simulators;
  cpuMs.postgres = per(cpu.postgres_our_backends_s * 1000);
  cpuMs.redis = per(cpu.redis_s * 1000);
  cpuMs.load_generator = per(cpu.generator_s * 1000);
  return {
    queries_per_payment: queries,
    cpu_ms_per_payment: cpuMs,
    event_loop_utilization: elu,
    machine_busy_cores: round(cpu.machine_busy_cores, 2),
    others_busy_cores:
      cpu.wall_s > 0 ? round(Math.max(0, cpu.machine_busy_cores - oursCpuS / cpu.wall_s), 2) : 0,
    steal_cores: round(cpu.machine_steal_cores, 2),
    ...(topSql
      ? { top_sql: sqlRows.sort((x, y) => y.per_payment - x.per_payment || y.avg_ms - x.avg_ms).slice(0, 30) }
      : {}),
  };
}

function figures(rec: StepRecorder, durationMs: number, mode: StepFigures['mode']): StepFigures {
  const errors = [...rec.errors.values()].reduce((s, n) => s + n, 0);
  // Authorized per second over the window in which they were sent and answered.
  const window = Math.max(durationMs, rec.lastAuthorizedAt - rec.firstSentAt);
  return {
    mode,
    duration_s: round(durationMs / 1000, 2),
    attempted: rec.attempted,
    authorized: rec.authorized,
    captured: rec.captured,
    payments_per_second: window > 0 ? round((rec.authorized / window) * 1000) : 0,
    errors,
    error_kinds: Object.fromEntries(rec.errors),
    retried_with_same_key: rec.retried,
    recovered_by_retry: rec.recovered,
    error_samples: rec.errorSamples,
    latency_ms: percentiles(rec.createMs),
    capture_latency_ms: percentiles(rec.captureMs),
    flow_latency_ms: percentiles(rec.flowMs),
    overhead_ms: percentiles(rec.overheadMs),
    capture_overhead_ms: percentiles(rec.captureOverheadMs),
    server_total_ms: percentiles(rec.serverTotalMs),
    partner_ms: percentiles(rec.partnerMs),
    queue_ms: percentiles(rec.queueMs),
  };
}

// ---- one latency ----------------------------------------------------------------------------------

interface LatencyResult {
  latency: string;
  merchants: number;
  warmup: StepFigures;
  /** Closed loop at concurrency 1: no queueing anywhere. */
  unloaded: StepFigures;
  open_loop: {
    steps: StepFigures[];
    last_healthy: StepFigures | null;
    broke_at: StepFigures | null;
    max_healthy_rate: number;
  };
  /** The open-loop step at half the target rate (125/s), or the highest healthy step below it. */
  at_half_target: StepFigures | null;
  /** The healthy step closest to half the measured capacity (max_healthy_rate / 2). */
  at_half_capacity: StepFigures | null;
  closed_loop: StepFigures;
  reconciliation: Reconciliation;
  /** Bytes per payment per table after the load (heap + indexes + TOAST). */
  table_sizes: Awaited<ReturnType<typeof tableSizes>>;
  direct: DirectResult | null;
  server_timing_partner_reported: boolean;
  explain: ExplainResult[];
}

interface DirectResult {
  payments_per_second: number;
  payments: number;
  errors: number;
  error_samples: string[];
  concurrency: number;
  duration_s: number;
  latency_ms: Percentiles;
  connect_authorize_ms: Percentiles;
  paytronix_redeem_ms: Percentiles;
  client_cpu_s: number;
}

const log = (...parts: unknown[]) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...parts);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function runDirect(
  stack: BenchStack,
  concurrency: number,
  seconds: number,
): Promise<DirectResult | null> {
  const tsNode = require.resolve('ts-node/dist/bin.js');
  const arg = JSON.stringify({
    connect: stack.simUrls.connect,
    paytronix: stack.simUrls.paytronix,
    concurrency,
    durationMs: seconds * 1000,
  });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsNode, 'bench/direct.ts', arg], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as DirectResult);
      } catch {
        log(`direct reference failed (${code}): ${err.slice(-500)}`);
        resolve(null);
      }
    });
  });
}

/** Waits until the outbox is empty and no partner job is waiting or active (everything settled). */
async function quiesce(db: Client, redisUrl: string, prefix: string, timeoutMs = 30_000): Promise<void> {
  const Redis = (await import('ioredis')).default;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const outbox = Number(
        (await db.query<{ n: string }>('SELECT count(*)::text AS n FROM outbox')).rows[0].n,
      );
      let busy = 0;
      for (const queue of ['partner-connect', 'partner-paytronix']) {
        busy += await redis.llen(`${prefix}:${queue}:wait`);
        busy += await redis.llen(`${prefix}:${queue}:active`);
        busy += await redis.zcard(`${prefix}:${queue}:prioritized`);
      }
      if (outbox === 0 && busy === 0) return;
      await sleep(250);
    }
  } finally {
    redis.disconnect();
  }
}

async function runLatency(
  options: Options,
  runId: string,
  latency: string,
  profileDir: string,
): Promise<{
  result: LatencyResult;
  profileWindows: Window[];
  databaseUrl: string;
}> {
  const databaseUrl = `postgresql://postgres@127.0.0.1:5432/${options.database}`;
  const prefix = `bench-${runId}-l${latency.replace(/[^0-9a-z]/gi, '_')}`;
  log(`latency ${latency} ms: recreating ${options.database}, Redis prefix ${prefix}`);
  await recreateDatabase(databaseUrl);
  await dropPrefix(options.redisUrl, prefix);
  const env: Record<string, string> = {};
  if (options.pool) env.DATABASE_POOL_SIZE = String(options.pool);
  if (options.partnerConcurrency) env.PARTNER_CONCURRENCY = String(options.partnerConcurrency);
  const stack = new BenchStack({
    databaseUrl,
    redisUrl: options.redisUrl,
    queuePrefix: prefix,
    latency,
    apiProcs: options.apiProcs,
    workerProcs: options.workerProcs,
    profile: options.profile,
    profileDir: path.join(profileDir, `latency-${latency}`),
    logDir: path.join(ROOT, 'bench', 'results', 'logs', runId, `latency-${latency}`),
    env,
  });
  const admin = new Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  const db = new Client({ connectionString: databaseUrl });
  const profileWindows: Window[] = [];
  const hot = new Map<string, HotStatement>();
  let hotPayments = 0;
  try {
    const t0 = performance.now();
    await stack.start();
    log(
      `stack up in ${round((performance.now() - t0) / 1000)} s: api ${stack.apiUrl}, ${options.workerProcs} worker(s), simulators`,
    );
    await db.connect();
    const merchants = await provisionMerchants(stack, options.merchants, `${runId}-${latency}`);
    log(`${merchants.length} merchants provisioned`);
    const giftInitial = await giftCardBalanceCents(stack.simUrls.paytronix);
    const ctx: LoadContext = {
      apiUrl: stack.apiUrl,
      runId: `${runId}-${latency}`,
      merchants,
      succeeded: [],
      timelineEvery: 7,
      capture: true,
      seq: 0,
    };

    // Warm-up: JIT, connection pools, partner-account caches.
    const warm = await closedLoop(ctx, 8, options.quick ? 2500 : 5000);
    const warmup = figures(warm.rec, warm.durationMs, 'warmup');
    log(
      `warm-up: ${warmup.authorized} payments, ${warmup.errors} errors` +
        (warmup.errors
          ? ` (${Object.keys(warmup.error_kinds).join(', ')}; ${warmup.recovered_by_retry} recovered by a retry with the same key)`
          : '') +
        `, p50 ${warmup.latency_ms.p50} ms`,
    );

    const measure = async (
      run: () => Promise<{ rec: StepRecorder; durationMs: number }>,
      mode: StepFigures['mode'],
      extra: Partial<StepFigures>,
    ): Promise<StepFigures> => {
      const tablesBefore = await tableStats(db);
      const statsBefore = await stack.stats();
      const cpuBefore = await cpuSnapshot(admin, options.database);
      const windowStart = monotonicUs();
      const { rec, durationMs } = await run();
      const windowEnd = monotonicUs();
      const cpuAfter = await cpuSnapshot(admin, options.database);
      const statsAfter = await stack.stats();
      profileWindows.push([windowStart, windowEnd]);
      const f = {
        ...figures(rec, durationMs, mode),
        ...extra,
        monotonic_window_us: [windowStart, windowEnd] as Window,
      };
      f.cost = costOf(statsBefore, statsAfter, cpuDelta(cpuBefore, cpuAfter), rec.authorized, true, hot);
      // Backends flush their table statistics about once a second.
      await sleep(1100);
      f.cost.postgres_writes_per_payment = writesPerPayment(
        tablesBefore,
        await tableStats(db),
        rec.authorized,
      );
      hotPayments += rec.authorized;
      f.timeline = await breakdown(options.redisUrl, prefix, rec.timeline.slice(0, 400));
      if (!stack.alive()) {
        f.errors += 1;
        f.error_kinds.process_died = 1;
      }
      return f;
    };

    // One payment at a time: the critical path without any queueing (best-case latency and overhead).
    const unloaded = await measure(() => closedLoop(ctx, 1, options.quick ? 3000 : 6000), 'closed', {
      concurrency: 1,
    });
    log(
      `one at a time → ${unloaded.payments_per_second}/s  create p50 ${unloaded.latency_ms.p50} p99 ${unloaded.latency_ms.p99} ms  ` +
        `overhead p50 ${unloaded.overhead_ms.p50} p99 ${unloaded.overhead_ms.p99} ms  partner p50 ${unloaded.partner_ms.p50} ms  ` +
        `queries/payment ${JSON.stringify(unloaded.cost?.queries_per_payment)}`,
    );
    await quiesce(db, options.redisUrl, prefix, 10_000);

    // Open loop: step the arrival rate up until a step breaks.
    const steps: StepFigures[] = [];
    let lastHealthy: StepFigures | null = null;
    let brokeAt: StepFigures | null = null;
    for (const rate of options.steps) {
      const f = await measure(
        async () => {
          const r = await openLoop(ctx, rate, options.stepSeconds * 1000);
          return { rec: r.rec, durationMs: r.durationMs };
        },
        'open',
        { target_rate: rate },
      );
      const why: string[] = [];
      if (f.errors > 0) why.push(`${f.errors} errors`);
      if (f.latency_ms.p99 > options.p99BoundMs)
        why.push(`p99 ${f.latency_ms.p99} ms > ${options.p99BoundMs} ms`);
      // Under 95 % of the asked rate, arrivals are queuing up: the stack is past its capacity.
      if (f.payments_per_second < 0.95 * rate)
        why.push(`achieved ${f.payments_per_second}/s < 95 % of ${rate}/s`);
      f.healthy = why.length === 0;
      f.broken_because = why;
      steps.push(f);
      log(
        `open ${String(rate).padStart(4)}/s → ${String(f.payments_per_second).padStart(6)}/s  ` +
          `create p50 ${f.latency_ms.p50} p95 ${f.latency_ms.p95} p99 ${f.latency_ms.p99} ms  ` +
          `overhead p50 ${f.overhead_ms.p50} p99 ${f.overhead_ms.p99} ms  errors ${f.errors}  ` +
          `queries/payment ${JSON.stringify(f.cost?.queries_per_payment)}  others' load ${f.cost?.others_busy_cores} cores, steal ${f.cost?.steal_cores}  ` +
          `${f.healthy ? 'ok' : 'BROKEN: ' + why.join(', ')}`,
      );
      if (!f.healthy) {
        brokeAt = f;
        break;
      }
      lastHealthy = f;
      await quiesce(db, options.redisUrl, prefix, 10_000);
    }
    await quiesce(db, options.redisUrl, prefix, 30_000);

    // Closed loop: fixed concurrency.
    const closed = await measure(
      () => closedLoop(ctx, options.closedConcurrency, options.closedSeconds * 1000),
      'closed',
      { concurrency: options.closedConcurrency },
    );
    log(
      `closed ${options.closedConcurrency} → ${closed.payments_per_second}/s  create p50 ${closed.latency_ms.p50} ` +
        `p99 ${closed.latency_ms.p99} ms  overhead p50 ${closed.overhead_ms.p50} p99 ${closed.overhead_ms.p99} ms  errors ${closed.errors}`,
    );
    await quiesce(db, options.redisUrl, prefix, 30_000);

    // Reconciliation: the store and the simulators' books against what the generator saw.
    const attempted =
      warmup.attempted + unloaded.attempted + steps.reduce((n, s) => n + s.attempted, 0) + closed.attempted;
    const reconciliation = await reconcile(db, stack.simUrls, ctx.succeeded, attempted, giftInitial);
    log(
      `reconciliation: ${reconciliation.checked} payments checked, ${reconciliation.mismatches} mismatches` +
        (reconciliation.samples.length ? `\n  ${reconciliation.samples.slice(0, 5).join('\n  ')}` : ''),
    );

    const sizes = await tableSizes(db, ctx.succeeded.length);

    // The same partner calls without Tender, at the closed loop's concurrency.
    const direct = await runDirect(stack, options.closedConcurrency, options.directSeconds);
    if (direct) {
      log(
        `direct (no orchestrator) at ${direct.concurrency}: ${direct.payments_per_second}/s, p50 ${direct.latency_ms.p50} ` +
          `p99 ${direct.latency_ms.p99} ms (card ${direct.connect_authorize_ms.p50} + gift card ${direct.paytronix_redeem_ms.p50} ms p50), errors ${direct.errors}`,
      );
    }

    // EXPLAIN ANALYZE of the statements run most often per payment (over every measured step).
    const hottest = [...hot.values()]
      .map((h) => ({ ...h, per_payment: hotPayments ? round(h.count / hotPayments, 2) : 0 }))
      .sort((x, y) => y.per_payment - x.per_payment);
    const explain = await explainHot(db, hottest, 25);
    const seqScans = explain.filter((e) => e.seq_scans.length);
    log(
      `EXPLAIN ANALYZE of ${explain.length} hot statements: slowest ${Math.max(0, ...explain.map((e) => e.execution_ms ?? 0)).toFixed(2)} ms` +
        (seqScans.length
          ? `, sequential scans: ${seqScans.map((e) => e.seq_scans.join('/')).join(', ')}`
          : ', no sequential scan'),
    );

    const atHalf =
      steps.find((s) => s.target_rate === options.overheadRate && s.healthy) ??
      [...steps].reverse().find((s) => s.healthy && (s.target_rate ?? 0) <= options.overheadRate) ??
      null;
    const healthy = steps.filter((s) => s.healthy);
    const half = (lastHealthy?.payments_per_second ?? 0) / 2;
    const atHalfCapacity =
      healthy.length === 0
        ? null
        : healthy.reduce((best, s) =>
            Math.abs((s.target_rate ?? 0) - half) < Math.abs((best.target_rate ?? 0) - half) ? s : best,
          );
    const partnerReported = [...steps, closed].some((s) => s.partner_ms.max > 0);
    return {
      result: {
        latency,
        merchants: merchants.length,
        warmup,
        unloaded,
        open_loop: {
          steps,
          last_healthy: lastHealthy,
          broke_at: brokeAt,
          max_healthy_rate: lastHealthy?.payments_per_second ?? 0,
        },
        at_half_target: atHalf,
        at_half_capacity: atHalfCapacity,
        closed_loop: closed,
        reconciliation,
        table_sizes: sizes,
        direct,
        server_timing_partner_reported: partnerReported,
        explain,
      },
      profileWindows,
      databaseUrl,
    };
  } finally {
    await stack.stop().catch((error: Error) => log(`stop: ${error.message}`));
    await db.end().catch(() => undefined);
    await admin.end().catch(() => undefined);
    await dropPrefix(options.redisUrl, prefix).catch(() => undefined);
  }
}

// ---- machine ------------------------------------------------------------------------------------

function machine() {
  const cpus = os.cpus();
  const version = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  return {
    cpu_model: cpus[0]?.model ?? null,
    cpu_count: cpus.length,
    cpu_mhz: cpus[0]?.speed ?? null,
    cpus: cpus.map((c) => ({ model: c.model, speed: c.speed })),
    memory_total_gib: round(os.totalmem() / 2 ** 30, 1),
    memory_free_gib: round(os.freemem() / 2 ** 30, 1),
    load_average_at_start: os.loadavg().map((n) => round(n, 2)),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    postgres: version('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-tAc', 'SHOW server_version']),
    redis:
      version('redis-cli', ['-h', '127.0.0.1', 'INFO', 'server'])?.match(/redis_version:(\S+)/)?.[1] ?? null,
  };
}

// ---- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  const runId = started
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\..*/, '')
    .replace('T', '-')
    .toLowerCase();
  const resultsDir = path.join(ROOT, 'bench', 'results');
  const profileDir = path.join(resultsDir, 'profiles', runId);
  const runsDir = path.join(resultsDir, 'runs');
  fs.mkdirSync(runsDir, { recursive: true });
  const command = `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
  log(`${command}  (run ${runId})`);
  const host = machine();
  log(
    `machine: ${host.cpu_count} × ${host.cpu_model}, ${host.memory_total_gib} GiB, node ${host.node}, load ${JSON.stringify(host.load_average_at_start)}`,
  );

  const byLatency: Record<string, LatencyResult> = {};
  const profiles: Record<string, ProfileSummary[]> = {};
  let lastDb = '';
  for (const latency of options.latencies) {
    const { result, profileWindows, databaseUrl } = await runLatency(options, runId, latency, profileDir);
    byLatency[latency] = result;
    lastDb = databaseUrl;
    if (options.profile) {
      const files = findProfiles(path.join(profileDir, `latency-${latency}`));
      profiles[latency] = files.map((f) => summarizeProfile(f, profileWindows, ROOT));
      for (const p of profiles[latency]) {
        log(
          `profile ${p.file}: busy ${round(p.sampled_ms - p.idle_ms)} ms of ${p.sampled_ms} ms in the load windows; top packages ` +
            p.by_package
              .slice(0, 6)
              .map((x) => `${x.name} ${x.pct}%`)
              .join(', '),
        );
      }
    }
  }
  log(`Postgres write floor: ${options.floorConcurrency} connections, ${options.floorSeconds} s`);
  const floor: PgFloor = await pgFloor(lastDb, options.floorConcurrency, options.floorSeconds * 1000);
  log(
    `floor: ${floor.payments_per_second} payments/s (${floor.rows_per_second} rows/s), p50 ${floor.latency_ms.p50} ms`,
  );

  // Headline figures: the first latency (0 ms unless told otherwise).
  const head = byLatency[options.latencies[0]];
  const atHalf = head.at_half_target;
  const allMeasured = Object.values(byLatency).flatMap((r) => [
    ...r.open_loop.steps.filter((s) => s.healthy),
    r.closed_loop,
  ]);
  const errors = allMeasured.reduce((n, s) => n + s.errors, 0);
  const warmupErrors = Object.values(byLatency).reduce((n, r) => n + r.warmup.errors, 0);
  const errorsAtBreak = Object.values(byLatency).reduce((n, r) => n + (r.open_loop.broke_at?.errors ?? 0), 0);
  const reconciliationChecked = Object.values(byLatency).reduce((n, r) => n + r.reconciliation.checked, 0);
  const reconciliationMismatches = Object.values(byLatency).reduce(
    (n, r) => n + r.reconciliation.mismatches,
    0,
  );
  const pick = (p: Percentiles | undefined) => (p ? { p50: p.p50, p95: p.p95, p99: p.p99 } : null);
  const partnerReported = Object.values(byLatency).every((r) => r.server_timing_partner_reported);
  const directHead = head.direct;
  const paymentsPerSecond = head.open_loop.max_healthy_rate;

  const result = {
    timestamp: started.toISOString(),
    run_id: runId,
    command,
    mode: options.quick ? 'quick' : 'full',
    machine: host,
    config: {
      latencies_ms: options.latencies,
      open_loop_steps: options.steps,
      step_seconds: options.stepSeconds,
      closed_loop: { concurrency: options.closedConcurrency, seconds: options.closedSeconds },
      merchants: options.merchants,
      p99_bound_ms: options.p99BoundMs,
      api_processes: options.apiProcs,
      worker_processes: options.workerProcs,
      database_pool_size: options.pool ?? 10,
      partner_concurrency: options.partnerConcurrency ?? 32,
      api_wait_for_outcome_ms: 10000,
      log_level: 'warn',
      profile: options.profile,
      payment:
        'two tenders: Paytronix gift card 6000000000010000 + Connect card connect-approve, MANUAL capture, then a full capture',
    },
    // Headline (first latency, normally 0 ms):
    payments_per_second: paymentsPerSecond,
    closed_loop_payments_per_second: head.closed_loop.payments_per_second,
    overhead_ms: pick(atHalf?.overhead_ms),
    overhead_measured_at_rate: atHalf?.target_rate ?? null,
    overhead_at_half_capacity_ms: pick(head.at_half_capacity?.overhead_ms),
    unloaded: {
      latency_ms: pick(head.unloaded.latency_ms),
      overhead_ms: pick(head.unloaded.overhead_ms),
      partner_ms: pick(head.unloaded.partner_ms),
      capture_latency_ms: pick(head.unloaded.capture_latency_ms),
      timeline: head.unloaded.timeline ?? null,
    },
    half_capacity_rate: head.at_half_capacity?.target_rate ?? null,
    latency_ms: pick(atHalf?.latency_ms),
    capture_latency_ms: pick(atHalf?.capture_latency_ms),
    queue_wait_ms: pick(atHalf?.timeline?.queue_wait_ms),
    partner_latency_ms: {
      server_timing: pick(atHalf?.partner_ms),
      server_timing_reports_partner_time: partnerReported,
      direct_connect_authorize: pick(directHead?.connect_authorize_ms),
      direct_paytronix_redeem: pick(directHead?.paytronix_redeem_ms),
      direct_both_sequential: pick(directHead?.latency_ms),
    },
    /** Create-payment latency minus the direct sequential partner path (p50): Tender's added time, estimated without Server-Timing. */
    overhead_vs_direct_ms:
      atHalf && directHead
        ? {
            p50: round(atHalf.latency_ms.p50 - directHead.latency_ms.p50),
            p95: round(atHalf.latency_ms.p95 - directHead.latency_ms.p50),
            p99: round(atHalf.latency_ms.p99 - directHead.latency_ms.p50),
          }
        : null,
    errors,
    errors_in_breaking_steps: errorsAtBreak,
    /** Errors of the first requests after the stack started (warm-up), kept apart: see error_samples there. */
    errors_during_warmup: warmupErrors,
    reconciliation: { checked: reconciliationChecked, mismatches: reconciliationMismatches },
    direct_payments_per_second: directHead?.payments_per_second ?? null,
    postgres_floor: floor,
    cost_per_payment: atHalf?.cost ?? null,
    table_bytes_per_payment: head.table_sizes,
    targets: {
      payments_per_second: {
        target: `>= ${TARGETS.payments_per_second}`,
        measured: paymentsPerSecond,
        met: paymentsPerSecond >= TARGETS.payments_per_second,
      },
      overhead_p50_ms: {
        target: `<= ${TARGETS.overhead_p50_ms} at ${options.overheadRate}/s`,
        measured: atHalf?.overhead_ms.p50 ?? null,
        measured_at_rate: atHalf?.target_rate ?? null,
        met: atHalf
          ? atHalf.target_rate === options.overheadRate && atHalf.overhead_ms.p50 <= TARGETS.overhead_p50_ms
          : false,
      },
      overhead_p99_ms: {
        target: `<= ${TARGETS.overhead_p99_ms} at ${options.overheadRate}/s`,
        measured: atHalf?.overhead_ms.p99 ?? null,
        measured_at_rate: atHalf?.target_rate ?? null,
        met: atHalf
          ? atHalf.target_rate === options.overheadRate && atHalf.overhead_ms.p99 <= TARGETS.overhead_p99_ms
          : false,
      },
      errors: { target: 0, measured: errors, met: errors === 0 },
      reconciliation: {
        target: '0 mismatches',
        measured: reconciliationMismatches,
        met: reconciliationMismatches === 0,
      },
    },
    by_latency: byLatency,
    profiles: options.profile ? profiles : undefined,
    finished_at: new Date().toISOString(),
  };

  const name = `${runId}${options.label ? '-' + options.label.replace(/[^\w-]/g, '_') : ''}.json`;
  fs.writeFileSync(path.join(runsDir, name), JSON.stringify(result, null, 2) + '\n');
  fs.writeFileSync(path.join(resultsDir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  appendHistory(path.join(resultsDir, 'history.jsonl'), result, name);
  if (options.profile)
    fs.writeFileSync(path.join(profileDir, 'summary.json'), JSON.stringify(profiles, null, 2) + '\n');
  if (options.writeMd) writeBenchmarksMd(path.join(ROOT, 'BENCHMARKS.md'), result, name);
  printSummary(result);
  log(
    `results: bench/results/runs/${name}, latest.json, a line in history.jsonl${options.writeMd ? ', table in BENCHMARKS.md' : ''}`,
  );
}

function printSummary(r: ReturnType<typeof JSON.parse>): void {
  const lines: string[] = [];
  const t = r.targets;
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  lines.push('');
  lines.push(
    `Tender benchmark (${r.mode}) — ${r.machine.cpu_count} × ${r.machine.cpu_model}, node ${r.machine.node}`,
  );
  lines.push(
    `  authorized two-tender payments/s (open loop, last healthy step, ${r.config.latencies_ms[0]} ms partners): ${r.payments_per_second}   target >= 250: ${mark(t.payments_per_second.met)}`,
  );
  lines.push(`  closed loop at ${r.config.closed_loop.concurrency}: ${r.closed_loop_payments_per_second}/s`);
  lines.push(
    `  one payment at a time: create p50/p95/p99 ${fmt(r.unloaded.latency_ms)} ms, overhead ${fmt(r.unloaded.overhead_ms)} ms, partner ${fmt(r.unloaded.partner_ms)} ms`,
  );
  lines.push(
    `  at ${r.overhead_measured_at_rate}/s: create latency p50/p95/p99 ${fmt(r.latency_ms)} ms, Tender overhead (Server-Timing) ${fmt(r.overhead_ms)} ms   targets p50 <= 10: ${mark(t.overhead_p50_ms.met)}, p99 <= 40: ${mark(t.overhead_p99_ms.met)}`,
  );
  if (r.overhead_measured_at_rate !== null && r.overhead_measured_at_rate < 125)
    lines.push(
      `  (125/s, half the target, is beyond this stack's capacity here: figures above are at ${r.overhead_measured_at_rate}/s; at half the measured capacity, ${r.half_capacity_rate}/s, overhead ${fmt(r.overhead_at_half_capacity_ms)} ms)`,
    );
  if (r.overhead_vs_direct_ms)
    lines.push(
      `  overhead vs direct partner path (latency − direct p50): ${fmt(r.overhead_vs_direct_ms)} ms`,
    );
  lines.push(
    `  queue wait ${fmt(r.queue_wait_ms)} ms; partner (Server-Timing) ${fmt(r.partner_latency_ms.server_timing)} ms; direct card ${fmt(r.partner_latency_ms.direct_connect_authorize)} + gift card ${fmt(r.partner_latency_ms.direct_paytronix_redeem)} ms`,
  );
  if (!r.partner_latency_ms.server_timing_reports_partner_time)
    lines.push(
      '  WARNING: Server-Timing reported partner;dur=0 throughout: its tender;dur then includes partner time.',
    );
  lines.push(
    `  errors ${r.errors} (in breaking steps: ${r.errors_in_breaking_steps}, during warm-up: ${r.errors_during_warmup}); reconciliation ${r.reconciliation.checked} checked, ${r.reconciliation.mismatches} mismatches`,
  );
  lines.push(
    `  direct (no orchestrator): ${r.direct_payments_per_second}/s; Postgres floor ${r.postgres_floor.payments_per_second} payments/s (${r.postgres_floor.rows_per_second} rows/s)`,
  );
  if (r.cost_per_payment) {
    lines.push(
      `  per payment: queries ${JSON.stringify(r.cost_per_payment.queries_per_payment)}, CPU ms ${JSON.stringify(r.cost_per_payment.cpu_ms_per_payment)}`,
    );
  }
  for (const [latency, l] of Object.entries<LatencyResult>(r.by_latency)) {
    lines.push(`  latency ${latency} ms:`);
    lines.push(
      `    one at a time: p50 ${l.unloaded.latency_ms.p50} p99 ${l.unloaded.latency_ms.p99} ms  overhead p50 ${l.unloaded.overhead_ms.p50} p99 ${l.unloaded.overhead_ms.p99}  partner p50 ${l.unloaded.partner_ms.p50}`,
    );
    for (const s of l.open_loop.steps) {
      lines.push(
        `    open ${String(s.target_rate).padStart(4)}/s → ${String(s.payments_per_second).padStart(6)}/s  p50 ${s.latency_ms.p50} p99 ${s.latency_ms.p99} ms  overhead p50 ${s.overhead_ms.p50} p99 ${s.overhead_ms.p99}  queue p50 ${s.timeline?.queue_wait_ms.p50 ?? '-'}  err ${s.errors}${s.healthy ? '' : '  BROKEN (' + (s.broken_because ?? []).join(', ') + ')'}`,
      );
    }
    const c = l.closed_loop;
    lines.push(
      `    closed ${c.concurrency} → ${c.payments_per_second}/s  p50 ${c.latency_ms.p50} p99 ${c.latency_ms.p99} ms  overhead p50 ${c.overhead_ms.p50} p99 ${c.overhead_ms.p99}  err ${c.errors}`,
    );
    if (l.direct)
      lines.push(
        `    direct ${l.direct.payments_per_second}/s  p50 ${l.direct.latency_ms.p50} p99 ${l.direct.latency_ms.p99} ms`,
      );
    lines.push(
      `    reconciliation ${l.reconciliation.checked} checked, ${l.reconciliation.mismatches} mismatches`,
    );
  }
  console.log(lines.join('\n'));
}

function fmt(p: { p50: number; p95: number; p99: number } | null | undefined): string {
  return p ? `${p.p50}/${p.p95}/${p.p99}` : '-';
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
