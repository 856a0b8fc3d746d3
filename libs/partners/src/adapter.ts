/**
 * The one interface every partner adapter implements. Adapters own their wire types and mapping;
 * the worker only sees these shapes. Amounts are integer minor units; adapters convert to the
 * partner's format (Paytronix decimal strings…) and MUST check that the amount and currency a
 * partner answers match what was asked (a mismatch is a `PartnerProtocolError`, never accepted).
 */

/** An entity's account at the partner (the `partner_account` row). */
export interface PartnerAccountConfig {
  partner: string;
  /** Partner-specific: endpoint, merchant id, API keys… Never logged. */
  credentials: Record<string, unknown>;
  config: Record<string, unknown>;
}

/** Common to every call: who we are at the partner and a key that makes a re-run harmless. */
export interface CallContext {
  account: PartnerAccountConfig;
  /**
   * Stable across retries and re-runs of the same business operation (derived from our partner
   * transaction id): partners with idempotency keys (Connect `X-GCS-Idempotence-Key`, Purse
   * `Idempotency-Key`) dedupe on it.
   */
  idempotencyKey: string;
  /** Per-call timeout; a call exceeding it has an UNKNOWN outcome. */
  timeoutMs: number;
  /**
   * Which send of this transaction the call is, from 1 (recorded before it is sent). Partners without
   * idempotency keys make their wire reference unique per attempt (Paytronix posTransactionId), so
   * that a lost attempt can be told from, and reversed before, the next one. A lookup asks about the
   * last attempt sent. Absent: the first.
   */
  attempt?: number;
}

export interface AuthorizeRequest extends CallContext {
  /** Our reference at the partner (merchantReference / posTransactionId / order reference), unique per tender. */
  reference: string;
  paymentId: string;
  tenderId: string;
  method: string;
  amount: number;
  currency: string;
  /** The split entry's `payment_method` (or the parent's partner token for a merchant-initiated payment). */
  instrument: Record<string, unknown>;
  /** Always true for tenders: Tender captures explicitly (AUTOMATIC mode = Tender captures right after). */
  captureMode: 'MANUAL' | 'AUTOMATIC';
  /** Where a hosted page / 3DS should send the shopper back. */
  returnUrl?: string;
  allowFutureUsage: boolean;
  parentPartnerToken?: string;
  customer?: Record<string, unknown>;
  order?: Record<string, unknown>;
  browser?: Record<string, unknown>;
}

/** The raw partner view kept on our rows (partner_status / description / reference). */
export interface PartnerView {
  partnerReference?: string;
  partnerStatus?: string;
  partnerStatusDescription?: string;
}

export type AuthorizeOutcome =
  | 'AUTHORIZED'
  | 'REFUSED'
  /** Held by the partner's fraud screening until approved (Connect PENDING_FRAUD_APPROVAL). */
  | 'PENDING_FRAUD_APPROVAL'
  /** The shopper must complete a redirect / hosted page: see `redirectUrl`. */
  | 'REQUIRES_ACTION'
  /** The partner has nothing under this reference (only from a status lookup). */
  | 'NOT_FOUND'
  /** Cancelled / reversed at the partner (only from a status lookup). */
  | 'CANCELLED';

export interface AuthorizeResult extends PartnerView {
  outcome: AuthorizeOutcome;
  /** Amount the partner authorized / debited, in minor units (checked against the request). */
  amount?: number;
  currency?: string;
  redirectUrl?: string;
  /** A reusable credential for merchant-initiated payments, when the partner returns one. */
  partnerToken?: string;
  /** Masked card data only: bin, last_four_digits, expiry_month, expiry_year, selected_network… */
  card?: Record<string, unknown>;
  additionalData?: Record<string, unknown>;
}

/** The tender an operation applies to, as it stands at the partner. */
export interface TenderAtPartner {
  tenderId: string;
  reference: string;
  method: string;
  partnerReference: string;
  /** The full authorized amount of the tender. */
  authorizedAmount: number;
  currency: string;
  /** What was captured / refunded on the tender before this operation (minor units). */
  capturedBefore: number;
  refundedBefore: number;
  partnerAdditionalData?: Record<string, unknown>;
  /** The split entry's `payment_method` (a gift card number…), for partners whose credits need it. */
  instrument?: Record<string, unknown>;
}

export interface OperationRequest extends CallContext {
  tender: TenderAtPartner;
  /** Our reference for this operation leg, unique. */
  reference: string;
  amount: number;
  currency: string;
  /** Capture: no more captures will follow on this tender (Connect `isFinal`). */
  isFinal?: boolean;
  /**
   * The partner's id of this operation, from an earlier answer (a Connect capture id): a lookup reads
   * it by that id instead of identifying it some other way.
   */
  partnerReference?: string;
}

export type OperationOutcome = 'SUCCESS' | 'FAILED' | 'PENDING' | 'NOT_FOUND';

export interface OperationResult extends PartnerView {
  outcome: OperationOutcome;
  amount?: number;
  currency?: string;
}

/**
 * An outcome that cannot be known from this call: timeout, connection reset, 5xx, or a partner
 * `failure` result. NOT a decline. The caller marks the transaction UNKNOWN and settles it by lookup.
 */
export class UnknownOutcomeError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'UnknownOutcomeError';
  }
}

/** The partner answered something we cannot accept (amount/currency mismatch, unparseable body). */
export class PartnerProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartnerProtocolError';
  }
}

/**
 * A request the partner rejected as invalid (bad credentials, validation): a permanent failure,
 * never retried, with the partner's own code kept for operators.
 */
export class PartnerRejectedError extends Error {
  constructor(
    message: string,
    readonly partnerStatus?: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'PartnerRejectedError';
  }
}

/** A verified inbound webhook, reduced to what the worker needs: a hint to re-read the partner. */
export interface PartnerWebhookEvent {
  eventId: string;
  type: string;
  /** The partner's id of the payment / refund the event is about. */
  partnerReference?: string;
  /** Our reference, when the partner echoes it (merchantReference…). */
  reference?: string;
  payload: unknown;
}

export type LostCallKind = 'authorize' | 'void' | 'refund';

export interface BalanceRequest extends CallContext {
  method: string;
  currency: string;
  /** The card as a split entry's `payment_method` carries it (`card_number`, `pin`). */
  instrument: Record<string, unknown>;
}

/**
 * What a balance check found. `AVAILABLE` carries the balance in minor units; the other outcomes
 * are the shopper's to fix (another card, the PIN). Only the last four digits of the card come back.
 */
export type BalanceResult =
  | { outcome: 'AVAILABLE'; balance: number; currency: string; lastFour: string }
  | { outcome: 'NOT_ACTIVE' | 'UNKNOWN_CARD' | 'WRONG_PIN'; lastFour: string; partnerStatus?: string };

export interface PartnerAdapter {
  readonly partner: string;
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  /**
   * The authorization as the partner sees it now, by its id (`partnerReference`) or, after a
   * timeout that left us without one, by our reference. NOT_FOUND when the partner has nothing.
   */
  fetchAuthorization(request: AuthorizeRequest & { partnerReference?: string }): Promise<AuthorizeResult>;
  capture(request: OperationRequest): Promise<OperationResult>;
  /** Releases `amount` of the uncaptured authorization (or reverses an immediate debit). */
  void(request: OperationRequest): Promise<OperationResult>;
  refund(request: OperationRequest): Promise<OperationResult>;
  /** Settles an operation leg whose outcome was unknown, by our leg reference. */
  fetchOperation(kind: 'capture' | 'void' | 'refund', request: OperationRequest): Promise<OperationResult>;
  /**
   * Partners without idempotency keys only (Paytronix stored value). Undoes whatever the call of this
   * request's attempt may have booked, so that the next attempt cannot move the money twice; harmless
   * when nothing was booked. Called once the attempt's in-flight lease has expired and a lookup found
   * nothing. Adapters without it are re-sent as they are: their idempotency key makes that safe.
   */
  reverseLostCall?(kind: LostCallKind, request: AuthorizeRequest | OperationRequest): Promise<void>;
  /** A stored-value card's balance, for the shopper's checkout (moves no money). */
  checkBalance?(request: BalanceRequest): Promise<BalanceResult>;
  /** Releases an authorization held for fraud review (Connect `processchallenged`). */
  approve?(request: AuthorizeRequest & { partnerReference: string }): Promise<AuthorizeResult>;
  /** Verifies an inbound webhook on its raw body; throws `WebhookVerificationError` when it is not genuine. */
  verifyWebhook?(
    rawBody: Buffer,
    headers: Record<string, string | undefined>,
    account: PartnerAccountConfig,
  ): PartnerWebhookEvent;
}

export class WebhookVerificationError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 401 = 401,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}
