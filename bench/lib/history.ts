/**
 * bench/results/history.jsonl: one compact JSON line per run (the headline figures and what was run),
 * committed; the full run files go to bench/results/runs/ (git-ignored), latest.json keeps the last.
 */
import * as fs from 'node:fs';

/** The result JSON of bench/run.ts (loosely typed: this only picks from it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

/** The history line of a run; `file` is its full run file's name (label included). */
export function historyEntry(r: AnyJson, file: string): Record<string, unknown> {
  const label = file.replace(/\.json$/, '').slice(String(r.run_id).length + 1);
  const met = Object.fromEntries(
    Object.entries((r.targets ?? {}) as Record<string, { met: boolean }>).map(([k, v]) => [k, v.met]),
  );
  return {
    run_id: r.run_id,
    ...(label ? { label } : {}),
    timestamp: r.timestamp,
    command: r.command,
    mode: r.mode,
    machine: `${r.machine.cpu_count} × ${r.machine.cpu_model}, node ${r.machine.node}`,
    load_average_at_start: r.machine.load_average_at_start,
    api_processes: r.config.api_processes,
    worker_processes: r.config.worker_processes,
    payments_per_second: r.payments_per_second,
    closed_loop_payments_per_second: r.closed_loop_payments_per_second,
    overhead_ms: r.overhead_ms,
    overhead_measured_at_rate: r.overhead_measured_at_rate,
    latency_ms: r.latency_ms,
    capture_latency_ms: r.capture_latency_ms,
    cpu_ms_per_payment: r.cost_per_payment?.cpu_ms_per_payment ?? null,
    errors: r.errors,
    reconciliation_mismatches: r.reconciliation?.mismatches ?? null,
    targets_met: met,
  };
}

export function appendHistory(historyFile: string, r: AnyJson, file: string): void {
  fs.appendFileSync(historyFile, JSON.stringify(historyEntry(r, file)) + '\n');
}
