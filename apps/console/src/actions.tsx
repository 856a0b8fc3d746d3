import { useState } from 'preact/hooks';
import { api, ApiProblem } from './api';
import { money, parseAmount } from './format';

export interface Actions {
  capture: { allowed: boolean; max: number };
  void: { allowed: boolean; max: number };
  refund: { allowed: boolean; max: number };
  approve: { allowed: boolean; max: null };
}

type Kind = keyof Actions;

/** Capture, void, refund, approve: the amount allowed, a reason, then a confirmation step. */
export function ActionPanel(props: {
  paymentId: string;
  currency: string;
  actions: Actions;
  onDone: () => void;
}) {
  const [kind, setKind] = useState<Kind | null>(null);
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const allowed = (Object.keys(props.actions) as Kind[]).filter((k) => props.actions[k].allowed);
  const max = kind && kind !== 'approve' ? props.actions[kind].max : null;
  const minor = max === null ? null : parseAmount(amount, props.currency);

  const open = (next: Kind) => {
    setKind(next);
    setAmount(next === 'approve' ? '' : money(props.actions[next].max ?? 0, props.currency).split(' ')[0]);
    setReason('');
    setConfirming(false);
    setError('');
  };
  const review = (event: Event) => {
    event.preventDefault();
    if (typeof minor === 'string') return setError(`amount ${minor}`);
    if (minor !== null && max !== null && minor > max)
      return setError(`amount: at most ${money(max, props.currency)}`);
    if (reason.trim().length < 3) return setError('reason: at least 3 characters');
    setError('');
    setConfirming(true);
  };
  const confirm = async () => {
    setBusy(true);
    try {
      await api.post(
        `/payments/${props.paymentId}/${kind}`,
        minor === null ? { reason } : { amount: minor, reason },
      );
      setKind(null);
      props.onDone();
    } catch (failure) {
      const problem = failure as ApiProblem;
      setError(problem.body?.errors?.map((e) => `${e.field}: ${e.message}`).join('; ') || problem.message);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="actions" data-testid="actions">
      <h2>Actions</h2>
      {allowed.length === 0 && <p class="empty">Nothing to do on this payment now.</p>}
      {allowed.map((k) => (
        <button type="button" key={k} data-testid={`action-${k}`} onClick={() => open(k)}>
          {k[0].toUpperCase() + k.slice(1)}
          {k !== 'approve' ? ` (up to ${money(props.actions[k].max ?? 0, props.currency)})` : ''}
        </button>
      ))}
      {kind && (
        <form class="action-form" onSubmit={review}>
          <h3>{kind}</h3>
          {max !== null && (
            <label>
              Amount ({props.currency}, at most {money(max, props.currency)})
              <input
                name="amount"
                inputMode="decimal"
                value={amount}
                onInput={(e) => setAmount(e.currentTarget.value)}
                disabled={confirming}
              />
            </label>
          )}
          <label>
            Reason (recorded in the audit log)
            <input
              name="reason"
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
              disabled={confirming}
            />
          </label>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          {!confirming ? (
            <button type="submit">Review</button>
          ) : (
            <p class="confirm">
              {kind} {typeof minor === 'number' ? money(minor, props.currency) : ''} because “{reason}”?{' '}
              <button type="button" data-testid="confirm" onClick={() => void confirm()} disabled={busy}>
                Confirm {kind}
              </button>{' '}
              <button type="button" onClick={() => setConfirming(false)}>
                Back
              </button>
            </p>
          )}
        </form>
      )}
    </div>
  );
}
