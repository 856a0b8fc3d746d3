import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { money, time } from './format';

export interface PaymentRow {
  id: string;
  entity_id: string;
  created_at: string;
  amount: number;
  currency: string;
  status: string;
  order_reference?: string | null;
}

interface Page {
  data: PaymentRow[];
  next_cursor: string | null;
}

/** Payments across entities, newest first; search by order reference, page with the cursor. */
export function PaymentsPage() {
  const [reference, setReference] = useState('');
  const [query, setQuery] = useState('');
  const [rows, setRows] = useState<PaymentRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');

  const load = async (cursor?: string) => {
    setError('');
    const params = new URLSearchParams({ limit: '50' });
    if (query) params.set('order_reference', query);
    if (cursor) params.set('cursor', cursor);
    try {
      const page = await api.get<Page>(`/payments?${params.toString()}`);
      setRows((current) => (cursor ? [...current, ...page.data] : page.data));
      setNext(page.next_cursor);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, [query]);

  return (
    <section>
      <h1>Payments</h1>
      <form
        class="search"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery(reference.trim());
        }}
      >
        <input
          name="order_reference"
          placeholder="Order reference (exact)"
          value={reference}
          onInput={(e) => setReference(e.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </form>
      {error && <p class="error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th>Created</th>
            <th>Order reference</th>
            <th>Amount</th>
            <th>Status</th>
            <th>Payment</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-testid="payment-row">
              <td>{time(row.created_at)}</td>
              <td>{row.order_reference ?? '—'}</td>
              <td class="amount">{money(row.amount, row.currency)}</td>
              <td>
                <span class={`status status-${row.status}`}>{row.status}</span>
              </td>
              <td>
                <a href={`#/payments/${row.id}`}>{row.id}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && !error && <p class="empty">No payments.</p>}
      {next && (
        <button type="button" onClick={() => void load(next)}>
          More
        </button>
      )}
    </section>
  );
}
