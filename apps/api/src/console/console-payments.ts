import { z } from 'zod';
import {
  consoleActions,
  paymentTimeline,
  presentPayment,
  tenderSplits,
  type TimelineEvent,
} from '@tender/payments';
import {
  loadPayment,
  findPaymentEntityId,
  newId,
  toMinor,
  type Database,
  type PrismaClient,
} from '@tender/persistence';
import { ApiError } from '../http/api-error';
import type { ListPaymentsQuery } from '../payments/list-payments/list-payments.schemas';
import { loadPaymentPage } from '../payments/list-payments/list-payments.usecase';
import type { ApprovePaymentUseCase } from '../payments/approve-payment/approve-payment.usecase';
import type { CapturePaymentUseCase } from '../payments/capture-payment/capture-payment.usecase';
import type { RefundPaymentUseCase } from '../payments/refund-payment/refund-payment.usecase';
import type { VoidPaymentUseCase } from '../payments/void-payment/void-payment.usecase';
import type { MerchantEventsService } from '../webhooks/merchant-events.service';
import type { ConsoleOperator } from './operator-sessions';

export const reason = z.string().trim().min(3, 'must be at least 3 characters').max(500);

/** Capture, void, refund: an amount in minor units (the use case refuses more than is available) and why. */
export const operationActionBody = z.strictObject({
  amount: z.number().int('must be an integer (minor units)').positive().max(Number.MAX_SAFE_INTEGER),
  reason,
});
export const approveActionBody = z.strictObject({ reason });

export type PaymentAction = 'capture' | 'void' | 'refund' | 'approve';

export interface UseCases {
  capture: CapturePaymentUseCase;
  void: VoidPaymentUseCase;
  refund: RefundPaymentUseCase;
  approve: ApprovePaymentUseCase;
  events: MerchantEventsService;
}

/** Never in the console: the partner's reusable token of the instrument. */
function withoutSecrets(view: Record<string, unknown>): Record<string, unknown> {
  const { links: _links, ...payment } = view;
  const authorization = payment.authorization as { partner_transactions: Array<Record<string, unknown>> };
  return {
    ...payment,
    authorization: {
      ...authorization,
      partner_transactions: authorization.partner_transactions.map(
        ({ partner_token: _token, ...tender }) => tender,
      ),
    },
  };
}

/**
 * A payment as the console shows it (across entities), and the operator's actions on it: the same
 * use cases as the merchant API (same rules and limits), each written to audit_log with who and why.
 */
export class ConsolePayments {
  constructor(
    private readonly db: Database,
    private readonly prisma: PrismaClient,
    private readonly useCases: UseCases,
  ) {}

  /**
   * Payments of every entity, newest first, with the merchant list's filters and cursor
   * (`loadPaymentPage`, entity unset); each row a summary, not the whole payment.
   */
  async list(query: ListPaymentsQuery) {
    const { payments, nextCursor } = await loadPaymentPage(this.db, query);
    return {
      data: payments.map((p) => ({
        id: p.id,
        entity_id: p.entityId,
        created_at: p.createdAt.toISOString(),
        amount: toMinor(p.amount),
        currency: p.currency,
        status: p.status,
        order_reference: p.orderReference,
        partners: [...new Set(p.partnerTransactions.map((t) => t.partner))],
      })),
      next_cursor: nextCursor,
    };
  }

  async detail(paymentId: string): Promise<Record<string, unknown>> {
    const entityId = await this.entityOf(paymentId);
    const [payment, events, audit] = await Promise.all([
      loadPayment(this.db, paymentId, entityId),
      this.useCases.events.list(entityId, paymentId),
      this.prisma.auditLog.findMany({ where: { paymentId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] }),
    ]);
    if (!payment) throw ApiError.notFound('payment', paymentId);
    // Without their payloads: a stored payload carries the payment as sent, partner tokens included.
    const eventViews = events.data.map(({ payload: _payload, ...event }) => event);
    const timelineEvents = eventViews as unknown as TimelineEvent[];
    const fraudEvents = timelineEvents.filter((e) => e.type === 'PAYMENT_FRAUD_REVIEW');
    return {
      payment: withoutSecrets(presentPayment(payment)),
      ...consoleActions(payment),
      tenders: tenderSplits(payment),
      timeline: paymentTimeline(payment, timelineEvents, audit),
      events: eventViews,
      fraud_review: {
        pending: payment.status === 'PENDING_FRAUD_APPROVAL',
        held_tenders: payment.partnerTransactions
          .filter((t) => t.status === 'PENDING_FRAUD_APPROVAL')
          .map((t) => ({ id: t.id, partner: t.partner, partner_status: t.partnerStatus })),
        // What the partners' fraud screening said, where they report it (Connect: fraudServiceResult).
        results: payment.partnerTransactions.flatMap((t) => {
          const result = (t.partnerAdditionalData as { fraudServiceResult?: unknown } | null)
            ?.fraudServiceResult;
          return typeof result === 'string' ? [{ tender_id: t.id, partner: t.partner, result }] : [];
        }),
        history: fraudEvents.map((e) => ({ at: e.created_at, action: e.action })),
      },
      audit: audit.map((entry) => ({
        id: entry.id,
        at: entry.at.toISOString(),
        actor: entry.actor,
        action: entry.action,
        reason: entry.reason,
        target_type: entry.targetType,
        target_id: entry.targetId,
        details: entry.details,
      })),
    };
  }

  async act(
    operator: ConsoleOperator,
    action: PaymentAction,
    paymentId: string,
    body: { amount?: number; reason: string },
  ): Promise<Record<string, unknown>> {
    const entityId = await this.entityOf(paymentId);
    const command = { entityId, paymentId, body: { amount: body.amount } };
    const view =
      action === 'approve'
        ? await this.useCases.approve.execute(entityId, paymentId)
        : await this.useCases[action].execute(command);
    await this.prisma.auditLog.create({
      data: {
        id: newId(),
        actor: operator.email,
        operatorId: operator.id,
        action: `payment.${action}`,
        targetType: 'payment',
        targetId: paymentId,
        paymentId,
        reason: body.reason,
        details: {
          ...(body.amount !== undefined ? { amount: body.amount } : {}),
          status_after: (view.authorization as { status: string }).status,
        },
      },
    });
    return withoutSecrets(view);
  }

  private async entityOf(paymentId: string): Promise<string> {
    const entityId = await findPaymentEntityId(this.db, paymentId);
    if (!entityId) throw ApiError.notFound('payment', paymentId);
    return entityId;
  }
}
