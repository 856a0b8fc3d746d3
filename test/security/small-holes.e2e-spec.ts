import { TestStack } from '../support/stack';

/** Issue #12 item 7: the smaller holes, each checked against the real API. */
describe('smaller holes (issue #12 item 7)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ simulators: false });
  });
  afterAll(() => stack.close());

  const rows = () => Promise.all([stack.prisma.payment.count(), stack.prisma.partnerTransaction.count()]);

  describe('merchant-initiated charges (parent_payment_id) need back_office', () => {
    const mit = (parent = '00000000-0000-4000-8000-000000000000') => ({
      amount: 500,
      currency: 'EUR',
      split: [{ amount: 500, parent_payment_id: parent }],
    });

    it('refuses them to a front-office token: 403 insufficient_scope naming the field, nothing written', async () => {
      const before = await rows();
      const answer = await stack.request('POST', '/v2/payments', { token: stack.frontOffice, body: mit() });
      expect(answer.status).toBe(403);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status: 403, code: 'insufficient_scope' });
      expect(answer.body.detail).toContain('split[0].parent_payment_id');
      expect(answer.body.detail).toContain('back_office');
      expect(await rows()).toEqual(before);
    });

    it('lets a back-office token through the scope check (the unknown parent is then a 4xx of its own)', async () => {
      const answer = await stack.request('POST', '/v2/payments', { token: stack.backOffice, body: mit() });
      expect(answer.status).not.toBe(403);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(JSON.stringify(answer.body)).toContain('split[0].parent_payment_id');
    });
  });
});
