import { useEffect, useState } from 'preact/hooks';
import { api } from './api';

interface Home {
  since: string;
  payments_per_minute: Array<{ minute: string; payments: number }>;
  authorization_rates: Array<{ partner: string; authorized: number; decided: number; rate: number | null }>;
}

/** Payments per minute (an SVG bar per minute of the last hour) and the authorization rate per partner. */
export function HomePage() {
  const [home, setHome] = useState<Home | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api.get<Home>('/home').then(setHome, (e: Error) => setError(e.message));
  }, []);
  if (error) return <p class="error">{error}</p>;
  if (!home) return <p class="loading">Loading…</p>;
  const since = Date.parse(home.since);
  const max = Math.max(1, ...home.payments_per_minute.map((m) => m.payments));
  const total = home.payments_per_minute.reduce((sum, m) => sum + m.payments, 0);
  return (
    <section data-testid="home">
      <h1>Last hour</h1>
      <h2>Payments per minute ({total} in all)</h2>
      <svg
        class="chart"
        viewBox="0 0 600 120"
        preserveAspectRatio="none"
        role="img"
        aria-label="payments per minute"
      >
        {home.payments_per_minute.map((m) => {
          const x = Math.floor((Date.parse(m.minute) - since) / 60_000) * 10;
          const height = (m.payments / max) * 110;
          return (
            <rect key={m.minute} x={Math.max(0, x)} y={120 - height} width={8} height={height} class="bar">
              <title>{`${m.minute}: ${m.payments}`}</title>
            </rect>
          );
        })}
      </svg>
      <h2>Authorization rate per partner</h2>
      <table>
        <thead>
          <tr>
            <th>Partner</th>
            <th>Authorized</th>
            <th>Decided</th>
            <th>Rate</th>
          </tr>
        </thead>
        <tbody>
          {home.authorization_rates.map((r) => (
            <tr key={r.partner} data-testid="authorization-rate">
              <td>{r.partner}</td>
              <td>{r.authorized}</td>
              <td>{r.decided}</td>
              <td>{r.rate === null ? '—' : `${(r.rate * 100).toFixed(1)} %`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
