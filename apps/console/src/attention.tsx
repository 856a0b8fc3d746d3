import { useEffect, useState } from 'preact/hooks';
import { api, ApiProblem } from './api';
import { money, time } from './format';

interface Outcome {
  id: string;
  kind: string;
  payment_id: string;
  partner: string;
  amount: number;
  currency: string;
  status: string;
  reason: string | null;
  checks: number;
  age_seconds: number;
}

/** A hold the partner refused to release: listed only, released at the partner's back office. */
interface StuckHold {
  payment_id: string;
  payment_status: string;
  tender_id: string;
  partner: string;
  method: string;
  partner_reference: string | null;
  amount_held: number;
  currency: string;
  failed_voids: number;
  last_void: { partner_status: string | null; partner_status_description: string | null; at: string };
  instruction: string;
}

interface Attention {
  unknown_outcomes: Outcome[];
  stuck_holds: StuckHold[];
  disabled_webhook_endpoints: Array<{ id: string; entity_id: string; url: string; disabled_at: string }>;
  failed_jobs: Array<{
    queue: string;
    id: string;
    name: string;
    attempts: number;
    failed_reason: string;
    failed_at: string | null;
  }>;
}

interface Choice {
  label: string;
  path: string;
  body?: Record<string, unknown>;
}

/** A reason, one of the choices, then a confirmation: the settling action of one item. */
function Settle({
  item,
  choices,
  canAct,
  onDone,
}: {
  item: string;
  choices: Choice[];
  canAct: boolean;
  onDone: () => void;
}) {
  const [reason, setReason] = useState('');
  const [chosen, setChosen] = useState<Choice | null>(null);
  const [error, setError] = useState('');
  if (!canAct) return <span class="empty">viewers read only</span>;
  const confirm = async () => {
    try {
      await api.post(chosen!.path, { ...chosen!.body, reason });
      setChosen(null);
      onDone();
    } catch (failure) {
      const problem = failure as ApiProblem;
      setError(problem.body?.errors?.map((e) => `${e.field}: ${e.message}`).join('; ') || problem.message);
      setChosen(null);
    }
  };
  return (
    <div class="settle" data-item={item}>
      <input
        name="reason"
        placeholder="Reason (audit log)"
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
      {chosen ? (
        <button type="button" data-testid="confirm" onClick={() => void confirm()}>
          Confirm: {chosen.label}
        </button>
      ) : (
        choices.map((choice) => (
          <button
            type="button"
            key={choice.label}
            onClick={() =>
              reason.trim().length < 3
                ? setError('reason: at least 3 characters')
                : (setError(''), setChosen(choice))
            }
          >
            {choice.label}
          </button>
        ))
      )}
      {error && (
        <span class="error" role="alert">
          {' '}
          {error}
        </span>
      )}
    </div>
  );
}

export function AttentionPage({ canAct }: { canAct: boolean }) {
  const [attention, setAttention] = useState<Attention | null>(null);
  const [error, setError] = useState('');
  const load = () =>
    void api.get<Attention>('/needs-attention').then(setAttention, (e: Error) => setError(e.message));
  useEffect(() => {
    void load();
  }, []);
  if (error) return <p class="error">{error}</p>;
  if (!attention) return <p class="loading">Loading…</p>;
  return (
    <section data-testid="needs-attention">
      <h1>Needs attention</h1>
      <h2>Outcomes the reconciler gave up on ({attention.unknown_outcomes.length})</h2>
      <table>
        <tbody>
          {attention.unknown_outcomes.map((o) => (
            <tr key={o.id} data-testid="unknown-outcome" data-payment={o.payment_id}>
              <td>
                <a href={`#/payments/${o.payment_id}`}>
                  {o.kind} {o.partner} {money(o.amount, o.currency)}
                </a>
                <br />
                {o.status} for {Math.round(o.age_seconds / 60)} min · {o.checks} checks · {o.reason ?? ''}
              </td>
              <td>
                <Settle
                  item={o.id}
                  canAct={canAct}
                  onDone={load}
                  choices={[
                    { label: 'Retry the lookup', path: `/unknown-outcomes/${o.id}/retry` },
                    {
                      label: 'Resolve as succeeded',
                      path: `/unknown-outcomes/${o.id}/resolve`,
                      body: { as: 'succeeded' },
                    },
                    {
                      label: 'Resolve as failed',
                      path: `/unknown-outcomes/${o.id}/resolve`,
                      body: { as: 'failed' },
                    },
                  ]}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Holds the partner refused to release ({attention.stuck_holds.length})</h2>
      <table>
        <tbody>
          {attention.stuck_holds.map((h) => (
            <tr key={h.tender_id} data-testid="stuck-hold" data-payment={h.payment_id}>
              <td>
                <a href={`#/payments/${h.payment_id}`}>
                  {h.partner} {h.method} {money(h.amount_held, h.currency)} held
                </a>
                <br />
                payment {h.payment_status} · {h.failed_voids} voids refused · last answer{' '}
                {time(h.last_void.at)}: {h.last_void.partner_status ?? ''}{' '}
                {h.last_void.partner_status_description ?? ''}
                {h.partner_reference ? ` · partner reference ${h.partner_reference}` : ''}
              </td>
              <td>{h.instruction}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Disabled webhook endpoints ({attention.disabled_webhook_endpoints.length})</h2>
      <table>
        <tbody>
          {attention.disabled_webhook_endpoints.map((e) => (
            <tr key={e.id} data-testid="disabled-endpoint">
              <td>
                {e.url}
                <br />
                entity {e.entity_id} · disabled {time(e.disabled_at)}
              </td>
              <td>
                <Settle
                  item={e.id}
                  canAct={canAct}
                  onDone={load}
                  choices={[
                    { label: 'Redeliver failed events', path: `/webhook-endpoints/${e.id}/redeliver` },
                  ]}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Failed jobs ({attention.failed_jobs.length})</h2>
      <table>
        <tbody>
          {attention.failed_jobs.map((j) => (
            <tr key={`${j.queue}/${j.id}`} data-testid="failed-job">
              <td>
                {j.queue} · {j.name} · {j.id}
                <br />
                {j.attempts} attempts · {j.failed_at ? time(j.failed_at) : ''} · {j.failed_reason}
              </td>
              <td>
                <Settle
                  item={j.id}
                  canAct={canAct}
                  onDone={load}
                  choices={[
                    {
                      label: 'Retry the job',
                      path: `/jobs/${encodeURIComponent(j.queue)}/${encodeURIComponent(j.id)}/retry`,
                    },
                  ]}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
