import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { ActionPanel, type Actions } from './actions';
import { duration, money, time } from './format';
import { SplitBars, type TenderSplit } from './split-bar';

interface Call {
  id: string;
  partner: string;
  method: string;
  amount: number;
  status: string;
  calls: number;
  duration_ms: number | null;
  partner_status: string | null;
  partner_status_description: string | null;
  open_reason: string | null;
  gave_up: boolean;
}

interface Entry {
  at: string;
  kind: string;
  title: string;
  status: string | null;
  amount: number | null;
  calls: Call[];
  detail: Record<string, unknown> & {
    reason?: string;
    delivery_attempts?: Array<{ attempted_at: string; response_status: number | null; duration_ms: number }>;
  };
}

export interface Detail {
  payment: {
    id: string;
    entity_id: string;
    amount: number;
    currency: string;
    order_reference?: string;
    authorization: { status: string };
  };
  amounts: Record<string, number>;
  overview: Record<string, string>;
  actions: Actions;
  tenders: TenderSplit[];
  timeline: Entry[];
  fraud_review: {
    pending: boolean;
    held_tenders: Array<{ id: string; partner: string }>;
    results: Array<{ partner: string; result: string }>;
    history: Array<{ at: string; action: string }>;
  };
}

const UNSETTLED = new Set(['PENDING', 'UNKNOWN', 'REQUIRES_ACTION']);

/** Whether something on the page is still moving (then it refreshes itself). */
const moving = (detail: Detail) =>
  detail.timeline.some(
    (e) =>
      (e.status && UNSETTLED.has(e.status)) || e.calls.some((c) => UNSETTLED.has(c.status) && !c.gave_up),
  );

export function PaymentPage({ id, canAct }: { id: string; canAct: boolean }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState('');
  const load = () =>
    void api.get<Detail>(`/payments/${id}`).then(setDetail, (e: Error) => setError(e.message));
  useEffect(() => {
    void load();
  }, [id]);
  useEffect(() => {
    if (!detail || !moving(detail)) return;
    const timer = setTimeout(() => void load(), 1000);
    return () => clearTimeout(timer);
  }, [detail]);

  if (error) return <p class="error">{error}</p>;
  if (!detail) return <p class="loading">Loading…</p>;
  const { payment, amounts, overview } = detail;
  const currency = payment.currency;
  return (
    <section class="payment">
      <h1>
        Payment {money(payment.amount, currency)}{' '}
        <span class={`status status-${payment.authorization.status}`} data-testid="payment-status">
          {payment.authorization.status}
        </span>
      </h1>
      <p class="meta">
        {payment.id} · entity {payment.entity_id}
        {payment.order_reference ? ` · order ${payment.order_reference}` : ''}
      </p>
      <div class="columns">
        <table class="amounts" data-testid="amounts">
          <tbody>
            {Object.entries(amounts).map(([name, value]) => (
              <tr key={name}>
                <th>{name}</th>
                <td class="amount" data-testid={`amount-${name}`}>
                  {money(value, currency)}
                </td>
              </tr>
            ))}
            {Object.entries(overview).map(([name, value]) => (
              <tr key={`overview-${name}`}>
                <th>overview.{name}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div>
          <h2>Split</h2>
          <SplitBars tenders={detail.tenders} currency={currency} />
        </div>
      </div>
      {canAct && (
        <ActionPanel paymentId={payment.id} currency={currency} actions={detail.actions} onDone={load} />
      )}
      <h2>Fraud review</h2>
      <p data-testid="fraud-review">
        {detail.fraud_review.pending
          ? `Held for review (${detail.fraud_review.held_tenders.map((t) => t.partner).join(', ')})`
          : 'Not held'}
        {detail.fraud_review.results.map((r) => ` · ${r.partner}: ${r.result}`).join('')}
        {detail.fraud_review.history.map((h) => ` · ${h.action} ${time(h.at)}`).join('')}
      </p>
      <h2>Timeline</h2>
      <ol class="timeline" data-testid="payment-timeline">
        {detail.timeline.map((entry, index) => (
          <li
            key={index}
            class={`entry entry-${entry.kind}`}
            data-testid="timeline-entry"
            data-kind={entry.kind}
          >
            <time>{time(entry.at)}</time> <strong>{entry.title}</strong>
            {entry.amount !== null && <span class="amount"> {money(entry.amount, currency)}</span>}
            {entry.status && <span class={`status status-${entry.status}`}> {entry.status}</span>}
            {entry.detail.reason && <span class="reason"> — “{entry.detail.reason}”</span>}
            {entry.calls.length > 0 && (
              <ul class="calls">
                {entry.calls.map((c) => (
                  <li key={c.id}>
                    {c.partner} {c.method}: {money(c.amount, currency)} →{' '}
                    <span class={`status status-${c.status}`}>{c.status}</span>
                    {c.partner_status
                      ? ` (${c.partner_status}${c.partner_status_description ? ` ${c.partner_status_description}` : ''})`
                      : ''}{' '}
                    · {c.calls} call{c.calls === 1 ? '' : 's'} · {duration(c.duration_ms)}
                    {c.open_reason ? ` · ${c.open_reason}` : ''}
                    {c.gave_up ? ' · reconciler gave up' : ''}
                  </li>
                ))}
              </ul>
            )}
            {entry.detail.delivery_attempts && entry.detail.delivery_attempts.length > 0 && (
              <ul class="calls">
                {entry.detail.delivery_attempts.map((a) => (
                  <li key={a.attempted_at}>
                    delivery {time(a.attempted_at)} → {a.response_status ?? 'no answer'} ·{' '}
                    {duration(a.duration_ms)}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
