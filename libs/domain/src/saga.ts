/**
 * Order of authorization in a split payment (pure; the worker applies it).
 *
 * Tenders that only place a hold (cards, wallets) go first, all at once; tenders that debit at
 * authorization (gift cards, stored value) go only once every hold is in place. A declined card
 * then costs nothing to undo, and a debit (whose undo is a reversal the shopper may see on a
 * balance) only happens when the rest of the split is already secured. A hosted-page tender
 * holds the debits back until the shopper comes back authorized.
 */
import type { TenderStatus } from './state-machines';

export interface SagaTender {
  id: string;
  status: TenderStatus;
  immediateDebit: boolean;
}

/** Ids of the PENDING tenders that may be sent to their partner now. */
export function tendersToAuthorizeNow(tenders: readonly SagaTender[]): string[] {
  const holds = tenders.filter((t) => !t.immediateDebit);
  const debits = tenders.filter((t) => t.immediateDebit);
  const pendingIds = (list: readonly SagaTender[]) =>
    list.filter((t) => t.status === 'PENDING').map((t) => t.id);
  if (tenders.some((t) => t.status === 'REFUSED' || t.status === 'FAILED')) return [];
  if (holds.every((t) => t.status === 'AUTHORIZED')) return pendingIds(debits);
  return pendingIds(holds);
}
