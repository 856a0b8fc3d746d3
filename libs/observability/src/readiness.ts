import { getLogger } from './logger';

/** What `/health/ready` says of a dependency: reachable or not, never why (no driver errors, hosts or ports). */
export type CheckStatus = 'ok' | 'down';

export interface Readiness {
  status: 'ok' | 'down';
  checks: Record<string, CheckStatus>;
}

/** How long a dependency may take to answer a readiness check before it counts as down. */
export const READINESS_CHECK_TIMEOUT_MS = 2000;

/** The outcome of each dependency's check, reduced to ok/down; ready only when all are ok. */
export function readiness(results: Record<string, PromiseSettledResult<unknown>>): Readiness {
  const checks: Record<string, CheckStatus> = {};
  for (const [name, result] of Object.entries(results))
    checks[name] = result.status === 'fulfilled' ? 'ok' : 'down';
  return { status: Object.values(checks).every((check) => check === 'ok') ? 'ok' : 'down', checks };
}

/**
 * Runs every dependency's check (each bounded by `timeoutMs`) and says ok or down for each. Why a
 * check failed (the driver's error) goes to the log at warn, never into the answer.
 */
export async function checkReadiness(
  checks: Record<string, () => Promise<unknown>>,
  timeoutMs = READINESS_CHECK_TIMEOUT_MS,
): Promise<Readiness> {
  const names = Object.keys(checks);
  const settled = await Promise.allSettled(names.map((name) => withTimeout(checks[name](), timeoutMs)));
  const results = Object.fromEntries(names.map((name, i) => [name, settled[i]]));
  for (const [name, result] of Object.entries(results))
    if (result.status === 'rejected')
      getLogger('health').warn({ err: result.reason, dependency: name }, 'not ready');
  return readiness(results);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
