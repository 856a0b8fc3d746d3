/** What `/health/ready` says of a dependency: reachable or not, never why (no driver errors, hosts or ports). */
export type CheckStatus = 'ok' | 'down';

export interface Readiness {
  status: 'ok' | 'down';
  checks: Record<string, CheckStatus>;
}

/** The outcome of each dependency's check, reduced to ok/down; ready only when all are ok. */
export function readiness(results: Record<string, PromiseSettledResult<unknown>>): Readiness {
  const checks: Record<string, CheckStatus> = {};
  for (const [name, result] of Object.entries(results))
    checks[name] = result.status === 'fulfilled' ? 'ok' : 'down';
  return { status: Object.values(checks).every((check) => check === 'ok') ? 'ok' : 'down', checks };
}
