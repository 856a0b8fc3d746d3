/**
 * Loaded with `node --require` into every process the benchmark starts (API, worker, simulators).
 * It changes nothing in the application; it only observes:
 *
 * - counts Postgres round trips (every `pg` Client#query, which Prisma's pg adapter ends in) per SQL
 *   text, with their wall time, so the benchmark can say how many queries a payment costs;
 * - answers `{ cmd: 'stats' }` on the IPC channel (or from a cluster primary) with those counts, CPU
 *   time, event-loop utilization and memory;
 * - on `{ cmd: 'exit' }` (or SIGUSR2) exits with `process.exit(0)`, so `--cpu-prof` writes its profile
 *   (a process killed by a signal never writes it; Nest re-raises SIGTERM after closing).
 */
'use strict';
const { performance } = require('node:perf_hooks');

const queries = new Map();
let totalQueries = 0;
let totalQueryMs = 0;

try {
  const pg = require('pg');
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function patchedQuery(config, values, callback) {
    const text = typeof config === 'string' ? config : config && config.text;
    const params = Array.isArray(values)
      ? values
      : config && Array.isArray(config.values)
        ? config.values
        : undefined;
    const started = performance.now();
    const result = original.call(this, config, values, callback);
    const done = () => {
      const ms = performance.now() - started;
      totalQueries += 1;
      totalQueryMs += ms;
      const key = typeof text === 'string' ? text : '<unknown>';
      const entry = queries.get(key);
      if (entry) {
        entry.count += 1;
        entry.ms += ms;
      } else queries.set(key, { count: 1, ms, sample: sampleOf(params) });
    };
    if (result && typeof result.then === 'function') result.then(done, done);
    else done();
    return result;
  };
} catch {
  // no pg in this process (the simulators): nothing to count
}

/** The first parameters seen with a statement, so EXPLAIN ANALYZE can replay it (bench/lib/explain.ts). */
function sampleOf(params) {
  if (!params) return [];
  try {
    return params.map((v) =>
      v === null || v === undefined
        ? null
        : v instanceof Uint8Array
          ? null
          : typeof v === 'object'
            ? v instanceof Date
              ? v.toISOString()
              : JSON.stringify(v)
            : String(v),
    );
  } catch {
    return [];
  }
}

function stats() {
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  return {
    pid: process.pid,
    cpu_user_us: cpu.user,
    cpu_system_us: cpu.system,
    elu_idle_ms: elu.idle,
    elu_active_ms: elu.active,
    rss_bytes: process.memoryUsage().rss,
    queries: totalQueries,
    query_ms: totalQueryMs,
    by_sql: Object.fromEntries(queries),
  };
}

function exitNow() {
  process.exit(0);
}

process.on('SIGUSR2', exitNow);

const cluster = require('node:cluster');
// A cluster primary started by cluster-api.ts answers for itself and its workers; everyone else answers here.
const relayedByPrimary = process.env.BENCH_CLUSTER_PRIMARY === '1' && cluster.isPrimary;
if (typeof process.send === 'function' && !relayedByPrimary) {
  process.on('message', (message) => {
    if (!message || typeof message !== 'object') return;
    if (message.cmd === 'bench-stats') process.send({ cmd: 'bench-stats', id: message.id, stats: [stats()] });
    if (message.cmd === 'bench-exit') exitNow();
  });
  if (process.channel && typeof process.channel.unref === 'function') process.channel.unref();
}

module.exports = { stats };
