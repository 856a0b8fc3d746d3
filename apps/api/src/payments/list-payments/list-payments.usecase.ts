import { Injectable } from '@nestjs/common';
import { Database, loadPayments, searchPayments } from '@tender/persistence';
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
    const page = await searchPayments(this.db, {
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
      this.db,
      page.payments.map((payment) => payment.id),
    );
    return { data: payments.map(presentPayment), next_cursor: page.nextCursor };
  }
}
