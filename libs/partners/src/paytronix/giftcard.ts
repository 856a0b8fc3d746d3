import {
  PartnerProtocolError,
  PartnerRejectedError,
  type AuthorizeRequest,
  type AuthorizeResult,
  type BalanceRequest,
  type BalanceResult,
  type OperationRequest,
  type OperationResult,
} from '../adapter';
import { Int64, type HistoryEntry, type PaytronixClient, type PaytronixCredentials } from './client';
import {
  addedAmount,
  checkCurrency,
  classifyTx,
  creditsUnder,
  debitsUnder,
  lastFour,
  redeemedAmount,
  reversedAmount,
  toDecimal,
  toMinor,
} from './mapping';
import {
  checkOperation,
  debitPosTransactionId,
  giftCard,
  NOTHING_LEFT_BOOKED,
  partialRedemption,
  posTransactionIdOf,
  VARIANT,
} from './giftcard-rules';

/**
 * Paytronix stored value (method `giftcard`) through the Transaction Service. A redeem debits at once
 * and there is no idempotency key: `posTransactionId` carries our reference (the tender's for the
 * debit, the leg's for a give-back) made unique per attempt (`posTransactionIdOf`), so every lookup
 * searches `transactionHistory` by the last attempt's, and a lost attempt is reversed by it
 * (`reverseLostCall`) before the next is sent.
 *
 * - authorize: `addRedeem` redeeming the amount from the SV wallet. A partial redemption
 *   (`authorizedVariantSuccess` with less debited than asked) is reversed at once and answered
 *   REFUSED: the tender must not be accepted for an amount it does not cover. Should that reversal
 *   not complete, a `PartnerProtocolError` leaves the tender open and the lookup finishes the job.
 * - fetchAuthorization: history by our reference → AUTHORIZED with the amount debited, CANCELLED
 *   when the debit was voided/reversed since, REFUSED for a reversed partial redemption, NOT_FOUND.
 * - capture: no call (already debited).
 * - void: the whole debit with nothing captured → `reverse` by pxTransactionId (if older than the
 *   reverse window: the add below); otherwise `addRedeem` adding `amount` back (a partial release).
 * - refund: `addRedeem` adding `amount` back.
 * - fetchOperation: history by the leg reference (capture: SUCCESS, nothing was sent).
 *
 * The instrument, our posTransactionIds and the checks: `giftcard-rules.ts`.
 */
export class PaytronixGiftCard {
  constructor(private readonly client: PaytronixClient) {}

  async authorize(credentials: PaytronixCredentials, request: AuthorizeRequest): Promise<AuthorizeResult> {
    checkCurrency(credentials, request.currency);
    const card = giftCard(request.instrument);
    const posTransactionId = posTransactionIdOf(request);
    const reply = await this.client.transaction(
      credentials,
      'addRedeem',
      {
        headerInfo: this.client.header(credentials, posTransactionId),
        cardInfo: { printedCardNumber: card.card_number, ...(card.pin ? { cardRegCode: card.pin } : {}) },
        addWalletContents: [],
        redeemWalletContents: [
          { walletCode: credentials.walletCode, quantity: toDecimal(request.amount, request.currency) },
        ],
        autoActivateCard: false,
      },
      request.timeoutMs,
    );
    const outcome = classifyTx(reply, 'addRedeem');
    if (outcome.kind === 'declined') {
      return {
        outcome: 'REFUSED',
        partnerStatus: outcome.errorCode,
        partnerStatusDescription: outcome.errorMessage,
      };
    }
    if (reply.posTransactionId !== undefined && reply.posTransactionId !== posTransactionId) {
      throw new PartnerProtocolError(
        `Paytronix addRedeem: answered for ${reply.posTransactionId}, not ${posTransactionId}`,
      );
    }
    if (!reply.pxTransactionId)
      throw new PartnerProtocolError('Paytronix addRedeem: no pxTransactionId in the reply');
    const debited = redeemedAmount(reply, credentials.walletCode, request.currency);
    if (debited !== request.amount) {
      if (!outcome.variant) {
        throw new PartnerProtocolError(
          `Paytronix addRedeem ${reply.pxTransactionId}: debited ${toDecimal(debited, request.currency)}, we asked for ${toDecimal(request.amount, request.currency)}`,
        );
      }
      return this.reversePartialRedemption(credentials, request, reply.pxTransactionId, debited);
    }
    return {
      outcome: 'AUTHORIZED',
      amount: debited,
      currency: request.currency,
      partnerReference: reply.pxTransactionId,
      partnerStatus: reply.result,
      card: lastFour(card.card_number),
      additionalData: {
        pxTransactionId: reply.pxTransactionId,
        ...(reply.pxAuthCode ? { pxAuthCode: reply.pxAuthCode } : {}),
        posTransactionId,
      },
    };
  }

  /**
   * `balanceInquiry`: the card's stored value. Paytronix declines an inactive card
   * (`transaction.card_not_in_required_state`) and an unknown one (`transaction.invalid_card_number`);
   * any other decline (a wrong registration code…) is answered as a wrong PIN.
   */
  async balance(credentials: PaytronixCredentials, request: BalanceRequest): Promise<BalanceResult> {
    checkCurrency(credentials, request.currency);
    const card = giftCard(request.instrument);
    const last = card.card_number.slice(-4);
    const reply = await this.client.transaction(
      credentials,
      'balanceInquiry',
      {
        headerInfo: this.client.header(credentials, `balance-${request.idempotencyKey}`),
        cardInfo: { printedCardNumber: card.card_number, ...(card.pin ? { cardRegCode: card.pin } : {}) },
      },
      request.timeoutMs,
    );
    const outcome = classifyTx(reply, 'balanceInquiry');
    if (outcome.kind === 'declined') {
      const code = outcome.errorCode;
      const kind = code.endsWith('card_not_in_required_state')
        ? 'NOT_ACTIVE'
        : code.endsWith('invalid_card_number')
          ? 'UNKNOWN_CARD'
          : 'WRONG_PIN';
      return { outcome: kind, lastFour: last, partnerStatus: code };
    }
    return {
      outcome: 'AVAILABLE',
      balance: toMinor(reply.svCurrentBalance, request.currency, 'balanceInquiry'),
      currency: request.currency,
      lastFour: last,
    };
  }

  async fetchAuthorization(
    credentials: PaytronixCredentials,
    request: AuthorizeRequest,
  ): Promise<AuthorizeResult> {
    checkCurrency(credentials, request.currency);
    const posTransactionId = posTransactionIdOf(request);
    const entries = await this.history(credentials, posTransactionId, request.timeoutMs);
    const debits = debitsUnder(entries, posTransactionId);
    if (debits.length === 0) return { outcome: 'NOT_FOUND' };
    const posted = debits.filter((entry) => entry.status === undefined || entry.status === 'posted');
    if (posted.length > 1) {
      throw new PartnerProtocolError(
        `Paytronix: ${posted.length} debits under reference ${posTransactionId} (${posted.map((e) => e.pxTransactionId).join(', ')})`,
      );
    }
    const entry = posted[0] ?? debits[debits.length - 1];
    const instrumentCard =
      typeof request.instrument.card_number === 'string' ? request.instrument.card_number : undefined;
    if (instrumentCard && entry.printedCardNumber && entry.printedCardNumber !== instrumentCard) {
      throw new PartnerProtocolError(
        `Paytronix: debit ${entry.pxTransactionId} under ${request.reference} is on another card`,
      );
    }
    const debited = toMinor(entry.redeemedQuantity, request.currency, 'transactionHistory');
    const additionalData = {
      pxTransactionId: entry.pxTransactionId,
      ...(entry.pxAuthCode ? { pxAuthCode: entry.pxAuthCode } : {}),
      posTransactionId,
    };
    const view = { partnerReference: entry.pxTransactionId, additionalData };
    if (posted.length === 1) {
      if (debited === request.amount) {
        return {
          ...view,
          outcome: 'AUTHORIZED',
          amount: debited,
          currency: request.currency,
          partnerStatus: entry.result,
          card: lastFour(entry.printedCardNumber ?? instrumentCard),
        };
      }
      if (entry.result !== VARIANT) {
        throw new PartnerProtocolError(
          `Paytronix debit ${entry.pxTransactionId}: ${entry.redeemedQuantity} debited, we asked for ${toDecimal(request.amount, request.currency)}`,
        );
      }
      return this.reversePartialRedemption(credentials, request, entry.pxTransactionId, debited);
    }
    // Voided or reversed since.
    if (entry.result === VARIANT && debited !== request.amount) {
      return { ...view, ...partialRedemption(request, debited), outcome: 'REFUSED' };
    }
    return {
      ...view,
      outcome: 'CANCELLED',
      partnerStatus: entry.status,
      partnerStatusDescription: `debit ${entry.pxTransactionId} was ${entry.status ?? 'undone'}`,
    };
  }

  capture(request: OperationRequest): OperationResult {
    // The redeem already moved the money: capturing is bookkeeping on our side.
    return { outcome: 'SUCCESS', amount: request.amount, currency: request.currency };
  }

  async void(credentials: PaytronixCredentials, request: OperationRequest): Promise<OperationResult> {
    checkOperation(credentials, request);
    const { tender } = request;
    const whole =
      tender.capturedBefore === 0 &&
      tender.refundedBefore === 0 &&
      request.amount === tender.authorizedAmount;
    if (whole) {
      const reply = await this.client.transaction(
        credentials,
        'reverse',
        {
          headerInfo: this.client.header(credentials, posTransactionIdOf(request)),
          ...(tender.partnerReference
            ? { pxTransactionId: new Int64(tender.partnerReference) }
            : { previousPosTransactionId: debitPosTransactionId(tender) }),
        },
        request.timeoutMs,
      );
      const outcome = classifyTx(reply, 'reverse');
      if (outcome.kind === 'approved') {
        const credited = reversedAmount(reply, request.currency);
        if (credited !== request.amount) {
          throw new PartnerProtocolError(
            `Paytronix reverse ${reply.pxTransactionId ?? ''}: gave back ${toDecimal(credited, request.currency)}, we voided ${toDecimal(request.amount, request.currency)}`,
          );
        }
        return {
          outcome: 'SUCCESS',
          amount: credited,
          currency: request.currency,
          partnerReference: reply.pxTransactionId,
          partnerStatus: reply.result,
        };
      }
      // Too old to reverse: give the value back by an add instead.
      if (outcome.errorCode !== 'transaction.reverse_period_expired') {
        return {
          outcome: 'FAILED',
          partnerStatus: outcome.errorCode,
          partnerStatusDescription: outcome.errorMessage,
        };
      }
    }
    return this.giveBack(credentials, request, 'void');
  }

  async refund(credentials: PaytronixCredentials, request: OperationRequest): Promise<OperationResult> {
    checkOperation(credentials, request);
    return this.giveBack(credentials, request, 'refund');
  }

  async fetchOperation(
    credentials: PaytronixCredentials,
    kind: 'capture' | 'void' | 'refund',
    request: OperationRequest,
  ): Promise<OperationResult> {
    if (kind === 'capture') return this.capture(request);
    checkOperation(credentials, request);
    const posTransactionId = posTransactionIdOf(request);
    const entries = await this.history(credentials, posTransactionId, request.timeoutMs);
    const credits = creditsUnder(entries, posTransactionId).filter(
      (entry) => entry.status === undefined || entry.status === 'posted',
    );
    if (credits.length === 0) return { outcome: 'NOT_FOUND' };
    if (credits.length > 1) {
      throw new PartnerProtocolError(
        `Paytronix: ${credits.length} credits under reference ${posTransactionId}`,
      );
    }
    const credited = toMinor(credits[0].addedQuantity, request.currency, 'transactionHistory');
    if (credited !== request.amount) {
      throw new PartnerProtocolError(
        `Paytronix ${kind} ${credits[0].pxTransactionId}: gave back ${credits[0].addedQuantity}, we asked for ${toDecimal(request.amount, request.currency)}`,
      );
    }
    return {
      outcome: 'SUCCESS',
      amount: credited,
      currency: request.currency,
      partnerReference: credits[0].pxTransactionId,
      partnerStatus: credits[0].result,
    };
  }

  /**
   * Undoes what a lost attempt may have booked: `reverse` by `previousPosTransactionId` (the
   * documented way to reverse a call whose answer never came, notes §6). "Not found" means it never
   * happened, "already reversed" that it is undone: both leave nothing booked. Anything else keeps the
   * outcome open (thrown).
   */
  async reverseLostCall(
    credentials: PaytronixCredentials,
    request: AuthorizeRequest | OperationRequest,
  ): Promise<void> {
    const lost = posTransactionIdOf(request);
    const reply = await this.client.transaction(
      credentials,
      'reverse',
      { headerInfo: this.client.header(credentials, `${lost}-undo`), previousPosTransactionId: lost },
      request.timeoutMs,
    );
    const outcome = classifyTx(reply, 'reverse');
    if (outcome.kind === 'approved') return;
    if (!NOTHING_LEFT_BOOKED.includes(outcome.errorCode)) {
      throw new PartnerProtocolError(
        `Paytronix: lost call ${lost} could not be reversed: ${outcome.errorCode}`,
      );
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** Journal entries under a posTransactionId (the history call has its own check number). */
  private async history(
    credentials: PaytronixCredentials,
    posTransactionId: string,
    timeoutMs: number,
  ): Promise<HistoryEntry[]> {
    const reply = await this.client.transaction(
      credentials,
      'transactionHistory',
      { headerInfo: this.client.header(credentials, `lookup-${posTransactionId}`), posTransactionId },
      timeoutMs,
    );
    const outcome = classifyTx(reply, 'transactionHistory');
    if (outcome.kind === 'declined') {
      // We cannot see what happened: keep the outcome open rather than guess.
      throw new PartnerProtocolError(`Paytronix transactionHistory refused: ${outcome.errorCode}`);
    }
    return reply.transactions ?? [];
  }

  /** `addRedeem` adding `amount` back to the card of the tender's debit (found by the tender reference). */
  private async giveBack(
    credentials: PaytronixCredentials,
    request: OperationRequest,
    kind: 'void' | 'refund',
  ): Promise<OperationResult> {
    const cardNumber = await this.cardOfTender(credentials, request);
    const reply = await this.client.transaction(
      credentials,
      'addRedeem',
      {
        headerInfo: this.client.header(credentials, posTransactionIdOf(request)),
        cardInfo: { printedCardNumber: cardNumber },
        addWalletContents: [
          { walletCode: credentials.walletCode, quantity: toDecimal(request.amount, request.currency) },
        ],
        redeemWalletContents: [],
        autoActivateCard: false,
      },
      request.timeoutMs,
    );
    const outcome = classifyTx(reply, `addRedeem (${kind})`);
    if (outcome.kind === 'declined') {
      return {
        outcome: 'FAILED',
        partnerStatus: outcome.errorCode,
        partnerStatusDescription: outcome.errorMessage,
      };
    }
    const credited = addedAmount(reply, credentials.walletCode, request.currency);
    if (credited !== request.amount) {
      throw new PartnerProtocolError(
        `Paytronix ${kind} ${reply.pxTransactionId ?? ''}: added ${toDecimal(credited, request.currency)}, we asked for ${toDecimal(request.amount, request.currency)}`,
      );
    }
    return {
      outcome: 'SUCCESS',
      amount: credited,
      currency: request.currency,
      partnerReference: reply.pxTransactionId,
      partnerStatus: reply.result,
    };
  }

  /** The card of the tender: its instrument, else the journal entry of its debit. */
  private async cardOfTender(credentials: PaytronixCredentials, request: OperationRequest): Promise<string> {
    const stored = request.tender.instrument?.card_number;
    if (typeof stored === 'string' && stored) return stored;
    const reference = debitPosTransactionId(request.tender);
    const entries = await this.history(credentials, reference, request.timeoutMs);
    const debit = debitsUnder(entries, reference).find((entry) => entry.printedCardNumber);
    if (!debit?.printedCardNumber) {
      throw new PartnerRejectedError(
        `Paytronix: no debit under tender reference ${reference}`,
        'original_transaction_not_found',
      );
    }
    return debit.printedCardNumber;
  }

  /** Gives back a partial redemption and answers REFUSED; unfinished → the lookup will retry it. */
  private async reversePartialRedemption(
    credentials: PaytronixCredentials,
    request: AuthorizeRequest,
    pxTransactionId: string,
    debited: number,
  ): Promise<AuthorizeResult> {
    const reply = await this.client.transaction(
      credentials,
      'reverse',
      {
        headerInfo: this.client.header(credentials, `${posTransactionIdOf(request)}-rev`),
        pxTransactionId: new Int64(pxTransactionId),
      },
      request.timeoutMs,
    );
    const outcome = classifyTx(reply, 'reverse');
    if (outcome.kind === 'declined' && outcome.errorCode !== 'transaction.already_reversed') {
      throw new PartnerProtocolError(
        `Paytronix: partial redemption ${pxTransactionId} (${toDecimal(debited, request.currency)} of ${toDecimal(request.amount, request.currency)}) could not be reversed: ${outcome.errorCode}`,
      );
    }
    return {
      outcome: 'REFUSED',
      partnerReference: pxTransactionId,
      ...partialRedemption(request, debited),
      additionalData: {
        pxTransactionId,
        posTransactionId: posTransactionIdOf(request),
        ...(reply.pxTransactionId ? { reversalPxTransactionId: reply.pxTransactionId } : {}),
      },
    };
  }
}
