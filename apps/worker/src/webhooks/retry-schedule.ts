/**
 * Merchant webhook retries: after failed attempt n (1-based), the next attempt comes
 * `schedule[n - 1]` later, ± `jitter` (relative, uniform); once the schedule is used up the event
 * is FAILED. The default schedule (config WEBHOOK_RETRY_SCHEDULE_MS) is
 *
 *   attempt  1: at once (when the change commits)
 *   attempt  2: +5 s         attempt  6: +5 h
 *   attempt  3: +5 min       attempt  7: +10 h
 *   attempt  4: +30 min      attempt  8: +14 h
 *   attempt  5: +2 h         attempt  9: +20 h
 *                            attempt 10: +24 h   (≈ 3 days 3 h after the first), then FAILED
 *
 * each delay ± 20 % (WEBHOOK_RETRY_JITTER), so the retries of events that failed together spread out.
 */
export function retryDelayMs(
  schedule: readonly number[],
  failedAttempts: number,
  jitter: number,
  random: () => number = Math.random,
): number | undefined {
  if (failedAttempts < 1 || failedAttempts > schedule.length) return undefined;
  const base = schedule[failedAttempts - 1];
  const factor = 1 + jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base * factor));
}
