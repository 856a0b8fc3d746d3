import { Inject, Injectable } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CONFIG } from '@tender/infra';
import { addLogContext } from '@tender/observability';
import type { AuthorizeRequest, OperationRequest, PartnerAdapter } from '@tender/partners';
import {
  claimAttempt,
  DataCipher,
  Database,
  loadPaymentOf,
  openInstrument,
  toMinor,
  type LegRecord,
  type OperationWithLegs,
  type PaymentAggregate,
  type TenderRecord,
} from '@tender/persistence';
import { AdapterRegistry } from './adapter-registry';
import { PartnerAccounts } from './partner-accounts';

export type LegKind = 'capture' | 'void' | 'refund';
export const LEG_KIND: Record<string, LegKind> = { CAPTURE: 'capture', VOID: 'void', REFUND: 'refund' };

/** An operation leg with its operation, tender and whole payment. */
export type LoadedLeg = LegRecord & {
  operation: OperationWithLegs & { payment: PaymentAggregate };
  partnerTransaction: TenderRecord;
};

/**
 * What every partner call needs: the transaction and its payment read in one round trip, the claim of
 * an attempt, the request built from our rows, the partner's adapter.
 */
@Injectable()
export class PartnerRequests {
  constructor(
    private readonly db: Database,
    private readonly cipher: DataCipher,
    private readonly adapters: AdapterRegistry,
    private readonly accounts: PartnerAccounts,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  /** The partner's adapter; the payment joins the job's log context. */
  adapter(partner: string, paymentId: string): PartnerAdapter {
    addLogContext({ payment_id: paymentId });
    return this.adapters.get(partner);
  }

  async authorizeRequest(
    tender: TenderRecord,
    payment: PaymentAggregate | Omit<PaymentAggregate, 'partnerTransactions' | 'operations'>,
    attempt: number,
  ): Promise<AuthorizeRequest> {
    const instrument = openInstrument(this.cipher, tender.instrument) ?? {};
    return {
      account: await this.accounts.get(payment.entityId, tender.partner),
      idempotencyKey: `tender-${tender.id}-authorize`,
      timeoutMs: this.config.PARTNER_TIMEOUT_MS,
      attempt,
      reference: tender.reference,
      paymentId: payment.id,
      tenderId: tender.id,
      method: tender.method,
      amount: toMinor(tender.amount),
      currency: tender.currency,
      instrument,
      captureMode: 'MANUAL',
      // Hosted pages send the shopper back to Tender, which checks the tender, then redirects with a signed token.
      returnUrl: this.config.PUBLIC_URL
        ? `${this.config.PUBLIC_URL}/v2/payments/${payment.id}/return`
        : (payment.shopperRedirectionUrl ?? undefined),
      allowFutureUsage: payment.allowFutureUsage,
      parentPartnerToken: typeof instrument.partner_token === 'string' ? instrument.partner_token : undefined,
      customer: (payment.customer as Record<string, unknown>) ?? undefined,
      order: (payment.order as Record<string, unknown>) ?? undefined,
      browser: (payment.browser as Record<string, unknown>) ?? undefined,
    };
  }

  /** A tender with its whole payment (one round trip). */
  async loadTender(
    tenderId: string,
  ): Promise<{ tender: TenderRecord; payment: PaymentAggregate } | undefined> {
    const payment = await loadPaymentOf(this.db, { tenderId });
    const tender = payment?.partnerTransactions.find((t) => t.id === tenderId);
    return tender && payment ? { tender, payment } : undefined;
  }

  /** An operation leg with its operation, tender and whole payment (one round trip). */
  async loadLeg(legId: string): Promise<LoadedLeg | undefined> {
    const payment = await loadPaymentOf(this.db, { legId });
    return payment ? legIn(payment, legId) : undefined;
  }

  /**
   * Counts a new attempt, with its in-flight lease, before it is sent: only while the transaction is
   * open, no other run counted one since (`attempts`), and the last attempt's lease has expired.
   * False when any of that fails: then this run sends nothing.
   */
  async claim(
    table: 'partner_transaction' | 'operation_transaction',
    id: string,
    attempts: number,
  ): Promise<boolean> {
    return claimAttempt(this.db, table, id, attempts, this.inFlightMs);
  }

  /** How long a call may still be processed by the partner after it was sent. */
  get inFlightMs(): number {
    return this.config.PARTNER_TIMEOUT_MS + this.config.PARTNER_IN_FLIGHT_MARGIN_MS;
  }

  async operationRequest(leg: LoadedLeg, attempt: number): Promise<OperationRequest> {
    const tender = leg.partnerTransaction;
    const settled = leg.operation.payment.operations.flatMap((o) =>
      o.legs
        .filter((l) => l.partnerTransactionId === tender.id && l.status === 'SUCCESS')
        .map((l) => ({ ...l, type: o.type })),
    );
    const sum = (type: string) =>
      settled.filter((l) => l.type === type).reduce((s, l) => s + toMinor(l.amount), 0);
    const kind = LEG_KIND[leg.operation.type];
    return {
      account: await this.accounts.get(leg.operation.payment.entityId, tender.partner),
      idempotencyKey: `tender-${leg.id}-${kind}`,
      timeoutMs: this.config.PARTNER_TIMEOUT_MS,
      attempt,
      reference: leg.reference,
      partnerReference: leg.partnerReference ?? undefined,
      amount: toMinor(leg.amount),
      currency: tender.currency,
      tender: {
        tenderId: tender.id,
        reference: tender.reference,
        method: tender.method,
        partnerReference: tender.partnerReference ?? '',
        authorizedAmount: toMinor(tender.amount),
        currency: tender.currency,
        capturedBefore: sum('CAPTURE'),
        refundedBefore: sum('REFUND'),
        partnerAdditionalData: (tender.partnerAdditionalData as Record<string, unknown>) ?? undefined,
        instrument: openInstrument(this.cipher, tender.instrument),
      },
    };
  }
}

export function legIn(payment: PaymentAggregate, legId: string): LoadedLeg {
  const operation = payment.operations.find((o) => o.legs.some((l) => l.id === legId))!;
  const leg = operation.legs.find((l) => l.id === legId)!;
  const partnerTransaction = payment.partnerTransactions.find((t) => t.id === leg.partnerTransactionId)!;
  return { ...leg, operation: { ...operation, payment }, partnerTransaction };
}

export function legOf(payment: PaymentAggregate, legId: string): LegRecord | undefined {
  return payment.operations.flatMap((o) => o.legs).find((l) => l.id === legId);
}

export function inFlight(row: { inFlightUntil: Date | null }): boolean {
  return row.inFlightUntil !== null && row.inFlightUntil.getTime() > Date.now();
}

export function inFlightReason(row: { inFlightUntil: Date | null }): string {
  return `nothing found yet; the call may still be in flight until ${row.inFlightUntil?.toISOString()}`;
}
