import { MAX_COMPENSATION_ATTEMPTS } from '@tender/domain';
import { ConsoleSession, newOperator } from '../support/console';
import { giftCardAndCard } from '../support/payloads';
import { eventually, TestStack } from '../support/stack';

/**
 * Needs attention lists the holds a partner refused to release: a split refused after its card was
 * held, whose compensating voids Connect refused MAX_COMPENSATION_ATTEMPTS times (HTTP 405, so each
 * leg is FAILED, not UNKNOWN). Payments whose hold was released, or that are authorized, are not.
 */
const BOUND_MS = 30_000;
const EMPTY_GIFT_CARD = '6000000000000000';

describe('console: holds the partner refused to release', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: true });
  }, 60_000);

  afterAll(() => stack?.close());

  async function createPayment(body: unknown): Promise<string> {
    const created = await stack.request('POST', '/v2/payments', { token: stack.frontOffice, body });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  const refusedWithVoids = (paymentId: string, voidStatus: string, count: number) =>
    eventually(
      async () => {
        const payment = await stack.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
        const voids = await stack.prisma.operationTransaction.findMany({
          where: { operation: { paymentId, type: 'VOID' }, status: voidStatus },
        });
        return payment.status === 'REFUSED' && voids.length >= count ? voids : undefined;
      },
      BOUND_MS,
      `${paymentId} REFUSED with ${count} ${voidStatus} voids`,
    );

  it('lists a hold whose voids Connect refused, with the partner answer and the instruction; viewers read it', async () => {
    await stack.sim('connect', '/_sim/faults', 'POST', {
      fault: 'partner-refusal',
      path: '/payments/[^/]+/cancel$',
      method: 'POST',
      count: MAX_COMPENSATION_ATTEMPTS,
    });
    // The card is held first, then the empty gift card is denied: the split is refused.
    const stuckId = await createPayment(giftCardAndCard({ giftCard: EMPTY_GIFT_CARD, card: 2000 }));
    const failedVoids = await refusedWithVoids(stuckId, 'FAILED', MAX_COMPENSATION_ATTEMPTS);
    expect(failedVoids).toHaveLength(MAX_COMPENSATION_ATTEMPTS);
    const card = await stack.prisma.partnerTransaction.findFirstOrThrow({
      where: { paymentId: stuckId, partner: 'connect' },
    });
    expect(card.status).toBe('AUTHORIZED');

    // The faults are spent: this split's hold is released, and this payment is authorized.
    const releasedId = await createPayment(giftCardAndCard({ giftCard: EMPTY_GIFT_CARD, card: 1500 }));
    await refusedWithVoids(releasedId, 'SUCCESS', 1);
    const authorizedId = await createPayment({
      amount: 1200,
      currency: 'EUR',
      capture_mode: 'MANUAL',
      split: [
        { partner: 'connect', method: 'card', amount: 1200, payment_method: { token: 'connect-approve' } },
      ],
    });
    await stack.waitForTender(authorizedId, 'AUTHORIZED');

    const viewer = await ConsoleSession.signIn(stack, await newOperator(stack, 'viewer'));
    const listed = await viewer.get('/needs-attention');
    expect(listed.status).toBe(200);
    const holds = listed.body.stuck_holds as Array<Record<string, unknown>>;
    expect(holds).toContainEqual({
      payment_id: stuckId,
      entity_id: stack.entityId,
      payment_status: 'REFUSED',
      tender_id: card.id,
      tender_status: 'AUTHORIZED',
      partner: 'connect',
      method: 'card',
      partner_reference: card.partnerReference,
      amount_held: 2000,
      currency: 'EUR',
      failed_voids: MAX_COMPENSATION_ATTEMPTS,
      last_void: {
        partner_status: '1002',
        partner_status_description: expect.stringContaining('HTTP 405'),
        at: expect.any(String),
      },
      instruction: expect.stringContaining("partner's back office"),
    });
    const listedPayments = holds.map((h) => h.payment_id);
    expect(listedPayments).not.toContain(releasedId);
    expect(listedPayments).not.toContain(authorizedId);
    // The tender's instrument never reaches the browser.
    expect(listed.text).not.toContain('connect-approve');
    expect(listed.text).not.toContain(EMPTY_GIFT_CARD);

    const operator = await ConsoleSession.signIn(stack, await newOperator(stack, 'operator'));
    const forOperator = await operator.get('/needs-attention');
    expect(forOperator.body.stuck_holds).toEqual(listed.body.stuck_holds);
  });
});
