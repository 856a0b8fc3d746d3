/**
 * Summaries of V8 `.cpuprofile` files (`node --cpu-prof`), restricted to the load windows so start-up
 * (ts-node compiling TypeScript, Nest wiring) does not drown the steady state: self time by function
 * and by package, and inclusive time of the application's own functions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  sampled_ms: number;
  idle_ms: number;
  gc_ms: number;
  by_package: Array<{ name: string; self_ms: number; pct: number }>;
  top_self: Array<{ name: string; self_ms: number; pct: number }>;
  top_inclusive_app: Array<{ name: string; total_ms: number; pct: number }>;
}

/** Monotonic windows in microseconds (process.hrtime, the clock V8 profiles use on Linux). */
export type Window = [number, number];

function packageOf(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const m = /\/(apps\/[^/]+|libs\/[^/]+|bench)\//.exec(url);
  return m ? m[1] : url.split('/').slice(-2).join('/');
}

function frameName(node: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace('file://', '').replace(root + '/', '')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where ? ' ' + where : ''}`;
}

export function summarizeProfile(file: string, windows: Window[], root: string, top = 25): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inWindow = (t: number) => windows.length === 0 || windows.some(([s, e]) => t >= s && t <= e);

  const self = new Map<number, number>();
  let t = profile.startTime;
  let sampled = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const delta = profile.timeDeltas[i + 1] ?? 0;
    if (!inWindow(t) || delta <= 0) continue;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + delta);
    sampled += delta;
  }
  const ms = (us: number) => Math.round(us / 100) / 10;

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    if (name === '(garbage collector)') gc += us;
    const key = frameName(node, root);
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = name.startsWith('(') ? name : packageOf(node.callFrame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    // Inclusive time of our own code (apps/, libs/): every distinct app frame on the stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!;
      const url = frame.callFrame.url;
      if (!/\/(apps|libs)\//.test(url) || url.includes('node_modules') || url.includes('/generated/'))
        continue;
      const k = frameName(frame, root);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const busy = sampled - idle;
  const sortDesc = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const busyPct = (us: number) => (busy ? Math.round((us / busy) * 1000) / 10 : 0);
  return {
    file: path.relative(root, file),
    sampled_ms: ms(sampled),
    idle_ms: ms(idle),
    gc_ms: ms(gc),
    by_package: sortDesc(byPackage)
      .slice(0, 20)
      .map(([name, us]) => ({ name, self_ms: ms(us), pct: busyPct(us) })),
    top_self: sortDesc(byFunction)
      .slice(0, top)
      .map(([name, us]) => ({ name, self_ms: ms(us), pct: busyPct(us) })),
    top_inclusive_app: sortDesc(inclusive)
      .slice(0, top)
      .map(([name, us]) => ({ name, total_ms: ms(us), pct: busyPct(us) })),
  };
}

export function findProfiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findProfiles(full));
    else if (entry.name.endsWith('.cpuprofile')) out.push(full);
  }
  return out;
}
