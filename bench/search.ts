/**
 * `npm run bench:search`: payment search (GET /v2/payments) on 1,000,000 payments.
 *
 * 1. Drops and recreates its own database `tender_search_bench` (only that one), migrates it.
 * 2. Bulk-loads, in SQL (generate_series): 50 entities of very different sizes, 1M payments over 180
 *    days (statuses, amounts, order references spread as below), their tenders (Connect, Purse, and a
 *    Paytronix gift card in front of a card for 10 %) and a capture for half the authorized ones.
 * 3. EXPLAIN (ANALYZE, BUFFERS) of the search statement, exactly as searchPayments builds it, for each
 *    filter on the largest entity (the worst case), then the page's aggregate read.
 * 4. p50/p95 of the endpoint over a few hundred sequential HTTP requests to a real API app
 *    (createApiApp) on that database.
 *
 * Figures go to stdout and bench/results/search.md. Options: PAYMENTS=1000000 (fewer for a quick look).
 */
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { Client } from 'pg';
import { loadConfig } from '@tender/config';
import {
  createPrismaClient,
  encodeCursor,
  searchPayments,
  type PaymentSearchQuery,
  loadPayments,
  type Sql,
} from '@tender/persistence';
import { ensureDatabase, migrate } from '../libs/persistence/src/migrations';
import { createApiApp } from '../apps/api/src/app';
import { createClient } from '../apps/cli/src/provisioning';
import { percentiles } from './lib/stats';

const ROOT = path.join(__dirname, '..');
const DATABASE = 'tender_search_bench';
const SERVER_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
const DATABASE_URL = `${SERVER_URL}/${DATABASE}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PAYMENTS = Number(process.env.PAYMENTS ?? 1_000_000);
const ENTITIES = 50;
const REQUESTS_PER_FILTER = 40;

const out: string[] = [];
function say(line = ''): void {
  console.log(line);
  out.push(line);
}

async function recreateDatabase(): Promise<void> {
  const admin = new Client({ connectionString: `${SERVER_URL}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await ensureDatabase(DATABASE_URL);
  await migrate({
    databaseUrl: DATABASE_URL,
    migrationsDir: path.join(ROOT, 'prisma', 'migrations'),
    log: () => undefined,
  });
}

/**
 * The data. Entity k (0–49) gets a share of payments falling with k (entity 0 ≈ 14 %, i.e. 140k).
 * Statuses: 80 % AUTHORIZED, 12 % REFUSED, 4 % CANCELLED, 3.5 % PENDING, 0.5 % PENDING_FRAUD_APPROVAL.
 * Amounts: 30 % one of six round prices, the rest 1.00–500.00. Order references: ORD-<n>, one in ten
 * shared by two payments (a retried order), 5 % none.
 */
async function load(db: Client): Promise<void> {
  await db.query(`SET synchronous_commit = off`);
  await db.query(
    `INSERT INTO entity (id, name) SELECT gen_random_uuid(), 'bench-' || k FROM generate_series(0, $1::int - 1) k`,
    [ENTITIES],
  );
  await db.query(
    `CREATE TEMP TABLE e AS SELECT row_number() OVER (ORDER BY name COLLATE "C") - 1 AS k, id FROM entity`,
  );
  await db.query(`CREATE UNIQUE INDEX ON e (k)`);
  // Names sort as bench-0, bench-1, bench-10…: k is an arbitrary but fixed numbering, which is all we need.
  await db.query(
    `INSERT INTO payment (id, entity_id, amount, currency, capture_mode, status, order_reference, version,
                          created_at, updated_at)
     SELECT gen_random_uuid(), (SELECT id FROM e WHERE e.k = g.k), g.amount, 'EUR',
            CASE WHEN g.r1 < 0.7 THEN 'MANUAL' ELSE 'AUTOMATIC' END,
            CASE WHEN g.r2 < 0.80 THEN 'AUTHORIZED' WHEN g.r2 < 0.92 THEN 'REFUSED' WHEN g.r2 < 0.96 THEN 'CANCELLED'
                 WHEN g.r2 < 0.995 THEN 'PENDING' ELSE 'PENDING_FRAUD_APPROVAL' END,
            CASE WHEN g.r3 < 0.05 THEN NULL ELSE 'ORD-' || lpad(floor(g.i * 0.9)::text, 8, '0') END,
            1, g.at, g.at
       FROM (SELECT i,
                    least($2::int - 1, floor($2::int * power(random(), 2)))::int AS k,
                    CASE WHEN random() < 0.3 THEN (ARRAY[1000, 1500, 2000, 2500, 4999, 9900])[1 + floor(random() * 6)::int]
                         ELSE 100 + floor(random() * 49900)::int END AS amount,
                    random() AS r1, random() AS r2, random() AS r3,
                    date_trunc('milliseconds', now() - random() * interval '180 days') AS at
               FROM generate_series(1, $1::int) i) g`,
    [PAYMENTS, ENTITIES],
  );
  // Tenders: 10 % a Paytronix gift card (10.00 at most) then a Connect card; else one card, 35 % of them at Purse.
  // The second largest entity (bench-1) never takes gift cards: a partner filter finds none of its payments.
  const gift = `p.r < 0.10 AND p.amount > 1000 AND p.entity_id <> (SELECT id FROM entity WHERE name = 'bench-1')`;
  await db.query(
    `INSERT INTO partner_transaction (id, payment_id, position, partner, method, amount, currency, status, reference,
                                      attempts, created_at, updated_at)
     SELECT gen_random_uuid(), p.id, t.position, t.partner, t.method, t.amount, 'EUR', p.status,
            gen_random_uuid()::text, 1, p.created_at, p.created_at
       FROM (SELECT *, random() AS r FROM payment) p
      CROSS JOIN LATERAL (
        SELECT 0 AS position, 'paytronix' AS partner, 'giftcard' AS method, least(p.amount, 1000) AS amount
         WHERE ${gift}
        UNION ALL
        SELECT CASE WHEN ${gift} THEN 1 ELSE 0 END,
               CASE WHEN p.r >= 0.10 AND p.r < 0.415 THEN 'purse' ELSE 'connect' END, 'card',
               CASE WHEN ${gift} THEN p.amount - 1000 ELSE p.amount END
      ) t`,
  );
  // A capture of half the authorized payments, one leg per tender.
  await db.query(
    `CREATE TEMP TABLE captured AS
       SELECT gen_random_uuid() AS operation_id, id AS payment_id, amount, created_at + interval '1 minute' AS at
         FROM payment WHERE status = 'AUTHORIZED' AND random() < 0.5`,
  );
  await db.query(
    `INSERT INTO operation (id, payment_id, type, amount, status, triggered_by, created_at, updated_at)
     SELECT operation_id, payment_id, 'CAPTURE', amount, 'SUCCESS', 'MERCHANT', at, at FROM captured`,
  );
  await db.query(
    `INSERT INTO operation_transaction (id, operation_id, partner_transaction_id, amount, status, reference, attempts,
                                        created_at, updated_at)
     SELECT gen_random_uuid(), c.operation_id, t.id, t.amount, 'SUCCESS', gen_random_uuid()::text, 1, c.at, c.at
       FROM captured c JOIN partner_transaction t ON t.payment_id = c.payment_id`,
  );
  await db.query('VACUUM ANALYZE');
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

interface Explained {
  shape: string;
  executionMs: number;
  planningMs: number;
  hit: number;
  read: number;
}

/** One line of the plan: each node, its index and rows (× loops), children in brackets. */
function shape(node: PlanNode): string {
  const scan = node['Index Name']
    ? ` ${node['Index Name']}`
    : node['Relation Name']
      ? ` ${node['Relation Name']}`
      : '';
  const dir = node['Scan Direction'] === 'Backward' ? ' (backward)' : '';
  const rows = ` rows=${node['Actual Rows']}${(node['Actual Loops'] ?? 1) > 1 ? `×${node['Actual Loops']}` : ''}`;
  const children = node.Plans?.length ? ` [${node.Plans.map(shape).join('; ')}]` : '';
  return `${node['Node Type']}${scan}${dir}${rows}${children}`;
}

/** An Sql that EXPLAINs the statement it is given (the exact text and values) instead of running it. */
function explainer(db: Client, sink: Explained[]): Sql {
  return {
    async query(text: string, values?: unknown[]) {
      const result = await db.query<{ 'QUERY PLAN': unknown }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`,
        values,
      );
      const [plan] = result.rows[0]['QUERY PLAN'] as Array<{
        Plan: PlanNode & { 'Shared Hit Blocks': number; 'Shared Read Blocks': number };
        'Execution Time': number;
        'Planning Time': number;
      }>;
      sink.push({
        shape: shape(plan.Plan),
        executionMs: plan['Execution Time'],
        planningMs: plan['Planning Time'],
        hit: plan.Plan['Shared Hit Blocks'],
        read: plan.Plan['Shared Read Blocks'],
      });
      return [];
    },
  };
}

interface Case {
  name: string;
  query: Omit<PaymentSearchQuery, 'limit'> & { limit?: number };
  /** The same search as GET /v2/payments parameters (undefined: not an endpoint case, e.g. the console). */
  http?: string;
}

async function main(): Promise<void> {
  const started = performance.now();
  say(`# Payment search on ${PAYMENTS.toLocaleString('en')} payments`);
  say();
  say(
    `Run: ${new Date().toISOString()}, \`npm run bench:search\` (PAYMENTS=${PAYMENTS}), database ${DATABASE}.`,
  );
  await recreateDatabase();
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const loadStart = performance.now();
  await load(db);
  const counts = (
    await db.query<{ payments: string; tenders: string; operations: string }>(
      `SELECT (SELECT count(*) FROM payment) AS payments, (SELECT count(*) FROM partner_transaction) AS tenders,
              (SELECT count(*) FROM operation) AS operations`,
    )
  ).rows[0];
  say(
    `Loaded ${counts.payments} payments, ${counts.tenders} tenders, ${counts.operations} captures in ` +
      `${((performance.now() - loadStart) / 1000).toFixed(0)} s (with VACUUM ANALYZE).`,
  );

  // The largest entity: the worst case for every entity-scoped search.
  const big = (
    await db.query<{ entity_id: string; n: string }>(
      `SELECT entity_id, count(*) AS n FROM payment GROUP BY entity_id ORDER BY n DESC LIMIT 1`,
    )
  ).rows[0];
  const entityId = big.entity_id;
  const noGift = (
    await db.query<{ id: string; n: string }>(
      `SELECT e.id, (SELECT count(*) FROM payment WHERE entity_id = e.id) AS n FROM entity e WHERE name = 'bench-1'`,
    )
  ).rows[0];
  say(`Searches run as the largest entity: ${big.n} payments.`);
  const sample = (
    await db.query<{ order_reference: string; from: Date; to: Date }>(
      `SELECT (SELECT order_reference FROM payment WHERE entity_id = $1 AND order_reference IS NOT NULL
                ORDER BY created_at LIMIT 1 OFFSET 1000) AS order_reference,
              now() - interval '97 days' AS from, now() - interval '90 days' AS to`,
      [entityId],
    )
  ).rows[0];
  const deepOffset = Math.min(50_000, Math.floor(Number(big.n) / 2));
  const deep = (
    await db.query<{ created_at: Date; id: string }>(
      `SELECT created_at, id FROM payment WHERE entity_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET $2`,
      [entityId, deepOffset],
    )
  ).rows[0];
  const deepCursor = encodeCursor({ createdAt: deep.created_at, id: deep.id });
  const from = sample.from.toISOString();
  const to = sample.to.toISOString();

  const cases: Case[] = [
    { name: 'no filter', query: { entityId }, http: '' },
    {
      name: 'status=AUTHORIZED (80 %)',
      query: { entityId, status: 'AUTHORIZED' },
      http: 'status=AUTHORIZED',
    },
    {
      name: 'status=PENDING_FRAUD_APPROVAL (0.5 %)',
      query: { entityId, status: 'PENDING_FRAUD_APPROVAL' },
      http: 'status=PENDING_FRAUD_APPROVAL',
    },
    {
      name: 'status=PENDING,PENDING_FRAUD_APPROVAL (4 %)',
      query: { entityId, status: ['PENDING', 'PENDING_FRAUD_APPROVAL'] },
      http: 'status=PENDING,PENDING_FRAUD_APPROVAL',
    },
    {
      name: 'status=REFUSED,CANCELLED',
      query: { entityId, status: ['REFUSED', 'CANCELLED'] },
      http: 'status=REFUSED,CANCELLED',
    },
    { name: 'partner=purse (~30 %)', query: { entityId, partner: 'purse' }, http: 'partner=purse' },
    {
      name: 'partner=paytronix (~10 %)',
      query: { entityId, partner: 'paytronix' },
      http: 'partner=paytronix',
    },
    {
      name: `partner=paytronix, entity that never used it (${noGift.n} payments)`,
      query: { entityId: noGift.id, partner: 'paytronix' },
      http: 'partner=paytronix',
    },
    {
      name: 'partner=acme (unknown partner, store only)',
      query: { entityId, partner: 'acme' },
    },
    {
      name: 'created 97–90 days ago',
      query: { entityId, createdFrom: sample.from, createdTo: sample.to },
      http: `created_from=${from}&created_to=${to}`,
    },
    {
      name: 'order_reference (exact)',
      query: { entityId, orderReference: sample.order_reference },
      http: `order_reference=${sample.order_reference}`,
    },
    { name: 'amount=2500 (common)', query: { entityId, amount: 2500 }, http: 'amount=2500' },
    { name: 'amount=31337 (rare)', query: { entityId, amount: 31337 }, http: 'amount=31337' },
    {
      name: 'status=AUTHORIZED & partner=purse',
      query: { entityId, status: 'AUTHORIZED', partner: 'purse' },
      http: 'status=AUTHORIZED&partner=purse',
    },
    {
      name: 'amount=2500 & partner=purse',
      query: { entityId, amount: 2500, partner: 'purse' },
      http: 'amount=2500&partner=purse',
    },
    {
      name: 'status=PENDING_FRAUD_APPROVAL & partner=paytronix',
      query: { entityId, status: 'PENDING_FRAUD_APPROVAL', partner: 'paytronix' },
      http: 'status=PENDING_FRAUD_APPROVAL&partner=paytronix',
    },
    {
      name: `deep page (cursor after ${deepOffset.toLocaleString('en')})`,
      query: { entityId, cursor: deepCursor },
      http: `cursor=${deepCursor}`,
    },
    { name: 'limit=100', query: { entityId, limit: 100 }, http: 'limit=100' },
    { name: 'console: every entity, no filter', query: {} },
    { name: 'console: every entity, partner=paytronix', query: { partner: 'paytronix' } },
    { name: 'console: every entity, order_reference', query: { orderReference: sample.order_reference } },
  ];

  say();
  say('## EXPLAIN (ANALYZE, BUFFERS) of the search statement (limit 10 unless said; 11 rows read)');
  say();
  say('| search | execution ms | planning ms | buffers hit/read | plan |');
  say('|---|---:|---:|---:|---|');
  for (const c of cases) {
    // Twice: the second run is the one reported (a warm cache, as a live API has).
    let plans: Explained[] = [];
    for (let i = 0; i < 2; i++) {
      plans = [];
      await searchPayments(explainer(db, plans), { limit: 10, ...c.query });
    }
    const p = plans[0];
    say(
      `| ${c.name} | ${p.executionMs.toFixed(2)} | ${p.planningMs.toFixed(2)} | ${p.hit}/${p.read} | ${p.shape} |`,
    );
  }
  // The page's payments, whole, in one statement (loadPayments), for a page of 10 and of 100.
  for (const size of [10, 100]) {
    const page = await searchPayments(
      { query: async (text, values) => (await db.query(text, values)).rows },
      { entityId, limit: size },
    );
    const plans: Explained[] = [];
    for (let i = 0; i < 2; i++) {
      await loadPayments(
        explainer(db, plans),
        page.payments.map((p) => p.id),
      );
    }
    const p = plans[1];
    say(
      `| page aggregates (${size} payments, loadPayments) | ${p.executionMs.toFixed(2)} | ` +
        `${p.planningMs.toFixed(2)} | ${p.hit}/${p.read} | ${p.shape.slice(0, 160)}… |`,
    );
  }

  // The endpoint, on a real API app against this database.
  const config = loadConfig({
    ...process.env,
    DATABASE_URL,
    REDIS_URL,
    QUEUE_PREFIX: `bench-search-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
  });
  const prisma = createPrismaClient(DATABASE_URL, 2);
  const api = await createApiApp(config);
  await api.listen(0, '127.0.0.1');
  const apiUrl = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
  try {
    const tokens = new Map<string, string>();
    for (const id of new Set(cases.map((c) => c.query.entityId ?? entityId))) {
      const client = await createClient(prisma, id, ['back_office']);
      const tokenResponse = await fetch(`${apiUrl}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: client.client_id,
          client_secret: client.client_secret,
        }),
      });
      tokens.set(id, ((await tokenResponse.json()) as { access_token: string }).access_token);
    }
    const get = async (c: Case): Promise<number> => {
      const query = c.http!;
      const token = tokens.get(c.query.entityId ?? entityId)!;
      const t0 = performance.now();
      const response = await fetch(`${apiUrl}/v2/payments${query ? `?${query}` : ''}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { data?: unknown[] };
      const ms = performance.now() - t0;
      if (response.status !== 200 || !Array.isArray(body.data)) {
        throw new Error(
          `GET /v2/payments?${query}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`,
        );
      }
      return ms;
    };
    const httpCases = cases.filter((c) => c.http !== undefined);
    for (const c of httpCases) await get(c); // warm-up: prepared statements, caches
    const all: number[] = [];
    const byCase = new Map<string, number[]>();
    // Interleaved, so a noisy moment on the shared machine does not land on one filter only.
    for (let round = 0; round < REQUESTS_PER_FILTER; round++) {
      for (const c of httpCases) {
        const ms = await get(c);
        all.push(ms);
        byCase.set(c.name, [...(byCase.get(c.name) ?? []), ms]);
      }
    }
    say();
    say(
      `## GET /v2/payments over HTTP (${all.length} sequential requests, createApiApp on ${DATABASE}, ` +
        'pages of 10 unless said, full payment views)',
    );
    say();
    const total = percentiles(all);
    say(`All requests: p50 ${total.p50} ms, p95 ${total.p95} ms, p99 ${total.p99} ms, max ${total.max} ms.`);
    say();
    say('| search | p50 ms | p95 ms |');
    say('|---|---:|---:|');
    for (const [name, values] of byCase) {
      const p = percentiles(values);
      say(`| ${name} | ${p.p50} | ${p.p95} |`);
    }
  } finally {
    await api.close();
    await prisma.$disconnect();
    await db.end();
  }
  say();
  say(
    `Machine: ${cpus().length} cores shared with other work; total run ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s.`,
  );
  writeFileSync(path.join(ROOT, 'bench', 'results', 'search.md'), `${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
