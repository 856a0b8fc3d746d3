import { authorizationRates, paymentsPerMinute, type Sql } from '@tender/persistence';

const HOUR_MS = 3_600_000;

/** The console's home page: payments per minute and authorization rate per partner over the last hour. */
export async function homeStats(db: Sql, now = new Date()) {
  const since = new Date(now.getTime() - HOUR_MS);
  const [perMinute, rates] = await Promise.all([paymentsPerMinute(db, since), authorizationRates(db, since)]);
  return {
    since: since.toISOString(),
    payments_per_minute: perMinute.map((row) => ({
      minute: row.minute.toISOString(),
      payments: row.payments,
    })),
    authorization_rates: rates.map((row) => ({
      partner: row.partner,
      authorized: row.authorized,
      decided: row.decided,
      rate: row.decided === 0 ? null : row.authorized / row.decided,
    })),
  };
}
