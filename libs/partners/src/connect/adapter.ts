import type { AxiosInstance } from 'axios';
import type { PaymentResponse, RefundResponse } from 'connect-sdk-nodejs/lib/v1/model/domain';
import {
  PartnerProtocolError,
  UnknownOutcomeError,
  type AuthorizeRequest,
  type AuthorizeResult,
  type CallContext,
  type OperationRequest,
  type OperationResult,
  type PartnerAccountConfig,
  type PartnerAdapter,
  type PartnerWebhookEvent,
} from '../adapter';
import { createPartnerHttpClient } from '../http';
import { ConnectClient, connectCredentials, type ConnectAnswer, type RefundErrorResponse } from './client';
import {
  OPEN_AUTHORIZATION,
  apiErrors,
  authorizationResult,
  captureResult,
  expectBody,
  failedOperation,
  isIdempotenceInProgress,
  isRefundRefused,
  rejected,
  refundResult,
  throwCommonErrors,
  voidResultFromCancel,
} from './mapping';
import { toConnectReference } from './references';
import { verifyConnectWebhook } from './webhook';
import {
  createHostedCheckout,
  fetchHostedCheckout,
  HOSTED_REFERENCE_PREFIX,
  isHostedCard,
} from './hosted-checkout';
import {
  captureBody,
  captureOutcome,
  checkVoidedPayment,
  createPaymentBody,
  createPaymentOutcome,
  expectation,
  idempotenceKey,
  MAX_REFUND_KEYS,
  paymentIdOf,
} from './payment-requests';

export interface ConnectAdapterOptions {
  /** HTTP client (tests); default: the shared partner client (keep-alive, never throws on a status). */
  http?: AxiosInstance;
}

/**
 * Worldline/Ingenico Connect Server API v1, card payments:
 *
 * - A card tender without a token goes to Connect's hosted checkout: `hosted-checkout.ts`.
 * - authorize: `POST /v1/{merchantId}/payments` with the card token, `requiresApproval: true`
 *   (Tender captures explicitly) and `authorizationMode: PRE_AUTHORIZATION` (partial and multiple
 *   captures, cancel of the remainder: what the catalog promises; a FINAL_AUTHORIZATION must be
 *   captured in full). `order.references.merchantReference` = our tender reference in Connect's
 *   30 characters (`toConnectReference`).
 * - Every POST carries `X-GCS-Idempotence-Key` = the worker's key in Connect's 40 characters
 *   (`toConnectIdempotenceKey`: stable across retries and re-runs; secondary calls get a step
 *   suffix: `-pc` processchallenged, `-approve` the refund approval, `-r1`… a refund asked again).
 *   409 + error 1409 ("first request still running") is an UnknownOutcomeError: retry
 *   later, same key. Connect keeps keys 24 h and replays the first answer, errors included, whatever
 *   the body; Tender's whole reconcile schedule (default ≈ 7.4 h) stays inside it.
 * - capture `POST …/capture {amount, isFinal}`, void `POST …/cancel` (whole uncaptured remainder;
 *   never sent while it would cancel queued captures), refund `POST …/refund` (201) with our leg
 *   reference as `refundReferences.merchantReference`. Captures and refunds are PENDING until Connect
 *   confirms them (CAPTURED / REFUNDED): the dispatcher looks again on its reconcile schedule.
 * - Bodies and the create and capture answers: `payment-requests.ts`; status and error mapping:
 *   `mapping.ts`; webhooks: `webhook.ts`; wire and signing: `client.ts`,
 *   `signing.ts`. Nothing here logs: errors carry codes and Connect's texts, never credentials,
 *   signatures or tokens.
 */
export class ConnectAdapter implements PartnerAdapter {
  readonly partner = 'connect';
  private readonly http: AxiosInstance;

  constructor(options: ConnectAdapterOptions = {}) {
    this.http = options.http ?? createPartnerHttpClient();
  }

  // ---- authorizations -------------------------------------------------------------------------

  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    const client = this.client(request);
    if (isHostedCard(request)) return createHostedCheckout(client, request);
    const answer = await client.createPayment(createPaymentBody(request), idempotenceKey(request));
    return createPaymentOutcome(answer, request);
  }

  /**
   * With the Connect payment id: `GET payments/{id}` (404 → NOT_FOUND).
   * Without (the create timed out before we learnt the id):
   *  1. `GET payments?merchantReference=` (find): a payment with our reference is ours. A read, and it
   *     stays right even after Connect forgot the idempotence key;
   *  2. nothing found: re-POST the identical create with the SAME idempotence key. Connect replays a
   *     finished first request (`X-GCS-Idempotence-Request-Timestamp`), answers 409/1409 while it is
   *     still running (→ UnknownOutcomeError), or, if it never arrived, creates it now, which is what
   *     the worker would do next anyway. Either way there is exactly one payment at Connect; so this
   *     lookup never answers NOT_FOUND.
   */
  async fetchAuthorization(
    request: AuthorizeRequest & { partnerReference?: string },
  ): Promise<AuthorizeResult> {
    const client = this.client(request);
    const expected = expectation(request);
    if (request.partnerReference?.startsWith(HOSTED_REFERENCE_PREFIX)) {
      return fetchHostedCheckout(client, request, request.partnerReference);
    }
    if (request.partnerReference) {
      const answer = await client.getPayment(request.partnerReference);
      if (answer.status === 404) return { outcome: 'NOT_FOUND' };
      if (answer.status >= 400) {
        throwCommonErrors(answer, 'get payment');
        throw rejected(answer, 'get payment');
      }
      return authorizationResult(expectBody(answer, 'get payment'), expected);
    }

    const reference = toConnectReference(request.reference);
    const found = await client.findPayments(reference);
    if (found.status < 300) {
      const ours = (expectBody(found, 'find payments').payments ?? []).filter(
        (p) => p.paymentOutput?.references?.merchantReference === reference,
      );
      // A retry with the same key replays the first answer, so more than one is not expected; prefer a live one.
      const pick =
        ours.filter((p) => p.status !== 'REJECTED' && p.status !== 'CANCELLED').pop() ?? ours.pop();
      if (pick) return authorizationResult(pick, expected);
    } else if (found.status === 401 || found.status === 403 || found.status === 429) {
      throwCommonErrors(found, 'find payments');
    }
    // A hosted checkout moves no money until the shopper pays (then its payment has our reference).
    if (isHostedCard(request)) return { outcome: 'NOT_FOUND' };
    // any other 4xx (find not offered on this platform…): the idempotent re-POST below still settles it
    const answer = await client.createPayment(createPaymentBody(request), idempotenceKey(request));
    return createPaymentOutcome(answer, request);
  }

  /** `POST payments/{id}/processchallenged`: the payment continues as if it had not been challenged. */
  async approve(request: AuthorizeRequest & { partnerReference: string }): Promise<AuthorizeResult> {
    const client = this.client(request);
    const expected = expectation(request);
    const answer = await client.processChallenged(request.partnerReference, idempotenceKey(request, 'pc'));
    if (answer.status < 300) return authorizationResult(expectBody(answer, 'processchallenged'), expected);
    throwCommonErrors(answer, 'processchallenged');
    if (answer.status === 405) {
      // "PAYMENT IS NOT CHALLENGED": already processed (or cancelled); report what it is now.
      const current = await client.getPayment(request.partnerReference);
      if (current.status < 300) return authorizationResult(expectBody(current, 'get payment'), expected);
    }
    throw rejected(answer, 'processchallenged');
  }

  // ---- operations -----------------------------------------------------------------------------

  async capture(request: OperationRequest): Promise<OperationResult> {
    const client = this.client(request);
    const answer = await client.capture(paymentIdOf(request), captureBody(request), idempotenceKey(request));
    return captureOutcome(answer, request);
  }

  /**
   * Cancels the uncaptured remainder (the catalog has no partial void: `amount` is that remainder).
   * Reads the payment first: while the authorization is open the cancel releases it. Once captures
   * closed it, a cancel is only sent when Connect says nothing is cancellable any more: then it is
   * refused (405, the leg FAILED: nothing of ours was released) unless it is the replay of our own
   * earlier cancel (SUCCESS). While queued captures are still cancellable, a cancel would cancel
   * them, so nothing is sent and the leg stays PENDING until they settle. A void SUCCESS is always
   * Connect's answer to our cancel.
   */
  async void(request: OperationRequest): Promise<OperationResult> {
    const client = this.client(request);
    const current = await this.paymentForVoid(client, request);
    if (!current) return failedOperation({ status: 404, body: undefined, replayed: false }, 'cancel payment');
    return this.cancelRemainder(client, current, request);
  }

  /**
   * `POST …/refund`. Connect refuses a refund (404, code 300240) until the captures it draws on have
   * settled. That refusal is not final while a capture is still queued (CAPTURE_REQUESTED): the leg
   * is PENDING and the dispatcher asks again on its reconcile schedule. Connect keeps and replays the
   * refusal under the same idempotence key, so once nothing is queued any more, a replayed refusal is
   * stale: the refund is asked again under the next key of the same leg (`-r1`, `-r2`…), which a
   * re-run walks the same way, so at most one key of the leg ever creates a refund.
   */
  async refund(request: OperationRequest): Promise<OperationResult> {
    const client = this.client(request);
    const paymentId = paymentIdOf(request);
    const body = {
      amountOfMoney: { amount: request.amount, currencyCode: request.currency },
      refundReferences: { merchantReference: toConnectReference(request.reference) },
    };
    for (let attempt = 0; ; attempt += 1) {
      const key = idempotenceKey(request, attempt === 0 ? undefined : `r${attempt}`);
      const answer = await client.refund(paymentId, body, key);
      if (!isRefundRefused(answer)) return this.refundOutcome(client, answer, request);
      const queued = await this.queuedCaptures(client, paymentId);
      if (queued > 0) {
        return {
          outcome: 'PENDING',
          partnerStatus: '300240',
          partnerStatusDescription: `create refund: refused while ${queued} capture(s) are CAPTURE_REQUESTED; asked again once they settle`,
        };
      }
      if (!answer.replayed) return failedOperation(answer, 'create refund');
      if (attempt >= MAX_REFUND_KEYS - 1) {
        throw new UnknownOutcomeError(`connect create refund: still refused under ${MAX_REFUND_KEYS} keys`);
      }
    }
  }

  private async refundOutcome(
    client: ConnectClient,
    answer: ConnectAnswer<RefundResponse & RefundErrorResponse>,
    request: OperationRequest,
  ): Promise<OperationResult> {
    if (answer.status < 300) return this.completeRefund(client, expectBody(answer, 'create refund'), request);
    if (isIdempotenceInProgress(answer)) throwCommonErrors(answer, 'create refund');
    // Declined: RefundErrorResponse.refundResult (checked before the status, like the SDKs do).
    if (answer.body?.refundResult) {
      return refundResult(answer.body.refundResult, request.amount, request.currency, apiErrors(answer.body));
    }
    throwCommonErrors(answer, 'create refund');
    return failedOperation(answer, 'create refund');
  }

  /**
   * Settles a leg whose outcome was unknown:
   * - capture: `GET payments/{id}/captures`; no capture of this amount → NOT_FOUND. Otherwise the
   *   capture has no reference of ours to tell it from another leg's capture of the same amount, so
   *   we re-POST it with the SAME idempotence key: a replay returns exactly our capture (a 1409 means
   *   still running → UnknownOutcomeError); if Connect never had it, it is done now, as the worker would.
   *   CAPTURE_REQUESTED stays PENDING; CAPTURED → SUCCESS; REJECTED_CAPTURE → FAILED.
   * - refund: `GET payments/{id}/refunds`, ours by `refundReferences.merchantReference`; NOT_FOUND when
   *   absent (the dispatcher then asks for it again). REFUND_REQUESTED stays PENDING; REFUNDED → SUCCESS.
   * - void: `GET payments/{id}`: still open → NOT_FOUND (never sent, or not done: send it); closed →
   *   as `void` does (our cancel's replay → SUCCESS, Connect's refusal → FAILED, PENDING meanwhile).
   */
  async fetchOperation(
    kind: 'capture' | 'void' | 'refund',
    request: OperationRequest,
  ): Promise<OperationResult> {
    const client = this.client(request);
    const paymentId = paymentIdOf(request);
    switch (kind) {
      case 'capture': {
        const list = await client.captures(paymentId);
        if (list.status === 404) return { outcome: 'NOT_FOUND' };
        if (list.status >= 300) {
          throwCommonErrors(list, 'get captures');
          throw rejected(list, 'get captures');
        }
        const captures = expectBody(list, 'get captures').captures ?? [];
        if (request.partnerReference) {
          // Known by its id (an earlier answer gave it): read it, never re-send it. The idempotence key
          // may have expired by now (24 h), and a replay after that would be a second capture.
          const ours = captures.find((c) => c.id === request.partnerReference);
          if (!ours) {
            throw new PartnerProtocolError(
              `connect: capture ${request.partnerReference} is not on its payment`,
            );
          }
          return captureResult(ours, request.amount, request.currency);
        }
        const candidates = captures.filter(
          (c) =>
            c.captureOutput?.amountOfMoney?.amount === request.amount &&
            c.captureOutput?.amountOfMoney?.currencyCode === request.currency,
        );
        if (candidates.length === 0) return { outcome: 'NOT_FOUND' };
        const answer = await client.capture(paymentId, captureBody(request), idempotenceKey(request));
        return captureOutcome(answer, request);
      }
      case 'refund': {
        const list = await client.refunds(paymentId);
        if (list.status === 404) return { outcome: 'NOT_FOUND' };
        if (list.status >= 300) {
          throwCommonErrors(list, 'get refunds');
          throw rejected(list, 'get refunds');
        }
        const reference = toConnectReference(request.reference);
        const ours = (expectBody(list, 'get refunds').refunds ?? []).filter(
          (r) => r.refundOutput?.references?.merchantReference === reference,
        );
        const refund = ours.pop();
        return refund ? this.completeRefund(client, refund, request) : { outcome: 'NOT_FOUND' };
      }
      case 'void': {
        const payment = await this.paymentForVoid(client, request);
        if (!payment || OPEN_AUTHORIZATION.has(String(payment.status))) return { outcome: 'NOT_FOUND' };
        return this.cancelRemainder(client, payment, request);
      }
    }
  }

  verifyWebhook(
    rawBody: Buffer,
    headers: Record<string, string | undefined>,
    account: PartnerAccountConfig,
  ): PartnerWebhookEvent {
    return verifyConnectWebhook(rawBody, headers, account);
  }

  // ---- internals ------------------------------------------------------------------------------

  private client(context: CallContext): ConnectClient {
    return new ConnectClient(this.http, connectCredentials(context.account), context.timeoutMs);
  }

  /** The payment behind a void leg (undefined when Connect does not know it), checked against the tender. */
  private async paymentForVoid(
    client: ConnectClient,
    request: OperationRequest,
  ): Promise<PaymentResponse | undefined> {
    const answer = await client.getPayment(paymentIdOf(request));
    if (answer.status === 404) return undefined;
    if (answer.status >= 300) {
      throwCommonErrors(answer, 'get payment');
      throw rejected(answer, 'get payment');
    }
    const payment = expectBody(answer, 'get payment');
    checkVoidedPayment(payment, request);
    return payment;
  }

  /** The cancel of a void leg, given the payment as it is now (see `void`). */
  private async cancelRemainder(
    client: ConnectClient,
    current: PaymentResponse,
    request: OperationRequest,
  ): Promise<OperationResult> {
    const status = String(current.status);
    if (!OPEN_AUTHORIZATION.has(status) && current.statusOutput?.isCancellable !== false) {
      return {
        outcome: 'PENDING',
        partnerReference: current.id ?? undefined,
        partnerStatus:
          current.statusOutput?.statusCode != null ? String(current.statusOutput.statusCode) : status,
        partnerStatusDescription: `${status}: no cancel sent, it would cancel the queued captures; asked again once they settle`,
      };
    }
    const answer = await client.cancel(paymentIdOf(request), idempotenceKey(request));
    if (answer.status < 300) {
      const body = expectBody(answer, 'cancel payment');
      const payment = body.payment;
      if (!payment) return failedOperation(answer, 'cancel payment without payment');
      checkVoidedPayment(payment, request);
      const result = voidResultFromCancel(payment, request.amount, request.currency);
      const voidResponseId = body.cardPaymentMethodSpecificOutput?.voidResponseId;
      if (voidResponseId)
        result.partnerStatusDescription = `${result.partnerStatusDescription} (voidResponseId ${voidResponseId})`;
      return result;
    }
    throwCommonErrors(answer, 'cancel payment');
    // 405: not cancellable (captured, cancelled by someone else…): this void released nothing.
    return failedOperation(answer, 'cancel payment');
  }

  /** How many captures of the payment Connect still has queued (CAPTURE_REQUESTED). */
  private async queuedCaptures(client: ConnectClient, paymentId: string): Promise<number> {
    const list = await client.captures(paymentId);
    if (list.status >= 300) {
      throwCommonErrors(list, 'get captures');
      throw rejected(list, 'get captures');
    }
    return (expectBody(list, 'get captures').captures ?? []).filter((c) => c.status === 'CAPTURE_REQUESTED')
      .length;
  }

  /**
   * A refund Connect holds in PENDING_APPROVAL (accounts set up with a refund approval step) is
   * approved at once: the merchant's refund request through Tender is that approval. Then re-read.
   */
  private async completeRefund(
    client: ConnectClient,
    refund: RefundResponse,
    request: OperationRequest,
  ): Promise<OperationResult> {
    const result = refundResult(refund, request.amount, request.currency);
    if (refund.status !== 'PENDING_APPROVAL' || !refund.id) return result;
    const approval = await client.approveRefund(
      refund.id,
      { amount: request.amount },
      idempotenceKey(request, 'approve'),
    );
    if (approval.status >= 300) {
      throwCommonErrors(approval, 'approve refund');
      if (approval.status !== 405) return failedOperation(approval, 'approve refund');
      // 405: no longer PENDING_APPROVAL (approved by an earlier run): read it below
    }
    const now = await client.getRefund(refund.id);
    if (now.status >= 300) {
      throwCommonErrors(now, 'get refund');
      throw rejected(now, 'get refund');
    }
    return refundResult(expectBody(now, 'get refund'), request.amount, request.currency);
  }
}
