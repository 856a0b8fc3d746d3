import { Injectable } from '@nestjs/common';
import { Database, loadPayments, searchPayments, type PaymentAggregate } from '@tender/persistence';
import { presentPayment } from '@tender/payments';
import type { ListPaymentsQuery } from './list-payments.schemas';

export interface PaymentList {
  data: Array<Record<string, unknown>>;
  next_cursor: string | null;
}

/**
 * Lists an entity's payments, newest first, one page at a time: the page's ids (searchPayments),
 * then the page's payments whole in one read, each as GET /v2/payments/{id} presents it. Stored
 * data as is: a list never asks the partners.
 */
@Injectable()
export class ListPaymentsUseCase {
  constructor(private readonly db: Database) {}

  async execute(entityId: string, query: ListPaymentsQuery): Promise<PaymentList> {
    const page = await loadPaymentPage(this.db, query, entityId);
    return { data: page.payments.map(presentPayment), next_cursor: page.nextCursor };
  }
}

/**
 * One page of payments, whole, in the list's order: of one entity, or of every entity when
 * `entityId` is unset (the operator console, which presents them its own way).
 */
export async function loadPaymentPage(
  db: Database,
  query: ListPaymentsQuery,
  entityId?: string,
): Promise<{ payments: PaymentAggregate[]; nextCursor: string | null }> {
  const page = await searchPayments(db, {
    entityId,
    status: query.status,
    partner: query.partner,
    createdFrom: query.created_from,
    createdTo: query.created_to,
    orderReference: query.order_reference,
    amount: query.amount,
    limit: query.limit,
    cursor: query.cursor,
  });
  const payments = await loadPayments(
    db,
    page.payments.map((payment) => payment.id),
  );
  return { payments, nextCursor: page.nextCursor };
}
