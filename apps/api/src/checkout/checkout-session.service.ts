import { Inject, Injectable } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CONFIG } from '@tender/infra';
import { methodDefinition, Partners, type BalanceResult } from '@tender/partners';
import {
  Database,
  DataCipher,
  loadPaymentStatus,
  openCredentials,
  PrismaClient,
  toMinor,
} from '@tender/persistence';
import type { ClientSession } from '@tender/persistence/generated/prisma/client';
import { ApiError } from '../http/api-error';
import { CreatePaymentUseCase } from '../payments/create-payment/create-payment.usecase';
import { createPaymentBody } from '../payments/payment.schemas';
import { parseRequest } from '../validation/parse';
import type { GiftCardBalanceBody, SessionPaymentBody } from './checkout.schemas';
import { bearerOf, credentialMatches, credentialSessionId } from './shopper-credential';

/** What the drop-in offers for an eligible solution: a gift card form, or a card on the partner's page. */
export interface CheckoutSolution {
  partner: string;
  method: string;
  kind: 'giftcard' | 'hosted_card';
  pin: 'none' | 'optional' | 'required';
}

const CLOSED = ['EXPIRED', 'ABORTED_BY_MERCHANT'];
const BALANCE_TIMEOUT_MS = 10_000;

/** Shopper-worded answers of a balance check that found no usable balance. */
const BALANCE_REFUSALS: Record<Exclude<BalanceResult['outcome'], 'AVAILABLE'>, [string, string]> = {
  NOT_ACTIVE: ['giftcard_not_active', 'This gift card is not active.'],
  UNKNOWN_CARD: ['giftcard_unknown', 'We do not recognise this gift card number.'],
  WRONG_PIN: ['giftcard_refused', 'This gift card cannot be used; check its number and PIN.'],
};

const refused = () =>
  new ApiError(401, 'invalid_shopper_credential', 'Unauthorized', 'The checkout session is not valid.');

/**
 * What the shopper's browser may do with a session's `widget.data`: read the session, check a gift
 * card's balance, submit the session's payment. Nothing else is reachable with the credential.
 */
@Injectable()
export class CheckoutSessions {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly db: Database,
    private readonly cipher: DataCipher,
    private readonly partners: Partners,
    private readonly createPayment: CreatePaymentUseCase,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  /** The session of the `Authorization: Bearer <widget.data>` header, while it is open; 401 otherwise. */
  async authenticate(authorization: string | undefined): Promise<ClientSession> {
    const presented = bearerOf(authorization);
    const sessionId = presented && credentialSessionId(presented);
    if (!presented || !sessionId) throw refused();
    const session = await this.prisma.clientSession.findUnique({ where: { id: sessionId } });
    if (!session || !credentialMatches(presented, session.widgetData)) throw refused();
    if (CLOSED.includes(session.status) || session.expiresAt.getTime() <= Date.now()) {
      throw new ApiError(
        401,
        'checkout_session_expired',
        'Unauthorized',
        'This checkout session has expired.',
      );
    }
    return session;
  }

  async view(session: ClientSession): Promise<Record<string, unknown>> {
    const entity = await this.prisma.entity.findUniqueOrThrow({ where: { id: session.entityId } });
    const status = session.paymentId ? await loadPaymentStatus(this.db, session.paymentId) : undefined;
    return {
      id: session.id,
      status: session.status,
      merchant_name: entity.name,
      amount: toMinor(session.amount),
      currency: session.currency,
      integration_mode: session.integrationMode,
      expires_at: session.expiresAt.toISOString(),
      solutions: checkoutSolutions(session.eligibleSolutions as Array<{ partner: string; method: string }>),
      ...(session.paymentId && status ? { payment: { id: session.paymentId, status } } : {}),
    };
  }

  /** The balance of a gift card, showing only its last four digits; moves no money. */
  async checkBalance(session: ClientSession, body: GiftCardBalanceBody): Promise<Record<string, unknown>> {
    const solution = this.solution(session, body.partner, body.method, 'giftcard');
    const adapter = this.partners.adapter(solution.partner);
    const account = await this.prisma.partnerAccount.findUnique({
      where: { entityId_partner: { entityId: session.entityId, partner: solution.partner } },
    });
    if (!adapter?.checkBalance || !account) throw notEligible('partner');
    const result = await adapter.checkBalance({
      account: {
        partner: account.partner,
        credentials: openCredentials(this.cipher, account.credentials),
        config: account.config as Record<string, unknown>,
      },
      idempotencyKey: `${session.id}-${Date.now()}`,
      timeoutMs: BALANCE_TIMEOUT_MS,
      method: solution.method,
      currency: session.currency,
      instrument: { card_number: body.card_number, ...(body.pin ? { pin: body.pin } : {}) },
    });
    if (result.outcome !== 'AVAILABLE') {
      const [code, detail] = BALANCE_REFUSALS[result.outcome];
      throw ApiError.unprocessable(code, detail, { last_four_digits: result.lastFour });
    }
    return {
      partner: solution.partner,
      method: solution.method,
      last_four_digits: result.lastFour,
      balance: result.balance,
      currency: result.currency,
    };
  }

  /**
   * Submits the session's payment through the create-payment use case, with the session's amount,
   * currency, capture mode and return URL. Answers what the browser needs next, not the payment.
   */
  async pay(session: ClientSession, body: SessionPaymentBody): Promise<Record<string, unknown>> {
    for (const [index, tender] of body.split.entries()) {
      const solution = this.solution(session, tender.partner, tender.method);
      if (solution.kind === 'hosted_card' && Object.keys(tender.payment_method ?? {}).length > 0) {
        const field = `split[${index}].payment_method`;
        const message = 'cards are entered on the partner’s page, never sent here';
        throw new ApiError(
          422,
          'card_details_not_accepted',
          'Unprocessable request',
          `${field}: ${message}`,
          [{ field, code: 'card_details_not_accepted', message }],
        );
      }
    }
    // Parsed as a merchant's request would be (the split must add up to the session's amount).
    const request = parseRequest(createPaymentBody, {
      client_session_id: session.id,
      amount: toMinor(session.amount),
      currency: session.currency,
      capture_mode: session.captureMode,
      allow_future_usage: session.allowFutureUsage,
      order: session.order ?? undefined,
      customer: session.customer ?? undefined,
      three_ds_authentication_options: session.threeDsOptions ?? undefined,
      shopper_redirection_url: session.shopperRedirectionUrl ?? undefined,
      split: body.split,
    });
    const view = await this.createPayment.execute(session.entityId, request);
    const id = String(view.id);
    const status = String((view.authorization as { status: string }).status);
    const redirection = (view.redirection as { href?: string } | undefined)?.href;
    const base = this.config.PUBLIC_URL ?? '';
    return {
      payment_id: id,
      status,
      ...(redirection ? { redirect_url: redirection } : {}),
      // Decided without the shopper: where the browser goes on (the merchant's page, with the signed token).
      ...(!redirection && status !== 'REFUSED' ? { return_url: `${base}/v2/payments/${id}/return` } : {}),
    };
  }

  private solution(session: ClientSession, partner: string, method: string, kind?: CheckoutSolution['kind']) {
    const solution = checkoutSolutions(
      session.eligibleSolutions as Array<{ partner: string; method: string }>,
    ).find((s) => s.partner === partner && s.method === method && (!kind || s.kind === kind));
    if (!solution) throw notEligible('partner');
    return solution;
  }
}

function notEligible(field: string): ApiError {
  return new ApiError(
    422,
    'solution_not_eligible',
    'Unprocessable request',
    `${field}: not offered by this checkout`,
    [{ field, code: 'solution_not_eligible', message: 'not offered by this checkout' }],
  );
}

/** The session's solutions the drop-in can offer: stored value, and cards entered on the partner's page. */
export function checkoutSolutions(
  eligible: ReadonlyArray<{ partner: string; method: string }>,
): CheckoutSolution[] {
  return eligible.flatMap(({ partner, method }): CheckoutSolution[] => {
    const definition = methodDefinition(partner, method);
    if (!definition) return [];
    if (definition.kind === 'stored_value') {
      const shape = (
        definition.instrument as unknown as { shape?: Record<string, { isOptional(): boolean }> }
      ).shape;
      const pin = shape?.pin ? (shape.pin.isOptional() ? 'optional' : 'required') : 'none';
      return [{ partner, method, kind: 'giftcard', pin }];
    }
    // A card method that takes no instrument is entered on the partner's hosted page.
    if (definition.kind === 'card' && definition.instrument.safeParse({}).success) {
      return [{ partner, method, kind: 'hosted_card', pin: 'none' }];
    }
    return [];
  });
}
