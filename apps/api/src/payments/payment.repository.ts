import { Injectable } from '@nestjs/common';
import { Database, type Sql } from '@tender/persistence';
import { findPaymentAggregate, type PaymentAggregate } from '@tender/payments';
import { ApiError } from '../http/api-error';

/** Payments of one entity: another entity's id answers 404. */
@Injectable()
export class PaymentRepository {
  constructor(private readonly db: Database) {}

  async get(entityId: string, id: string, db: Sql = this.db): Promise<PaymentAggregate> {
    const payment = await findPaymentAggregate(db, id, entityId);
    if (!payment) throw ApiError.notFound('payment', id);
    return payment;
  }
}
