import { ConnectBooks } from './books';
import type { BooksChange, NewPayment } from './books-state';
import { ConnectApiError } from './errors';
import { IdempotenceRegistry, idempotenceKeyError, requestFingerprint } from './idempotence';
import { resolveInstrument } from './instruments';
import { renderPayment, renderRefund } from './render';

function newPayment(token: string, overrides: Partial<NewPayment> = {}): NewPayment {
  return {
    merchantId: '1000',
    amount: 1000,
    currencyCode: 'EUR',
    merchantReference: 'ref-1',
    instrument: resolveInstrument(token, undefined),
    requiresApproval: true,
    authorizationMode: 'PRE_AUTHORIZATION',
    paymentProductId: 1,
    ...overrides,
  };
}

function errorOf(fn: () => unknown): ConnectApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConnectApiError) return error;
    throw error;
  }
  throw new Error('expected a ConnectApiError');
}

describe('ConnectBooks', () => {
  let clock: number;
  let books: ConnectBooks;
  let changes: BooksChange[];

  beforeEach(() => {
    clock = Date.parse('2025-05-01T12:00:00Z');
    books = new ConnectBooks(() => new Date(clock));
    changes = [];
    books.onChange((change) => changes.push(change));
  });

  it('issues 30-digit Connect-style payment ids with the merchant and a sequence', () => {
    const first = books.createPayment(newPayment('connect-approve'));
    const second = books.createPayment(newPayment('connect-approve'));
    expect(first.id).toBe('000000100000000000010000100001');
    expect(second.id).toBe('000000100000000000020000100001');
  });

  it('authorizes into PENDING_APPROVAL with the documented statusOutput (code 600)', () => {
    const payment = books.createPayment(newPayment('connect-approve'));
    expect(renderPayment(books, payment)).toMatchObject({
      status: 'PENDING_APPROVAL',
      statusOutput: {
        statusCode: 600,
        statusCategory: 'PENDING_MERCHANT',
        isAuthorized: true,
        isCancellable: true,
        isRefundable: false,
        statusCodeChangeDateTime: '20250501120000',
      },
    });
    expect(changes).toEqual([{ type: 'payment', id: payment.id, status: 'PENDING_APPROVAL' }]);
  });

  it('captures at once without requiresApproval', () => {
    const payment = books.createPayment(newPayment('connect-approve', { requiresApproval: false }));
    expect(payment.status).toBe('CAPTURE_REQUESTED');
    // nothing is refundable before the capture settles
    expect(books.amounts(payment)).toMatchObject({
      captured: 1000,
      settled: 0,
      capturable: 0,
      refundable: 0,
    });
    books.settle(payment);
    expect(books.amounts(payment)).toMatchObject({ captured: 1000, settled: 1000, refundable: 1000 });
  });

  it('declines unknown instruments and keeps the error on the payment', () => {
    const payment = books.createPayment(newPayment('4111111111111111'));
    expect(payment.status).toBe('REJECTED');
    expect(payment.errors?.[0]).toMatchObject({ code: '430330', httpStatusCode: 402 });
    expect(renderPayment(books, payment).statusOutput).toMatchObject({
      statusCode: 100,
      isRetriable: false,
      isAuthorized: false,
    });
    expect(books.amounts(payment).authorized).toBe(0);
  });

  it('enforces the capture rules: partial captures until final, never above the authorization', () => {
    const payment = books.createPayment(newPayment('connect-approve'));
    books.capturePayment(payment, 300, false);
    expect(payment.status).toBe('PENDING_CAPTURE');
    expect(errorOf(() => books.capturePayment(payment, 701, false)).status).toBe(400);
    books.capturePayment(payment, 200, true);
    expect(payment.status).toBe('CAPTURE_REQUESTED');
    expect(books.amounts(payment)).toMatchObject({ captured: 500, cancelled: 500, capturable: 0 });
    expect(errorOf(() => books.capturePayment(payment, 1, false)).status).toBe(405);
  });

  it('treats a capture without amount, or of everything left, as final', () => {
    const a = books.createPayment(newPayment('connect-approve'));
    books.capturePayment(a, undefined, undefined);
    expect(a).toMatchObject({ status: 'CAPTURE_REQUESTED', captureClosed: true });
    const b = books.createPayment(newPayment('connect-approve'));
    books.capturePayment(b, 400, false);
    books.capturePayment(b, 600, false);
    expect(b.status).toBe('CAPTURE_REQUESTED');
    expect(books.amounts(b).cancelled).toBe(0);
  });

  it('keeps the sum of refunds within the captured amount', () => {
    const payment = books.createPayment(newPayment('connect-approve'));
    books.capturePayment(payment, 600, true);
    books.settle(payment);
    books.createRefund(payment, { amount: 500, currencyCode: 'EUR' }, false);
    const over = errorOf(() => books.createRefund(payment, { amount: 101, currencyCode: 'EUR' }, false));
    expect(over.status).toBe(400);
    expect(over.body.errors[0].propertyName).toBe('amountOfMoney.amount');
    const rest = books.createRefund(payment, {}, false);
    expect(rest.amount).toBe(100);
  });

  it('limits a refund of one capture to that capture', () => {
    const payment = books.createPayment(newPayment('connect-approve'));
    books.capturePayment(payment, 300, false);
    const second = books.capturePayment(payment, 700, true);
    expect(errorOf(() => books.createRefund(payment, { amount: 700 }, false, second)).status).toBe(404);
    books.settle(payment);
    expect(errorOf(() => books.createRefund(payment, { amount: 701 }, false, second)).status).toBe(400);
    expect(books.createRefund(payment, { amount: 700 }, false, second).captureId).toBe(second.id);
  });

  it('refuses refunds until the captures they draw on settle, like Connect (404, code 300240)', () => {
    const payment = books.createPayment(newPayment('connect-approve'));
    books.capturePayment(payment, 400, false);
    const early = errorOf(() => books.createRefund(payment, { amount: 100 }, false));
    expect(early.status).toBe(404);
    expect(early.body.errors).toEqual([
      expect.objectContaining({ code: '300240', message: 'GET_ORDERSTATUS ORDER NOT FOUND' }),
    ]);
    books.settle(payment);
    expect(renderPayment(books, payment)).toMatchObject({
      status: 'PENDING_CAPTURE',
      paymentOutput: { amountPaid: 400 },
      statusOutput: { isRefundable: true },
    });
    books.capturePayment(payment, 600, true); // queued: not refundable yet
    expect(books.createRefund(payment, { amount: 400 }, false).status).toBe('REFUND_REQUESTED');
    expect(errorOf(() => books.createRefund(payment, { amount: 600 }, false)).status).toBe(404);
    expect(errorOf(() => books.createRefund(payment, { amount: 601 }, false)).status).toBe(400);
    books.settle(payment);
    expect(books.createRefund(payment, { amount: 600 }, false).status).toBe('REFUND_REQUESTED');
  });

  it('settles one capture or refund at a time, the payment following once nothing is queued', () => {
    const payment = books.createPayment(newPayment('connect-approve'));
    const first = books.capturePayment(payment, 400, false);
    const second = books.capturePayment(payment, 600, true);
    expect(payment.status).toBe('CAPTURE_REQUESTED');
    books.settleCapture(first);
    expect([first.status, second.status, payment.status]).toEqual([
      'CAPTURED',
      'CAPTURE_REQUESTED',
      'CAPTURE_REQUESTED',
    ]);
    books.settleCapture(second);
    expect(payment.status).toBe('CAPTURED');
    const refund = books.createRefund(payment, { amount: 1000 }, false);
    books.settleRefund(refund);
    expect([refund.status, payment.status]).toEqual(['REFUNDED', 'REFUNDED']);
  });

  it('settling a capture reports the payment even when its status stays (a webhook for the new amountPaid)', () => {
    const payment = books.createPayment(newPayment('connect-approve'));
    const capture = books.capturePayment(payment, 400, false);
    changes = [];
    books.settleCapture(capture);
    expect(changes).toEqual([
      { type: 'capture', id: capture.id, status: 'CAPTURED' },
      { type: 'payment', id: payment.id, status: 'PENDING_CAPTURE' },
    ]);
  });

  it('connect-capture-reject: captures end REJECTED_CAPTURE when they settle, nothing is refundable', () => {
    const payment = books.createPayment(newPayment('connect-capture-reject'));
    expect(payment.status).toBe('PENDING_APPROVAL');
    const capture = books.capturePayment(payment, 1000, true);
    expect(capture.status).toBe('CAPTURE_REQUESTED');
    books.settle(payment);
    expect(capture.status).toBe('REJECTED_CAPTURE');
    expect(payment.status).toBe('REJECTED_CAPTURE');
    expect(books.amounts(payment)).toMatchObject({ captured: 0, settled: 0, refundable: 0 });
    expect(errorOf(() => books.createRefund(payment, { amount: 1 }, false)).status).toBe(404);
  });

  it('rejects the configured share of captures (captureRejectRate)', () => {
    const draws = [0.05, 0.5];
    const rejecting = new ConnectBooks(() => new Date(clock), undefined, {
      captureRejectRate: 0.1,
      random: () => draws.shift()!,
    });
    const payment = rejecting.createPayment(newPayment('connect-approve'));
    const rejected = rejecting.capturePayment(payment, 300, false);
    const captured = rejecting.capturePayment(payment, 700, true);
    rejecting.settle(payment);
    expect([rejected.status, captured.status, payment.status]).toEqual([
      'REJECTED_CAPTURE',
      'CAPTURED',
      'CAPTURED',
    ]);
    expect(rejecting.amounts(payment)).toMatchObject({ captured: 700, settled: 700 });
  });

  it('settles requested captures and refunds; everything refunded makes the payment REFUNDED', () => {
    const payment = books.createPayment(newPayment('connect-approve', { requiresApproval: false }));
    books.settle(payment);
    const refund = books.createRefund(payment, { amount: 400 }, false);
    books.settle(payment);
    expect(payment.status).toBe('CAPTURED');
    expect(renderRefund(books, refund)).toMatchObject({
      status: 'REFUNDED',
      refundOutput: { cardRefundMethodSpecificOutput: { totalAmountPaid: 1000, totalAmountRefunded: 400 } },
      statusOutput: { statusCategory: 'REFUNDED', statusCode: 1800, isCancellable: false },
    });
    books.createRefund(payment, { amount: 600 }, false);
    changes = [];
    books.settle(payment);
    expect(payment.status).toBe('REFUNDED');
    expect(changes.map((c) => `${c.type}:${c.status}`)).toEqual(['refund:REFUNDED', 'payment:REFUNDED']);
  });

  it('reports one change per object and operation, with its final status', () => {
    const payment = books.createPayment(newPayment('connect-approve'));
    books.capturePayment(payment, 400, false);
    books.capturePayment(payment, 600, true);
    changes = [];
    books.settle(payment); // two captures settle, the payment CAPTURE_REQUESTED → CAPTURED in one go
    expect(changes.filter((c) => c.type === 'payment')).toEqual([
      { type: 'payment', id: payment.id, status: 'CAPTURED' },
    ]);
    expect(changes.filter((c) => c.type === 'capture')).toHaveLength(2);
  });

  it('only cancels what is cancellable', () => {
    const settled = books.createPayment(newPayment('connect-approve', { requiresApproval: false }));
    books.settle(settled);
    expect(books.isCancellable(settled)).toBe(false);
    expect(errorOf(() => books.cancel(settled)).status).toBe(405);

    const refunded = books.createPayment(newPayment('connect-approve'));
    books.capturePayment(refunded, 400, false);
    books.settle(refunded);
    books.capturePayment(refunded, 600, true);
    books.createRefund(refunded, { amount: 1 }, false);
    expect(refunded.status).toBe('CAPTURE_REQUESTED');
    expect(books.isCancellable(refunded)).toBe(false);

    const pending = books.createPayment(newPayment('connect-approve', { requiresApproval: false }));
    books.cancel(pending);
    expect(books.transaction(pending)).toMatchObject({
      status: 'CANCELLED',
      amountCaptured: 0,
      amountCancelled: 1000,
    });
  });

  it('refund-decline books a REJECTED refund that does not count against the refundable amount', () => {
    const payment = books.createPayment(newPayment('connect-refund-decline', { requiresApproval: false }));
    books.settle(payment);
    const refund = books.createRefund(payment, { amount: 1000 }, false);
    expect(refund.status).toBe('REJECTED');
    expect(books.amounts(payment).refundable).toBe(1000);
  });
});

describe('IdempotenceRegistry', () => {
  let clock: number;
  let books: ConnectBooks;
  let registry: IdempotenceRegistry;
  const fp = requestFingerprint('POST', '/v1/1000/payments', { a: 1, b: [1, 2] });

  beforeEach(() => {
    clock = Date.parse('2025-05-01T12:00:00Z');
    books = new ConnectBooks(() => new Date(clock));
    registry = new IdempotenceRegistry(books, () => new Date(clock));
  });

  it('fingerprints ignore key order but not values, paths or methods', () => {
    expect(requestFingerprint('POST', '/v1/1000/payments', { b: [1, 2], a: 1 })).toBe(fp);
    expect(requestFingerprint('POST', '/v1/1000/payments', { a: 2, b: [1, 2] })).not.toBe(fp);
    expect(requestFingerprint('POST', '/v1/1000/payments/x', { a: 1, b: [1, 2] })).not.toBe(fp);
  });

  it('runs, conflicts while running, replays when done, and forgets after 24 hours', () => {
    const first = registry.begin('1000', 'k', fp);
    expect(first.type).toBe('execute');
    expect(registry.begin('1000', 'k', fp).type).toBe('in_progress');
    expect(registry.begin('2000', 'k', fp).type).toBe('execute'); // keys are per merchant
    registry.finish(first.entry, { status: 201, body: { ok: true } });
    expect(registry.begin('1000', 'k', fp)).toMatchObject({
      type: 'replay',
      entry: { firstTimestampMs: clock },
    });
    // another request under the same key is an attempt of the same request: replayed
    expect(registry.begin('1000', 'k', 'other').type).toBe('replay');
    expect(books.state.counters).toMatchObject({ idempotencyHits: 2, idempotencyConflicts: 1 });

    clock += 24 * 60 * 60 * 1000 - 1;
    expect(registry.begin('1000', 'k', fp).type).toBe('replay');
    clock += 2;
    expect(registry.begin('1000', 'k', fp).type).toBe('execute');
  });

  it('accepts keys of at most 40 ASCII characters', () => {
    expect(idempotenceKeyError('k'.repeat(40))).toBeUndefined();
    expect(idempotenceKeyError('0a1b2c3d4e5f6g7h8i9j0k1l2-authorize-pc')).toBeUndefined();
    expect(idempotenceKeyError('k'.repeat(41))).toMatchObject({
      code: '21000020',
      httpStatusCode: 400,
      propertyName: 'X-GCS-Idempotence-Key',
    });
    expect(idempotenceKeyError('clé')).toMatchObject({ propertyName: 'X-GCS-Idempotence-Key' });
    expect(idempotenceKeyError('tab\there')).toBeDefined();
  });

  it('does not keep 5xx answers', () => {
    const first = registry.begin('1000', 'k5', fp);
    registry.finish(first.entry, { status: 500, body: {} });
    expect(registry.begin('1000', 'k5', fp).type).toBe('execute');
  });

  it('holds and releases a key through the control API', () => {
    registry.hold('1000', 'held');
    expect(registry.begin('1000', 'held', fp).type).toBe('in_progress');
    expect(registry.release('1000', 'held')).toBe(true);
    expect(registry.release('1000', 'held')).toBe(false);
    expect(registry.begin('1000', 'held', fp).type).toBe('execute');
  });
});
