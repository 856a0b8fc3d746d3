import { randomBytes, randomUUID } from 'node:crypto';
import { newId } from '@tender/persistence';
import { ConsoleSession, newOperator } from '../support/console';
import { RecordingListener } from '../support/recording-listener';
import { eventually, TestStack } from '../support/stack';

/**
 * The console's JSON API on payments: detail with timeline, actions through the merchant use cases
 * (same limits), audit_log, viewers read only; Needs attention settles a given-up outcome.
 */
const BOUND_MS = 30_000;

describe('console payments API', () => {
  let stack: TestStack;
  let operator: ConsoleSession;
  let viewer: ConsoleSession;
  let operatorId: string;

  beforeAll(async () => {
    stack = await TestStack.start({
      worker: true,
      env: {
        PARTNER_TIMEOUT_MS: '1000',
        PARTNER_IN_FLIGHT_MARGIN_MS: '200',
        RECONCILE_SCHEDULE_MS: '100,200',
      },
    });
    const account = await newOperator(stack, 'operator');
    operatorId = account.id;
    operator = await ConsoleSession.signIn(stack, account);
    viewer = await ConsoleSession.signIn(stack, await newOperator(stack, 'viewer'));
  }, 60_000);

  afterAll(() => stack?.close());

  async function authorizedPayment(amount: number, orderReference: string): Promise<string> {
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: {
        amount,
        currency: 'EUR',
        capture_mode: 'MANUAL',
        order: { reference: orderReference, net_amount: amount },
        split: [{ partner: 'connect', method: 'card', amount, payment_method: { token: 'connect-approve' } }],
      },
    });
    expect(created.status).toBe(201);
    await stack.waitForTender(created.body.id, 'AUTHORIZED');
    return created.body.id;
  }

  const detailUntil = (id: string, ready: (body: any) => boolean) =>
    eventually(
      async () => {
        const detail = await viewer.get(`/payments/${id}`);
        return detail.status === 200 && ready(detail.body) ? detail.body : undefined;
      },
      BOUND_MS,
      `console detail of ${id}`,
    );

  it('shows a payment: amounts, overview, split per tender, a timeline of calls; never instruments or partner tokens', async () => {
    const id = await authorizedPayment(4200, `ord-${randomBytes(4).toString('hex')}`);
    const detail = await viewer.get(`/payments/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.headers.get('cache-control')).toBe('no-store');
    expect(detail.body.payment).toMatchObject({ id, amount: 4200, authorization: { status: 'AUTHORIZED' } });
    expect(detail.body.amounts).toMatchObject({ total_authorized: 4200, available_to_capture: 4200 });
    expect(detail.body.overview).toBeDefined();
    expect(detail.body.tenders).toEqual([
      expect.objectContaining({ partner: 'connect', amount: 4200, authorized: 4200, captured: 0 }),
    ]);
    expect(detail.body.actions).toMatchObject({
      capture: { allowed: true, max: 4200 },
      refund: { allowed: false, max: 0 },
      approve: { allowed: false },
    });
    const authorization = detail.body.timeline.find((e: any) => e.kind === 'authorization');
    expect(authorization).toMatchObject({ status: 'AUTHORIZED', amount: 4200 });
    expect(authorization.calls).toEqual([
      expect.objectContaining({
        partner: 'connect',
        status: 'AUTHORIZED',
        calls: 1,
        duration_ms: expect.any(Number),
      }),
    ]);
    expect(detail.body.fraud_review).toMatchObject({
      pending: false,
      held_tenders: [],
      results: [expect.objectContaining({ partner: 'connect', result: 'accepted' })],
    });
    expect(detail.body.events.length).toBeGreaterThan(0);
    expect(detail.body.events[0]).toMatchObject({ type: expect.any(String), delivery_attempts: [] });
    expect(detail.text).not.toMatch(/partner_token|"instrument"|connect-approve|credentials|secret/);

    expect((await viewer.get(`/payments/${randomUUID()}`)).status).toBe(404);
    expect((await viewer.get('/payments/not-a-uuid')).status).toBe(404);
  });

  it('lists payments of every entity newest first, found by order reference, with the merchant list filters', async () => {
    const reference = `ord-${randomBytes(4).toString('hex')}`;
    const first = await authorizedPayment(700, reference);
    const second = await authorizedPayment(800, reference);
    const list = await viewer.get(`/payments?order_reference=${reference}&limit=1`);
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      {
        id: second,
        entity_id: stack.entityId,
        created_at: expect.any(String),
        amount: 800,
        currency: 'EUR',
        status: 'AUTHORIZED',
        order_reference: reference,
        partners: ['connect'],
      },
    ]);
    const next = await viewer.get(
      `/payments?order_reference=${reference}&limit=1&cursor=${list.body.next_cursor}`,
    );
    expect(next.body.data.map((p: any) => p.id)).toEqual([first]);
    expect(next.body.next_cursor).toBeNull();
    const bad = await viewer.get('/payments?limit=500&cursor=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['cursor', 'limit']);
  });

  it('captures part and refunds part through the use cases, each audited with who and why; the amounts follow', async () => {
    const id = await authorizedPayment(5000, `ord-${randomBytes(4).toString('hex')}`);
    const noReason = await operator.send('POST', `/payments/${id}/capture`, { amount: 1000 });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
    const badAmount = await operator.send('POST', `/payments/${id}/capture`, {
      amount: 10.5,
      reason: 'partial ship',
    });
    expect(badAmount.status).toBe(400);
    expect(badAmount.body.errors).toEqual([expect.objectContaining({ field: 'amount' })]);
    const tooMuch = await operator.send('POST', `/payments/${id}/capture`, {
      amount: 5001,
      reason: 'too much',
    });
    expect(tooMuch.status).toBe(422); // the merchant API's own rule
    const withoutCsrf = await operator.send(
      'POST',
      `/payments/${id}/capture`,
      { amount: 1000, reason: 'x y z' },
      null,
    );
    expect(withoutCsrf.status).toBe(403);
    expect(await stack.prisma.auditLog.count({ where: { paymentId: id } })).toBe(0);

    const captured = await operator.send('POST', `/payments/${id}/capture`, {
      amount: 1500,
      reason: 'first parcel shipped',
    });
    expect(captured.status).toBe(201);
    await detailUntil(id, (d) => d.amounts.total_captured === 1500);
    const refunded = await operator.send('POST', `/payments/${id}/refund`, {
      amount: 400,
      reason: 'damaged item',
    });
    expect(refunded.status).toBe(201);
    const detail = await detailUntil(id, (d) => d.amounts.total_refunded === 400);
    expect(detail.tenders[0]).toMatchObject({ authorized: 5000, captured: 1500, refunded: 400 });
    expect(detail.actions.refund).toEqual({ allowed: true, max: 1100 });
    expect(detail.timeline.map((e: any) => e.kind)).toEqual(
      expect.arrayContaining(['capture', 'refund', 'audit']),
    );
    const capture = detail.timeline.find((e: any) => e.kind === 'capture');
    expect(capture.calls).toEqual([expect.objectContaining({ status: 'SUCCESS', amount: 1500, calls: 1 })]);

    const audit = await stack.prisma.auditLog.findMany({ where: { paymentId: id }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => [a.action, a.reason, a.operatorId, a.details])).toEqual([
      ['payment.capture', 'first parcel shipped', operatorId, expect.objectContaining({ amount: 1500 })],
      ['payment.refund', 'damaged item', operatorId, expect.objectContaining({ amount: 400 })],
    ]);
    expect(detail.audit).toEqual([
      expect.objectContaining({ action: 'payment.capture', reason: 'first parcel shipped' }),
      expect.objectContaining({ action: 'payment.refund', reason: 'damaged item' }),
    ]);
  });

  it('approves a payment held for fraud review, through the approve use case, and audits it', async () => {
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: {
        amount: 1300,
        currency: 'EUR',
        capture_mode: 'MANUAL',
        order: { reference: `ord-${randomBytes(4).toString('hex')}`, net_amount: 1300 },
        split: [
          {
            partner: 'connect',
            method: 'card',
            amount: 1300,
            payment_method: { token: 'connect-challenge' },
          },
        ],
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const held = await detailUntil(id, (body) => body.fraud_review.pending);
    expect(held.actions.approve).toEqual({ allowed: true, max: null });
    expect(held.fraud_review.held_tenders).toHaveLength(1);

    const refused = await operator.send('POST', `/payments/${id}/approve`, {});
    expect(refused.status).toBe(400); // a reason is required
    const approved = await operator.send('POST', `/payments/${id}/approve`, { reason: 'customer called in' });
    expect(approved.status).toBe(201);
    expect(approved.body.authorization.status).toBe('AUTHORIZED');

    const after = await detailUntil(id, (body) => !body.fraud_review.pending);
    expect(after.payment.authorization.status).toBe('AUTHORIZED');
    expect(after.actions.approve.allowed).toBe(false);
    expect(after.actions.capture).toEqual({ allowed: true, max: 1300 });
    expect(after.audit).toEqual([
      expect.objectContaining({
        action: 'payment.approve',
        reason: 'customer called in',
        target_type: 'payment',
        target_id: id,
        details: { status_after: 'AUTHORIZED' },
      }),
    ]);
    const audited = after.timeline.filter((e: any) => e.kind === 'audit');
    expect(audited).toHaveLength(1);
    const rows = await stack.prisma.auditLog.findMany({ where: { paymentId: id } });
    expect(rows.map((r) => ({ operatorId: r.operatorId, action: r.action }))).toEqual([
      { operatorId, action: 'payment.approve' },
    ]);
    // Approved once: a second approval is refused by the use case, and not audited.
    expect((await operator.send('POST', `/payments/${id}/approve`, { reason: 'again' })).status).toBe(409);
    expect(await stack.prisma.auditLog.count({ where: { paymentId: id } })).toBe(1);
  });

  it('lists payments filtered by status and partner, and tells the page which values it accepts', async () => {
    const filters = await viewer.get('/payments/filters');
    expect(filters.status).toBe(200);
    expect(filters.headers.get('cache-control')).toBe('no-store');
    expect(filters.body.partners).toEqual(['connect', 'purse', 'paytronix']);
    expect(filters.body.statuses).toEqual(expect.arrayContaining(['AUTHORIZED', 'PENDING_FRAUD_APPROVAL']));
    const reference = `ord-${randomBytes(4).toString('hex')}`;
    const id = await authorizedPayment(1100, reference);
    const list = (query: string) => viewer.get(`/payments?order_reference=${reference}&${query}`);
    expect((await list('status=AUTHORIZED&partner=connect')).body.data.map((p: any) => p.id)).toEqual([id]);
    expect((await list('status=REFUSED,CANCELLED')).body.data).toEqual([]);
    expect((await list('partner=purse')).body.data).toEqual([]);
    expect((await list('partner=nobody')).status).toBe(400);
  });

  it('lets a viewer read but not act (403), and writes nothing', async () => {
    const id = await authorizedPayment(3000, `ord-${randomBytes(4).toString('hex')}`);
    for (const action of ['capture', 'void', 'refund']) {
      const refused = await viewer.send('POST', `/payments/${id}/${action}`, {
        amount: 100,
        reason: 'viewer try',
      });
      expect({ action, status: refused.status }).toEqual({ action, status: 403 });
    }
    const approve = await viewer.send('POST', `/payments/${id}/approve`, { reason: 'viewer try' });
    expect(approve.status).toBe(403);
    const resolve = await viewer.send('POST', `/unknown-outcomes/${id}/resolve`, {
      as: 'failed',
      reason: 'no',
    });
    expect(resolve.status).toBe(403);
    expect(await stack.prisma.operation.count({ where: { paymentId: id } })).toBe(0);
    expect(await stack.prisma.auditLog.count({ where: { paymentId: id } })).toBe(0);
    expect((await viewer.get('/needs-attention')).status).toBe(200);
  });

  it('home: payments per minute and the authorization rate per partner over the last hour', async () => {
    await authorizedPayment(1200, `ord-${randomBytes(4).toString('hex')}`);
    const home = await viewer.get('/home');
    expect(home.status).toBe(200);
    expect(home.body.payments_per_minute.length).toBeGreaterThan(0);
    expect(home.body.payments_per_minute[0]).toEqual({
      minute: expect.any(String),
      payments: expect.any(Number),
    });
    const connect = home.body.authorization_rates.find((r: any) => r.partner === 'connect');
    expect(connect.authorized).toBeGreaterThan(0);
    expect(connect.rate).toBeGreaterThan(0);
    expect(connect.rate).toBeLessThanOrEqual(1);
  });

  it('Needs attention lists a given-up authorization; resolving it moves the payment on and writes the audit log', async () => {
    await stack.sim('connect', '/_sim/faults', 'POST', {
      fault: 'lost-answer',
      path: '/payments$',
      method: 'POST',
      body_includes: '"amount":1777',
      count: 1,
    });
    await stack.sim('connect', '/_sim/faults', 'POST', {
      fault: 'lost-answer',
      path: '/payments$',
      method: 'GET',
      count: 100,
    });
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: {
        amount: 1777,
        currency: 'EUR',
        capture_mode: 'MANUAL',
        split: [
          { partner: 'connect', method: 'card', amount: 1777, payment_method: { token: 'connect-approve' } },
        ],
      },
    });
    const paymentId = created.body.id;
    const outcome = await eventually(
      async () => {
        const list = await viewer.get('/needs-attention');
        return list.body.unknown_outcomes.find((o: any) => o.payment_id === paymentId);
      },
      BOUND_MS,
      'the given-up outcome in Needs attention',
    );
    expect(outcome).toMatchObject({
      kind: 'authorization',
      partner: 'connect',
      amount: 1777,
      status: 'UNKNOWN',
    });
    const list = await viewer.get('/needs-attention');
    expect(list.body).toEqual(
      expect.objectContaining({
        disabled_webhook_endpoints: expect.any(Array),
        failed_jobs: expect.any(Array),
      }),
    );

    const noReason = await operator.send('POST', `/unknown-outcomes/${outcome.id}/resolve`, { as: 'failed' });
    expect(noReason.status).toBe(400);
    const resolved = await operator.send('POST', `/unknown-outcomes/${outcome.id}/resolve`, {
      as: 'failed',
      reason: 'connect support: never authorized',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      status_before: 'UNKNOWN',
      status: 'FAILED',
      payment_status: 'REFUSED',
    });
    const again = await operator.send('POST', `/unknown-outcomes/${outcome.id}/resolve`, {
      as: 'failed',
      reason: 'twice',
    });
    expect(again.status).toBe(409);
    const audit = await stack.prisma.auditLog.findMany({ where: { paymentId } });
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'unknown.resolve',
        operatorId,
        reason: 'connect support: never authorized',
        targetId: outcome.id,
      }),
    ]);
    const detail = await viewer.get(`/payments/${paymentId}`);
    expect(detail.body.payment.authorization.status).toBe('REFUSED');
    expect(
      detail.body.timeline.some((e: any) => e.kind === 'audit' && e.title.startsWith('unknown.resolve')),
    ).toBe(true);
  });

  it('Needs attention lists a disabled webhook endpoint; redelivering re-enables it and delivers its failed events', async () => {
    const listener = await RecordingListener.start();
    try {
      const url = `http://127.0.0.1:${listener.port}/hooks-${randomBytes(4).toString('hex')}`;
      const endpointId = newId();
      await stack.prisma.webhookEndpoint.create({
        data: {
          id: endpointId,
          entityId: stack.entityId,
          url,
          failingSince: new Date(Date.now() - 6 * 86_400_000),
          disabledAt: new Date(),
        },
      });
      const created = await stack.request('POST', '/v2/payments', {
        token: stack.frontOffice,
        body: {
          amount: 900,
          currency: 'EUR',
          capture_mode: 'MANUAL',
          webhook: { url, event_types: ['PAYMENT_AUTHORIZATION'] },
          split: [
            { partner: 'connect', method: 'card', amount: 900, payment_method: { token: 'connect-approve' } },
          ],
        },
      });
      const paymentId = created.body.id;
      await eventually(
        async () =>
          (await stack.prisma.merchantEvent.count({ where: { paymentId, status: 'FAILED' } })) === 1 ||
          undefined,
        BOUND_MS,
        'the event failed on the disabled endpoint',
      );
      expect(listener.requests).toEqual([]);
      const listed = await viewer.get('/needs-attention');
      expect(listed.body.disabled_webhook_endpoints).toContainEqual(
        expect.objectContaining({ id: endpointId, url }),
      );
      expect(
        (await viewer.send('POST', `/webhook-endpoints/${endpointId}/redeliver`, { reason: 'viewer try' }))
          .status,
      ).toBe(403);

      const redelivered = await operator.send('POST', `/webhook-endpoints/${endpointId}/redeliver`, {
        reason: 'merchant fixed their endpoint',
      });
      expect(redelivered.status).toBe(200);
      expect(redelivered.body.redelivered).toHaveLength(1);
      await eventually(
        async () =>
          (await stack.prisma.merchantEvent.count({ where: { paymentId, status: 'DELIVERED' } })) === 1 ||
          undefined,
        BOUND_MS,
        'the event delivered',
      );
      expect(listener.requests).toHaveLength(1);
      const endpoint = await stack.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
      expect(endpoint.disabledAt).toBeNull();
      const audit = await stack.prisma.auditLog.findMany({ where: { targetId: endpointId } });
      expect(audit).toEqual([
        expect.objectContaining({
          action: 'webhook.redeliver',
          operatorId,
          reason: 'merchant fixed their endpoint',
          targetType: 'webhook_endpoint',
        }),
      ]);
    } finally {
      await listener.close();
    }
  });
});
