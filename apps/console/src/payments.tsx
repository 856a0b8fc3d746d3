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
  partners: string[];
}

/** What the list can be filtered by (`GET /console/api/payments/filters`): the API's own values. */
interface Filters {
  statuses: string[];
  partners: string[];
}

interface Query {
  reference: string;
  status: string;
  partner: string;
}

interface Page {
  data: PaymentRow[];
  next_cursor: string | null;
}

/**
 * Payments across entities, newest first; search by order reference, filter by status and partner
 * (the merchant list's `status` and `partner`), page with the cursor.
 */
/** A list filter: `data-testid="filter-<name>"`, its first option meaning no filter. */
function FilterSelect(props: {
  name: string;
  any: string;
  options: string[];
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <select
      name={props.name}
      data-testid={`filter-${props.name}`}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
    >
      <option value="">{props.any}</option>
      {props.options.map((option) => (
        <option key={option} value={option}>
          {option}
        </option>
      ))}
    </select>
  );
}

export function PaymentsPage() {
  const [reference, setReference] = useState('');
  const [status, setStatus] = useState('');
  const [partner, setPartner] = useState('');
  const [filters, setFilters] = useState<Filters>({ statuses: [], partners: [] });
  const [query, setQuery] = useState<Query>({ reference: '', status: '', partner: '' });
  const [rows, setRows] = useState<PaymentRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');

  const load = async (cursor?: string) => {
    setError('');
    const params = new URLSearchParams({ limit: '50' });
    if (query.reference) params.set('order_reference', query.reference);
    if (query.status) params.set('status', query.status);
    if (query.partner) params.set('partner', query.partner);
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
  useEffect(() => {
    api.get<Filters>('/payments/filters').then(setFilters, (failure: Error) => setError(failure.message));
  }, []);

  return (
    <section>
      <h1>Payments</h1>
      <form
        class="search"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery({ reference: reference.trim(), status, partner });
        }}
      >
        <input
          name="order_reference"
          placeholder="Order reference (exact)"
          value={reference}
          onInput={(e) => setReference(e.currentTarget.value)}
        />
        <FilterSelect
          name="status"
          any="Any status"
          options={filters.statuses}
          value={status}
          onChange={setStatus}
        />
        <FilterSelect
          name="partner"
          any="Any partner"
          options={filters.partners}
          value={partner}
          onChange={setPartner}
        />
        <button type="submit" data-testid="search">
          Search
        </button>
      </form>
      {error && <p class="error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th>Created</th>
            <th>Order reference</th>
            <th>Amount</th>
            <th>Status</th>
            <th>Partners</th>
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
                <span class={`status status-${row.status}`} data-testid="row-status">
                  {row.status}
                </span>
              </td>
              <td data-testid="row-partners">{row.partners.join(', ')}</td>
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
