/**
 * Reply shapes and error codes. Paytronix answers every call with HTTP 200; the outcome is the
 * body's `result`. The Transaction Service error table could not be read, so the codes below are
 * ours, in Paytronix's `<service>.<snake_case>` style; `transaction.card_not_in_required_state` is
 * a real code seen in live client code.
 *
 * Transaction Service (`result`, `responseCode`, `responseMessage`, `errorCode`, `errorMessage`):
 *
 * | result            | responseCode | errorCode                                         | when |
 * |-------------------|--------------|---------------------------------------------------|------|
 * | authorizedSuccess | 200          | —                                                 | done |
 * | authorizedVariantSuccess | 201   | —                                                 | partial redeem (card 6000000000000250) |
 * | denied            | 300          | transaction.insufficient_balance                  | redeem (or void/reverse of an add) above the balance |
 * | userDataError     | 400          | transaction.invalid_input                         | missing/invalid field |
 * | userDataError     | 401          | transaction.invalid_amount                        | quantity not a positive Decimal with ≤ 2 decimals |
 * | userDataError     | 402          | transaction.invalid_card_number                   | unknown card |
 * | userDataError     | 403          | transaction.card_not_in_required_state            | inactive card |
 * | userDataError     | 404          | transaction.invalid_merchant_id                   | merchantId not the configured one |
 * | userDataError     | 405          | transaction.invalid_wallet_code                   | walletCode other than 1 (stored value) |
 * | userDataError     | 406          | transaction.transaction_not_found                 | void/reverse: no such original |
 * | userDataError     | 407          | transaction.already_reversed                      | void/reverse: original already voided/reversed |
 * | userDataError     | 408          | transaction.reverse_period_expired                | reverse: original older than 7 days |
 * | failure           | 600          | transaction.server_error                          | injected transient failure (nothing done) |
 * | failure           | 601          | authentication.invalid_integration_credentials    | HTTP Basic integration id/secret wrong or missing |
 * | failure           | 602          | authentication.unsupported_authentication         | `authentication` is not "b2b" |
 * | failure           | 603          | authentication.invalid_b2b_credentials            | b2b username/password wrong |
 * | failure           | 604          | request.invalid_json                              | unparseable body |
 *
 * Payment Service: `{ result: "success", ... }`, `{ result: "failure", errorCode, errorMessage }`
 * or `{ result: "invalidInputs", errorCode: "<prefix>.validation_error", errorMessage,
 * errorsByField: { "path/to/field": ["null_field" | "too_low" | ...] } }`, with the prefixes
 * recharge, create_checkout_session, payment_intent, capture_payment_intent, cancel_payment_intent.
 */
export type TxResult =
  'authorizedSuccess' | 'authorizedVariantSuccess' | 'denied' | 'userDataError' | 'failure';

const TX_ERRORS = {
  insufficientBalance: [
    'denied',
    300,
    'transaction.insufficient_balance',
    'Insufficient stored value balance',
  ],
  invalidInput: ['userDataError', 400, 'transaction.invalid_input', 'Invalid input'],
  invalidAmount: ['userDataError', 401, 'transaction.invalid_amount', 'Invalid quantity'],
  invalidCardNumber: ['userDataError', 402, 'transaction.invalid_card_number', 'Card number not found'],
  cardNotActive: ['userDataError', 403, 'transaction.card_not_in_required_state', 'Card is not active'],
  invalidMerchantId: ['userDataError', 404, 'transaction.invalid_merchant_id', 'Invalid merchant ID'],
  invalidWalletCode: ['userDataError', 405, 'transaction.invalid_wallet_code', 'Unknown wallet code'],
  transactionNotFound: [
    'userDataError',
    406,
    'transaction.transaction_not_found',
    'Original transaction not found',
  ],
  alreadyReversed: [
    'userDataError',
    407,
    'transaction.already_reversed',
    'Transaction was already voided or reversed',
  ],
  reversePeriodExpired: [
    'userDataError',
    408,
    'transaction.reverse_period_expired',
    'Only transactions of the last seven days can be reversed',
  ],
  serverError: ['failure', 600, 'transaction.server_error', 'Temporary system error, please retry'],
  invalidIntegration: [
    'failure',
    601,
    'authentication.invalid_integration_credentials',
    'Invalid integration identifier or secret',
  ],
  unsupportedAuthentication: [
    'failure',
    602,
    'authentication.unsupported_authentication',
    'Only b2b authentication is allowed for this endpoint',
  ],
  invalidB2bCredentials: [
    'failure',
    603,
    'authentication.invalid_b2b_credentials',
    'Invalid username or password',
  ],
  invalidJson: ['failure', 604, 'request.invalid_json', 'The request body is not valid JSON'],
} as const;

export type TxErrorKind = keyof typeof TX_ERRORS;

const RESPONSE_MESSAGES: Record<TxResult, string> = {
  authorizedSuccess: 'Authorized',
  authorizedVariantSuccess: 'Authorized Variant',
  denied: 'Denied',
  userDataError: 'User Data Error',
  failure: 'Failure',
};

export type Reply = Record<string, unknown> & { result: string };

/** A Transaction Service error reply; `detail` replaces the default errorMessage. */
export class TxError extends Error {
  constructor(
    readonly kind: TxErrorKind,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? TX_ERRORS[kind][3]);
  }

  get errorCode(): string {
    return TX_ERRORS[this.kind][2];
  }

  reply(posTransactionId?: string): Reply {
    const [result, responseCode, errorCode, message] = TX_ERRORS[this.kind];
    return {
      result,
      responseCode,
      responseMessage: RESPONSE_MESSAGES[result],
      errorCode,
      errorMessage: this.detail ?? message,
      ...(posTransactionId !== undefined ? { posTransactionId } : {}),
      ...this.extra,
    };
  }
}

export function txSuccess(variant = false): Reply {
  const result: TxResult = variant ? 'authorizedVariantSuccess' : 'authorizedSuccess';
  return { result, responseCode: variant ? 201 : 200, responseMessage: RESPONSE_MESSAGES[result] };
}

/** A Payment Service failure; `invalidInputs` when errorsByField is given. */
export class PaymentError extends Error {
  constructor(
    readonly errorCode: string,
    readonly errorMessage: string,
    readonly errorsByField?: Record<string, string[]>,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(errorMessage);
  }

  reply(): Reply {
    if (this.errorsByField) {
      return {
        result: 'invalidInputs',
        errorCode: this.errorCode,
        errorMessage: this.errorMessage,
        errorsByField: this.errorsByField,
      };
    }
    return { result: 'failure', errorCode: this.errorCode, errorMessage: this.errorMessage, ...this.extra };
  }
}

/** Payment Service endpoint → error-code prefix. */
export const PAYMENT_PREFIXES: Record<string, string> = {
  'recharge.json': 'recharge',
  'createCheckoutSession.json': 'create_checkout_session',
  'paymentIntent.json': 'payment_intent',
  'capturePaymentIntent.json': 'capture_payment_intent',
  'cancelPaymentIntent.json': 'cancel_payment_intent',
};

/** For auth failures and injected failures, which exist on both services. */
export function paymentFailureFromTx(error: TxError, prefix: string): PaymentError {
  const code = error.kind === 'serverError' ? `${prefix}.server_error` : error.errorCode;
  return new PaymentError(code, error.message);
}
