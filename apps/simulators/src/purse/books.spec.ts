import {
  applyOperation,
  availableFor,
  computeAmounts,
  computeOverview,
  createPayment,
  findByReference,
  initialPurseState,
  type CreatePaymentInput,
} from './books';
import { ledgerOf, toWire } from './wire';

const now = new Date('2025-01-02T03:04:05.000Z');

function input(overrides: Partial<CreatePaymentInput> = {}): CreatePaymentInput {
  return {
    entity_id: 'entity-1',
    amount: 4299,
    currency: 'EUR',
    capture_mode: 'MANUAL',
    allow_future_usage: false,
    order: { reference: 'order-1' },
    split: [
      { partner: 'dalenys', method: 'creditcard', amount: 2299, token: 'purse-approve' },
      { partner: 'easy2play', method: 'giftcard', amount: 2000, token: 'purse-approve' },
    ],
    ...overrides,
  };
}

describe('Purse books', () => {
  it('authorizes every tender and holds the whole amount', () => {
    const payment = createPayment(input(), now);
    expect(payment.authorization.status).toBe('AUTHORIZED');
    expect(payment.version).toBe(1);
    expect(computeAmounts(payment)).toEqual({
      authorize_pending: 0,
      total_authorized: 4299,
      total_captured: 0,
      total_voided: 0,
      total_refunded: 0,
      available_to_capture: 4299,
      available_to_void: 4299,
      available_to_refund: 0,
    });
  });

  it('reproduces the seed example: a 3000 capture takes the gift card first', () => {
    const payment = createPayment(input(), now);
    const capture = applyOperation(payment, 'capture', { amount: 3000, merchant_reference: 'CAP#1' }, now);
    expect(capture.partner_transactions.map((t) => [t.partner, t.amount])).toEqual([
      ['easy2play', 2000],
      ['dalenys', 1000],
    ]);
    const amounts = computeAmounts(payment);
    expect(amounts).toMatchObject({
      total_captured: 3000,
      available_to_capture: 1299,
      available_to_refund: 3000,
    });
    expect(computeOverview(amounts)).toEqual({
      consumed: 'PARTIALLY',
      captured: 'PARTIALLY',
      voided: 'NOT',
      refunded: 'NOT',
    });
    expect(payment.version).toBe(2);
  });

  it('voids the rest, then refunds everything: FULLY consumed and refunded', () => {
    const payment = createPayment(input(), now);
    applyOperation(payment, 'capture', { amount: 3000, merchant_reference: 'CAP#1' }, now);
    applyOperation(payment, 'void', { amount: 1299, merchant_reference: 'VOID#1' }, now);
    expect(availableFor(payment, 'capture')).toBe(0);
    applyOperation(payment, 'refund', { amount: 3000, merchant_reference: 'REF#1' }, now);
    const amounts = computeAmounts(payment);
    expect(amounts).toMatchObject({ total_voided: 1299, total_refunded: 3000, available_to_refund: 0 });
    expect(computeOverview(amounts)).toEqual({
      consumed: 'FULLY',
      captured: 'PARTIALLY',
      voided: 'PARTIALLY',
      refunded: 'FULLY',
    });
    expect(toWire(payment).links).toEqual({ self: { href: `/v2/payments/${payment.id}`, method: 'GET' } });
  });

  it('refuses the whole authorization when one tender is declined, releasing the others', () => {
    const payment = createPayment(
      input({
        split: [
          { partner: 'dalenys', method: 'creditcard', amount: 2299, token: 'purse-decline' },
          { partner: 'easy2play', method: 'giftcard', amount: 2000, token: 'purse-approve' },
        ],
      }),
      now,
    );
    expect(payment.authorization.status).toBe('REFUSED');
    expect(payment.authorization.partner_transactions.map((t) => t.status)).toEqual(['REFUSED', 'CANCELLED']);
    expect(payment.authorization.partner_transactions[0]).toMatchObject({
      partner_status: '05',
      partner_status_description: 'Refused by issuer',
    });
    expect(computeAmounts(payment).total_authorized).toBe(0);
  });

  it('declines unknown tokens', () => {
    const payment = createPayment(
      input({ amount: 100, split: [{ partner: 'x', method: 'creditcard', amount: 100, token: 'nope' }] }),
      now,
    );
    expect(payment.authorization.status).toBe('REFUSED');
    expect(payment.authorization.partner_transactions[0].partner_status).toBe('14');
  });

  it('captures in full at once under capture_mode AUTOMATIC', () => {
    const payment = createPayment(input({ capture_mode: 'AUTOMATIC' }), now);
    expect(payment.captures).toHaveLength(1);
    expect(payment.captures[0]).toMatchObject({ triggered_by: 'SYSTEM', status: 'SUCCESS', amount: 4299 });
    expect(computeOverview(computeAmounts(payment)).captured).toBe('FULLY');
  });

  it('books a FAILED capture for purse-capture-fail, moving nothing', () => {
    const payment = createPayment(
      input({
        amount: 500,
        split: [{ partner: 'p', method: 'creditcard', amount: 500, token: 'purse-capture-fail' }],
      }),
      now,
    );
    const capture = applyOperation(payment, 'capture', { amount: 500, merchant_reference: 'CAP#1' }, now);
    expect(capture.status).toBe('FAILED');
    expect(computeAmounts(payment)).toMatchObject({ total_captured: 0, available_to_capture: 500 });
  });

  it('does not put internal ties on the wire', () => {
    const payment = createPayment(input(), now);
    applyOperation(payment, 'capture', { amount: 100, merchant_reference: 'CAP#1' }, now);
    const wire = JSON.stringify(toWire(payment));
    expect(wire).not.toContain('authorization_transaction_id');
    expect(wire).not.toContain('purse-approve');
  });

  it('finds payments by order reference or operation merchant_reference', () => {
    const state = initialPurseState();
    const payment = createPayment(input(), now);
    state.payments[payment.id] = payment;
    applyOperation(payment, 'capture', { amount: 100, merchant_reference: 'CAP#9' }, now);
    expect(findByReference(state, 'order-1')).toHaveLength(1);
    expect(findByReference(state, 'CAP#9')).toHaveLength(1);
    expect(findByReference(state, 'other')).toHaveLength(0);
    expect(ledgerOf(payment)).toMatchObject({ held: 4199, captured: 100, operations: [{ kind: 'capture' }] });
  });
});
