import { Injectable } from '@nestjs/common';
import { PrismaClient, type Prisma } from '@tender/persistence';
import { findPaymentAggregate, lockPayment, type PaymentAggregate } from '@tender/payments';
import { ApiError } from '../http/api-error';

/** Payments of one entity: another entity's id answers 404. */
@Injectable()
export class PaymentRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async get(
    entityId: string,
    id: string,
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<PaymentAggregate> {
    const payment = await findPaymentAggregate(db, id, entityId);
    if (!payment) throw ApiError.notFound('payment', id);
    return payment;
  }

  async lock(tx: Prisma.TransactionClient, entityId: string, id: string): Promise<void> {
    if (!(await lockPayment(tx, id, entityId))) throw ApiError.notFound('payment', id);
  }
}
