import { operationRow, paymentRow, tenderRow } from './fixtures';
import { consoleActions, paymentTimeline, tenderSplits } from './timeline';

const later = (date: Date, ms: number) => new Date(date.getTime() + ms);

describe('the console view of a payment', () => {
  it('splits each tender into authorized, captured, voided and refunded', () => {
    const gift = tenderRow('paytronix', 'giftcard', 2000);
    const card = tenderRow('connect', 'card', 3000, 'AUTHORIZED', 1);
    const payment = paymentRow(
      [card, gift],
      [
        operationRow('CAPTURE', [
          { tenderId: gift.id, amount: 2000 },
          { tenderId: card.id, amount: 1000 },
        ]),
        operationRow('REFUND', [{ tenderId: card.id, amount: 400 }]),
        operationRow('VOID', [{ tenderId: card.id, amount: 500 }], 'FAILED'),
      ],
    );
    expect(tenderSplits(payment).map(({ id: _id, ...split }) => split)).toEqual([
      {
        position: 0,
        partner: 'paytronix',
        method: 'giftcard',
        amount: 2000,
        status: 'AUTHORIZED',
        authorized: 2000,
        captured: 2000,
        voided: 0,
        refunded: 0,
      },
      {
        position: 1,
        partner: 'connect',
        method: 'card',
        amount: 3000,
        status: 'AUTHORIZED',
        authorized: 3000,
        captured: 1000,
        voided: 0,
        refunded: 400,
      },
    ]);
    expect(consoleActions(payment).actions).toEqual({
      capture: { allowed: true, max: 2000 },
      void: { allowed: true, max: 2000 },
      refund: { allowed: true, max: 2600 },
      approve: { allowed: false, max: null },
    });
  });

  it('offers only what the status allows: approve and void when held for fraud review, nothing on a refused payment', () => {
    const held = paymentRow(
      [tenderRow('connect', 'card', 1000, 'PENDING_FRAUD_APPROVAL')],
      [],
      'PENDING_FRAUD_APPROVAL',
    );
    expect(consoleActions(held).actions).toMatchObject({
      capture: { allowed: false },
      void: { allowed: true },
      approve: { allowed: true },
    });
    const refused = paymentRow([tenderRow('connect', 'card', 1000, 'REFUSED')], [], 'REFUSED');
    expect(Object.values(consoleActions(refused).actions).some((a) => a.allowed)).toBe(false);
  });

  it('orders the timeline by time; a settled call has its duration, an open one its reason', () => {
    const card = tenderRow('connect', 'card', 1000);
    card.updatedAt = later(card.createdAt, 120);
    card.partnerToken = 'tok_secret' as never;
    card.instrument = { token: 'raw' } as never;
    const open = tenderRow('purse', 'card', 500, 'UNKNOWN', 1);
    open.attempts = 2;
    open.lastError = { reason: 'timeout', gave_up: true } as never;
    const capture = operationRow('CAPTURE', [{ tenderId: card.id, amount: 600 }]);
    capture.createdAt = later(card.createdAt, 1000);
    const payment = paymentRow([card, open], [capture]);
    const timeline = paymentTimeline(
      payment,
      [
        {
          id: 'ev',
          type: 'PAYMENT_CAPTURE',
          action: 'created',
          created_at: later(card.createdAt, 1001).toISOString(),
          status: 'DELIVERED',
          delivery_attempts: [
            {
              attempted_at: later(card.createdAt, 1100).toISOString(),
              response_status: 200,
              duration_ms: 35,
            },
          ],
        },
      ],
      [
        {
          id: 'a',
          at: later(card.createdAt, 999),
          actor: 'ops@example.org',
          action: 'payment.capture',
          reason: 'shipped',
          targetId: 'p',
          details: { amount: 600 },
        },
      ],
    );
    expect(timeline.map((e) => e.kind)).toEqual([
      'payment',
      'authorization',
      'authorization',
      'audit',
      'capture',
      'event',
    ]);
    expect(timeline[1].calls).toEqual([
      expect.objectContaining({
        partner: 'connect',
        status: 'AUTHORIZED',
        calls: 1,
        duration_ms: 120,
        open_reason: null,
      }),
    ]);
    expect(timeline[2].calls).toEqual([
      expect.objectContaining({
        partner: 'purse',
        calls: 2,
        duration_ms: null,
        open_reason: 'timeout',
        gave_up: true,
      }),
    ]);
    expect(timeline[3]).toMatchObject({
      title: 'payment.capture by ops@example.org',
      detail: { reason: 'shipped', amount: 600 },
    });
    expect(timeline[4]).toMatchObject({ title: 'Capture (merchant)', amount: 600, status: 'SUCCESS' });
    expect(JSON.stringify(timeline)).not.toMatch(/tok_secret|raw/);
  });
});
