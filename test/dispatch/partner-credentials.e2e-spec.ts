import { setPartnerAccount } from '../../apps/cli/src/provisioning';
import { DEMO_PARTNER_ACCOUNTS } from '../../apps/cli/src/demo';
import { giftCardAndCard } from '../support/payloads';
import { eventually, TestStack } from '../support/stack';

/**
 * A partner refusing our credentials (Paytronix: HTTP 401) did nothing: that is a configuration
 * failure for an operator, never an unknown outcome to reconcile. The tender fails at once, the split
 * is refused and its card hold released.
 */
describe('a partner refusing our credentials', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: true });
    const paytronix = DEMO_PARTNER_ACCOUNTS.find((a) => a.partner === 'paytronix')!;
    await setPartnerAccount(stack.prisma, stack.cipher, stack.entityId, 'paytronix', {
      methods: paytronix.methods,
      credentials: {
        ...paytronix.credentials,
        endpoint: stack.simulators.paytronix.url,
        b2b: { username: 'tender', password: 'not-the-password' },
      },
      config: paytronix.config,
    });
  });
  afterAll(() => stack.close());

  it('fails the tender (never UNKNOWN) and refuses the split, releasing the card hold', async () => {
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: { ...giftCardAndCard(), capture_mode: 'MANUAL' },
    });
    expect(created.status).toBe(201);
    const tenders = await eventually(async () => {
      const rows = await stack.prisma.partnerTransaction.findMany({
        where: { paymentId: created.body.id },
        orderBy: { position: 'asc' },
      });
      return rows[0].status === 'FAILED' && rows[1].status === 'CANCELLED' ? rows : undefined;
    });
    expect(tenders[0]).toMatchObject({
      partner: 'paytronix',
      partnerStatus: 'authentication.invalid_b2b_credentials',
      unknownSince: null,
      attempts: 1,
    });
    const payment = await stack.prisma.payment.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(payment.status).toBe('REFUSED');
    expect(payment.failure).toMatchObject({ partner: 'paytronix', status: 'FAILED' });
    // Nothing was booked at Paytronix; the card hold at Connect was voided.
    const journal = await stack.sim(
      'paytronix',
      `/_sim/paytronix/transactions?reference=${tenders[0].reference}`,
    );
    expect(journal.transactions).toEqual([]);
    const atConnect = await stack.sim('connect', `/_sim/connect/payments/${tenders[1].partnerReference}`);
    expect(atConnect.transaction).toMatchObject({ amountCancelled: 2000, amountCaptured: 0 });
  });
});
