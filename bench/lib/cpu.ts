/**
 * CPU accounting from /proc (Linux): the whole machine, Postgres backends of our database, every
 * Postgres process (the server is shared), Redis, and this process (the load generator).
 */
import * as fs from 'node:fs';
import type { Client } from 'pg';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface MachineSample {
  busyTicks: number;
  totalTicks: number;
  /** Time the hypervisor ran something else while this VM wanted the CPU. */
  stealTicks: number;
}

export function machineSample(): MachineSample {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const steal = fields[7] ?? 0;
    const total = fields.slice(0, 8).reduce((s, v) => s + v, 0);
    return { busyTicks: total - idle - steal, totalTicks: total, stealTicks: steal };
  } catch {
    return { busyTicks: 0, totalTicks: 0, stealTicks: 0 };
  }
}

/** utime + stime of a process, in CPU seconds (0 when it is gone). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function pidsByCommand(pattern: RegExp): number[] {
  const pids: number[] = [];
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
        if (pattern.test(cmd)) pids.push(Number(entry));
      } catch {
        // gone
      }
    }
  } catch {
    // no /proc
  }
  return pids;
}

export interface CpuSnapshot {
  at: number;
  machine: MachineSample;
  ourBackends: Map<number, number>;
  allPostgres: Map<number, number>;
  redis: Map<number, number>;
  generator: number;
}

export async function cpuSnapshot(admin: Client, database: string): Promise<CpuSnapshot> {
  const backends = await admin
    .query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])
    .then((r) => r.rows.map((row) => row.pid))
    .catch(() => [] as number[]);
  const read = (pids: number[]) => new Map(pids.map((pid) => [pid, processCpuSeconds(pid)]));
  const usage = process.cpuUsage();
  return {
    at: Date.now(),
    machine: machineSample(),
    ourBackends: read(backends),
    allPostgres: read(pidsByCommand(/^postgres/)),
    redis: read(pidsByCommand(/redis-server/)),
    generator: (usage.user + usage.system) / 1e6,
  };
}

function delta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, seconds] of after) sum += seconds - (before.get(pid) ?? 0);
  return sum;
}

export interface CpuDelta {
  wall_s: number;
  machine_busy_cores: number;
  machine_steal_cores: number;
  postgres_our_backends_s: number;
  postgres_all_s: number;
  redis_s: number;
  generator_s: number;
}

/**
 * CPU seconds between two snapshots. Backends that connected in between count from zero (their
 * whole life is in the window); backends that left are missed: the pools keep theirs open.
 */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuDelta {
  const wall = (after.at - before.at) / 1000;
  const ticks = after.machine.totalTicks - before.machine.totalTicks;
  return {
    wall_s: wall,
    machine_busy_cores:
      ticks > 0 ? ((after.machine.busyTicks - before.machine.busyTicks) / ticks) * cores() : 0,
    machine_steal_cores:
      ticks > 0 ? ((after.machine.stealTicks - before.machine.stealTicks) / ticks) * cores() : 0,
    postgres_our_backends_s: delta(before.ourBackends, after.ourBackends),
    postgres_all_s: delta(before.allPostgres, after.allPostgres),
    redis_s: delta(before.redis, after.redis),
    generator_s: after.generator - before.generator,
  };
}

export function cores(): number {
  try {
    return (
      fs
        .readFileSync('/proc/stat', 'utf8')
        .split('\n')
        .filter((l) => /^cpu\d+ /.test(l)).length || 1
    );
  } catch {
    return 1;
  }
}
