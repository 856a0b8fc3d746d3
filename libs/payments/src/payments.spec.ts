import { paymentEvents } from './events';
import { operationRow, paymentRow, tenderRow } from './fixtures';
import { allocatableTenders, releasesAfterCapture } from './operations';
import { advancePayment } from './saga';
import { paymentAmounts, presentPayment } from './presenter';

describe('payment amounts from rows', () => {
  it('derives the Purse example: gift card captured in full, card partly', () => {
    const gift = tenderRow('paytronix', 'giftcard', 2000);
    const card = tenderRow('connect', 'card', 2299, 'AUTHORIZED', 1);
    const payment = paymentRow(
      [gift, card],
      [
        operationRow('CAPTURE', [
          { tenderId: gift.id, amount: 2000 },
          { tenderId: card.id, amount: 1000 },
        ]),
      ],
    );
    expect(paymentAmounts(payment)).toEqual({
      authorize_pending: 0,
      total_authorized: 4299,
      total_captured: 3000,
      total_voided: 0,
      total_refunded: 0,
      available_to_capture: 1299,
      available_to_void: 1299,
      available_to_refund: 3000,
    });
    const view = presentPayment(payment) as any;
    expect(view.overview).toEqual({
      consumed: 'PARTIALLY',
      captured: 'PARTIALLY',
      voided: 'NOT',
      refunded: 'NOT',
    });
    expect(Object.keys(view.links)).toEqual(expect.arrayContaining(['self', 'capture', 'void', 'refund']));
  });

  it('counts pending tenders as authorize_pending and only successful legs as moved money', () => {
    const card = tenderRow('connect', 'card', 1000, 'PENDING');
    const payment = paymentRow([card], [], 'PENDING');
    expect(paymentAmounts(payment)).toMatchObject({ authorize_pending: 1000, total_authorized: 0 });
    const authorized = tenderRow('connect', 'card', 1000);
    const withPending = paymentRow(
      [authorized],
      [operationRow('CAPTURE', [{ tenderId: authorized.id, amount: 400 }], 'PENDING')],
    );
    expect(paymentAmounts(withPending)).toMatchObject({ total_captured: 0, available_to_capture: 1000 });
  });

  it('counts a cancelled tender as authorized only for what was captured or voided on it', () => {
    const neverSent = tenderRow('paytronix', 'giftcard', 500, 'CANCELLED');
    const voided = tenderRow('connect', 'card', 700, 'CANCELLED', 1);
    const payment = paymentRow(
      [neverSent, voided],
      [operationRow('VOID', [{ tenderId: voided.id, amount: 700 }])],
      'REFUSED',
    );
    expect(paymentAmounts(payment)).toMatchObject({
      total_authorized: 700,
      total_voided: 700,
      available_to_void: 0,
    });
  });
});

describe('reservations', () => {
  it('counts pending captures and voids as taken, and lets refunds draw on pending captures too', () => {
    const card = tenderRow('connect', 'card', 4299);
    const payment = paymentRow(
      [card],
      [
        operationRow('CAPTURE', [{ tenderId: card.id, amount: 1000 }], 'SUCCESS'),
        operationRow('CAPTURE', [{ tenderId: card.id, amount: 1000 }], 'PENDING'),
        operationRow('CAPTURE', [{ tenderId: card.id, amount: 500, status: 'FAILED' }], 'FAILED'),
        operationRow('REFUND', [{ tenderId: card.id, amount: 300 }], 'PENDING'),
      ],
    );
    const [forCapture] = allocatableTenders(payment, 'CAPTURE');
    expect(forCapture).toMatchObject({ authorized: 4299, captured: 2000, voided: 0, captureCount: 2 });
    const [forRefund] = allocatableTenders(payment, 'REFUND');
    expect(forRefund).toMatchObject({ captured: 2000, refunded: 300, refundCount: 1 });
  });

  it('lets a fraud-held tender be voided but not captured', () => {
    const held = tenderRow('connect', 'card', 800, 'PENDING_FRAUD_APPROVAL');
    const payment = paymentRow([held], [], 'PENDING_FRAUD_APPROVAL');
    expect(allocatableTenders(payment, 'VOID')[0].authorized).toBe(800);
    expect(allocatableTenders(payment, 'CAPTURE')[0].authorized).toBe(0);
  });

  it('releases the rest of a tender that captures only once', () => {
    const gift = tenderRow('paytronix', 'giftcard', 2000);
    const card = tenderRow('connect', 'card', 2299, 'AUTHORIZED', 1);
    const tenders = allocatableTenders(paymentRow([gift, card]), 'CAPTURE');
    expect(releasesAfterCapture(tenders, [{ tenderId: gift.id, amount: 500 }])).toEqual({
      type: 'VOID',
      amount: 1500,
      legs: [{ tenderId: gift.id, amount: 1500 }],
      triggeredBy: 'SYSTEM',
    });
    expect(releasesAfterCapture(tenders, [{ tenderId: card.id, amount: 500 }])).toBeUndefined();
  });
});

describe('merchant events of a change', () => {
  it('names tender, authorization, fraud review and operation changes', () => {
    const card = tenderRow('connect', 'card', 1000, 'PENDING_FRAUD_APPROVAL');
    const before = paymentRow([card], [], 'PENDING_FRAUD_APPROVAL');
    const after = paymentRow(
      [{ ...card, status: 'AUTHORIZED' }],
      [operationRow('CAPTURE', [{ tenderId: card.id, amount: 1000 }], 'SUCCESS')],
      'AUTHORIZED',
    );
    expect(paymentEvents(before, after).map((e) => `${e.type}:${e.action}`)).toEqual([
      'PAYMENT_PARTNER_TRANSACTION:authorized',
      'PAYMENT_AUTHORIZATION:authorized',
      'PAYMENT_FRAUD_REVIEW:released',
      'PAYMENT_CAPTURE:created',
      'PAYMENT_CAPTURE:succeeded',
    ]);
    expect(paymentEvents(after, after)).toEqual([]);
  });
});

describe('refunds waiting for their capture to settle', () => {
  const unused = {
    query: () => Promise.reject(new Error('the saga step needs no query here')),
  };
  /** A card captured (capture in `captureStatus`, settled after the refund was asked), then refunded 400. */
  function refundOnCapture(captureStatus: string) {
    const card = tenderRow('connect', 'card', 1000);
    const capture = operationRow('CAPTURE', [{ tenderId: card.id, amount: 1000 }], captureStatus);
    const refund = operationRow('REFUND', [{ tenderId: card.id, amount: 400 }], 'PENDING');
    refund.legs[0].attempts = 0;
    capture.legs[0].updatedAt = new Date(refund.legs[0].createdAt.getTime() + 1000);
    return { payment: paymentRow([card], [capture, refund]), refundLeg: refund.legs[0] };
  }

  it('keeps a refund unsent while the capture it draws on is pending', async () => {
    const { payment } = refundOnCapture('PENDING');
    const advanced = await advancePayment(unused, payment);
    expect(advanced.jobs).toEqual([]);
    expect(advanced.writes).toEqual([]);
  });

  it('sends it once the capture succeeded', async () => {
    const { payment, refundLeg } = refundOnCapture('SUCCESS');
    const advanced = await advancePayment(unused, payment);
    expect(advanced.jobs).toEqual([
      expect.objectContaining({
        jobId: `operation-${refundLeg.id}-after-captures`,
        data: { kind: 'operation', legId: refundLeg.id },
      }),
    ]);
  });

  it('fails it, unsent, when the capture failed', async () => {
    const { payment, refundLeg } = refundOnCapture('FAILED');
    payment.operations[0].legs[0].status = 'FAILED';
    const advanced = await advancePayment(unused, payment);
    expect(advanced.jobs.filter((j) => j.data.kind === 'operation')).toEqual([]);
    expect(refundLeg).toMatchObject({ status: 'FAILED', partnerStatus: 'capture_not_settled' });
    expect(payment.operations[1].status).toBe('FAILED');
  });
});
