import type {
  CaptureResponse,
  OrderStatusOutput,
  PaymentStatusOutput,
  CardPaymentMethodSpecificOutput,
  PaymentReferences,
  PaymentResponse,
  RefundResponse,
} from 'connect-sdk-nodejs/lib/v1/model/domain';
import type { ConnectBooks } from './books';
import type { CaptureRecord, PaymentRecord, RefundRecord } from './books-state';
import { CAPTURE_STATUS_CODE, PAYMENT_STATUS, REFUND_STATUS, statusDateTime } from './status';

/**
 * Wire representations (camelCase JSON as the API reference shows them), typed with the official
 * SDK's domain interfaces so a shape mismatch is a compile error.
 */

const AUTHORIZED_STATUSES = [
  'PENDING_APPROVAL',
  'PENDING_CAPTURE',
  'CAPTURE_REQUESTED',
  'CAPTURED',
  'PAID',
  'REFUNDED',
];

function references(payment: PaymentRecord): PaymentReferences {
  const refs: PaymentReferences = { paymentReference: '0' };
  if (payment.merchantReference !== undefined) refs.merchantReference = payment.merchantReference;
  if (payment.merchantOrderId !== undefined) refs.merchantOrderId = payment.merchantOrderId;
  return refs;
}

function cardOutput(payment: PaymentRecord): CardPaymentMethodSpecificOutput {
  const output: CardPaymentMethodSpecificOutput = {
    paymentProductId: payment.paymentProductId,
    card: { cardNumber: `************${payment.last4}`, expiryDate: payment.expiryDate ?? '1230' },
    fraudResults: { avsResult: '0', cvvResult: '0', fraudServiceResult: payment.fraudServiceResult },
  };
  if (payment.authorisationCode) output.authorisationCode = payment.authorisationCode;
  if (payment.instrument) output.token = payment.instrument;
  return output;
}

export function renderPayment(books: ConnectBooks, payment: PaymentRecord): PaymentResponse {
  const amounts = books.amounts(payment);
  const { statusCode, category } = PAYMENT_STATUS[payment.status];
  const statusOutput: PaymentStatusOutput = {
    isCancellable: books.isCancellable(payment),
    statusCategory: category,
    statusCode,
    statusCodeChangeDateTime: statusDateTime(payment.statusChangedAt),
    isAuthorized: AUTHORIZED_STATUSES.includes(payment.status),
    isRefundable: books.isRefundable(payment),
  };
  if (payment.status === 'REJECTED') {
    statusOutput.errors = payment.errors ?? [];
    statusOutput.isRetriable = false;
  }
  return {
    id: payment.id,
    paymentOutput: {
      amountOfMoney: { amount: payment.amount, currencyCode: payment.currencyCode },
      references: references(payment),
      // "Amount that has been paid": settled captures only
      amountPaid: amounts.settled,
      paymentMethod: 'card',
      cardPaymentMethodSpecificOutput: cardOutput(payment),
    },
    status: payment.status,
    statusOutput,
  };
}

export function renderCapture(books: ConnectBooks, capture: CaptureRecord): CaptureResponse {
  const payment = books.state.payments[capture.paymentId];
  return {
    id: capture.id,
    captureOutput: {
      amountOfMoney: { amount: capture.amount, currencyCode: capture.currencyCode },
      references: references(payment),
      amountPaid: capture.status === 'CAPTURED' ? capture.amount : 0,
      paymentMethod: 'card',
      cardPaymentMethodSpecificOutput: cardOutput(payment),
    },
    status: capture.status,
    statusOutput: { isRetriable: false, statusCode: CAPTURE_STATUS_CODE[capture.status] },
  };
}

export function renderRefund(books: ConnectBooks, refund: RefundRecord): RefundResponse {
  const payment = books.state.payments[refund.paymentId];
  const amounts = books.amounts(payment);
  const { statusCode, category } = REFUND_STATUS[refund.status];
  const refs: PaymentReferences = { paymentReference: '0' };
  if (refund.merchantReference !== undefined) refs.merchantReference = refund.merchantReference;
  const statusOutput: OrderStatusOutput = {
    isCancellable: refund.status === 'PENDING_APPROVAL' || refund.status === 'REFUND_REQUESTED',
    statusCategory: category,
    statusCode,
    statusCodeChangeDateTime: statusDateTime(refund.statusChangedAt),
  };
  if (refund.status === 'REJECTED') {
    statusOutput.errors = refund.errors ?? [];
    statusOutput.isRetriable = false;
  }
  return {
    id: refund.id,
    refundOutput: {
      amountOfMoney: { amount: refund.amount, currencyCode: refund.currencyCode },
      references: refs,
      amountPaid: refund.status === 'REFUNDED' ? refund.amount : 0,
      paymentMethod: 'card',
      cardRefundMethodSpecificOutput: {
        refundProductId: payment.paymentProductId,
        totalAmountPaid: amounts.settled,
        totalAmountRefunded: amounts.refundedCompleted,
      },
    },
    status: refund.status,
    statusOutput,
  };
}
