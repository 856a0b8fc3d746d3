/**
 * Added latency for simulated partner calls, so tests and the benchmark can model a slow partner.
 * Spec forms: "0" (none), "50" (fixed ms), "20-80" (uniform range), "normal:50:10" (mean, std dev; never < 0).
 */
export type LatencySpec =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; stdDev: number };

export function parseLatency(spec: string | undefined): LatencySpec {
  const text = (spec ?? '0').trim();
  let match = /^(\d+)$/.exec(text);
  if (match) return { kind: 'fixed', ms: Number(match[1]) };
  match = /^(\d+)-(\d+)$/.exec(text);
  if (match && Number(match[1]) <= Number(match[2])) {
    return { kind: 'uniform', min: Number(match[1]), max: Number(match[2]) };
  }
  match = /^normal:(\d+):(\d+)$/.exec(text);
  if (match) return { kind: 'normal', mean: Number(match[1]), stdDev: Number(match[2]) };
  throw new Error(`invalid latency "${text}": use "50", "20-80" or "normal:50:10"`);
}

export function sampleLatency(spec: LatencySpec, random: () => number = Math.random): number {
  switch (spec.kind) {
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return spec.min + Math.round(random() * (spec.max - spec.min));
    case 'normal': {
      // Box-Muller transform
      const u = Math.max(random(), Number.EPSILON);
      const v = random();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.max(0, Math.round(spec.mean + z * spec.stdDev));
    }
  }
}

export function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
