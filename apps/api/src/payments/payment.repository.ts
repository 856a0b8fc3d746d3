import { Injectable } from '@nestjs/common';
import { Database, loadPayment, type Sql } from '@tender/persistence';
import { presentPayment, type PaymentAggregate } from '@tender/payments';
import { ApiError } from '../http/api-error';

/** Payments of one entity: another entity's id answers 404. */
@Injectable()
export class PaymentRepository {
  constructor(private readonly db: Database) {}

  async get(entityId: string, id: string, db: Sql = this.db): Promise<PaymentAggregate> {
    const payment = await loadPayment(db, id, entityId);
    if (!payment) throw ApiError.notFound('payment', id);
    return payment;
  }

  /**
   * The payment as a wait for its outcome left it: the view the deciding signal carried (no read),
   * else read once (decided without a view, or still pending at the end of the wait).
   */
  async view(
    entityId: string,
    id: string,
    settled: Record<string, unknown> | true | undefined,
  ): Promise<Record<string, unknown>> {
    return typeof settled === 'object' ? settled : presentPayment(await this.get(entityId, id));
  }
}
