import { TestStack } from '../support/stack';

describe('client sessions (/v2/client-sessions)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ simulators: true });
  });
  afterAll(() => stack.close());

  const create = (body: Record<string, unknown>, token = stack.frontOffice) =>
    stack.request('POST', '/v2/client-sessions', { token, body });

  it('creates a session with the eligible solutions of the entity', async () => {
    const response = await create({
      amount: 4299,
      currency: 'EUR',
      capture_mode: 'MANUAL',
      order: { reference: 'o-1' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'CREATED',
      amount: 4299,
      currency: 'EUR',
      entity_id: stack.entityId,
      capture_mode: 'MANUAL',
      integration_mode: 'EMBEDDED',
      allow_future_usage: false,
      order: { reference: 'o-1' },
      links: {
        self: { href: `/v2/client-sessions/${response.body.id}`, method: 'GET' },
        abort: { href: `/v2/client-sessions/${response.body.id}/abort`, method: 'POST' },
      },
    });
    expect(response.body.eligible_solutions).toEqual(
      expect.arrayContaining([
        { partner: 'connect', method: 'card' },
        { partner: 'paytronix', method: 'giftcard' },
        { partner: 'paytronix', method: 'card' },
        { partner: 'purse', method: 'card' },
      ]),
    );
    expect(typeof response.body.widget.data).toBe('string');
    expect(new Date(response.body.expires_at).getTime()).toBeGreaterThan(Date.now());
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const fetched = await stack.request('GET', `/v2/client-sessions/${response.body.id}`, {
      token: stack.backOffice,
    });
    expect(fetched.status).toBe(200);
    expect(fetched.body.id).toBe(response.body.id);
  });

  it('aborts a session once, then answers 409 and drops the abort link', async () => {
    const { body: session } = await create({ amount: 100, currency: 'EUR' });
    const aborted = await stack.request('POST', `/v2/client-sessions/${session.id}/abort`, {
      token: stack.frontOffice,
      body: { status: 'ABORTED_BY_MERCHANT' },
    });
    expect(aborted.status).toBe(200);
    expect(aborted.body.status).toBe('ABORTED_BY_MERCHANT');
    expect(aborted.body.links.abort).toBeUndefined();
    const again = await stack.request('POST', `/v2/client-sessions/${session.id}/abort`, {
      token: stack.frontOffice,
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(again.body.code).toBe('client_session_not_abortable');
  });

  it('expires a session after expires_at', async () => {
    const { body: session } = await create({ amount: 100, currency: 'EUR' });
    await stack.prisma.clientSession.update({
      where: { id: session.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const fetched = await stack.request('GET', `/v2/client-sessions/${session.id}`, {
      token: stack.frontOffice,
    });
    expect(fetched.body.status).toBe('EXPIRED');
    const abort = await stack.request('POST', `/v2/client-sessions/${session.id}/abort`, {
      token: stack.frontOffice,
    });
    expect(abort.status).toBe(409);
  });

  it('refuses bad input with the field named and writes nothing', async () => {
    const before = await stack.prisma.clientSession.count({ where: { entityId: stack.entityId } });
    const cases: Array<[unknown, string, string]> = [
      [{ amount: -5, currency: 'EUR' }, 'amount', 'too_small'],
      [{ amount: 10.5, currency: 'EUR' }, 'amount', 'invalid_type'],
      [{ amount: '10', currency: 'EUR' }, 'amount', 'invalid_type'],
      [{ amount: 10, currency: 'XYZ' }, 'currency', 'unknown_currency'],
      [{ amount: 10, currency: 'EUR', colour: 'red' }, 'colour', 'unknown_field'],
      [{ currency: 'EUR' }, 'amount', 'required'],
      [{ amount: 10, currency: 'EUR', capture_mode: 'LATER' }, 'capture_mode', 'invalid_value'],
      [{ amount: 10, currency: 'EUR', webhook: { url: 'not a url' } }, 'webhook.url', 'invalid'],
      [
        { amount: 10, currency: 'EUR', allow_future_usage: true },
        'three_ds_authentication_options.challenge_indicator',
        'challenge_required_for_future_usage',
      ],
      [{ amount: 10, currency: 'EUR', customer: { email: 'nope' } }, 'customer.email', 'invalid_format'],
    ];
    for (const [body, field, code] of cases) {
      const response = await create(body as Record<string, unknown>);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(response.body).toMatchObject({
        status: 400,
        code: 'validation_error',
        type: expect.stringContaining('validation_error'),
      });
      expect(response.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, code })]),
      );
    }
    const malformed = await stack.request('POST', '/v2/client-sessions', {
      token: stack.frontOffice,
      rawBody: '{"amount": 10,',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('invalid_json');
    const wrongType = await stack.request('POST', '/v2/client-sessions', {
      token: stack.frontOffice,
      rawBody: 'amount=10',
      headers: { 'content-type': 'text/plain' },
    });
    expect(wrongType.status).toBe(415);
    const huge = await stack.request('POST', '/v2/client-sessions', {
      token: stack.frontOffice,
      body: { amount: 10, currency: 'EUR', order: { reference: 'x'.repeat(1_100_000) } },
    });
    expect(huge.status).toBe(413);
    expect(await stack.prisma.clientSession.count({ where: { entityId: stack.entityId } })).toBe(before);
  });

  it('checks the entity: body entity_id must match, other entities see 404', async () => {
    const mismatch = await create({
      entity_id: '00000000-0000-4000-8000-000000000000',
      amount: 10,
      currency: 'EUR',
    });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.errors[0].field).toBe('entity_id');

    const { body: session } = await create({ amount: 10, currency: 'EUR' });
    const other = await TestStack.start({ simulators: false });
    try {
      const foreign = await other.request('GET', `/v2/client-sessions/${session.id}`, {
        token: other.frontOffice,
      });
      expect(foreign.status).toBe(404);
      const foreignAbort = await other.request('POST', `/v2/client-sessions/${session.id}/abort`, {
        token: other.frontOffice,
      });
      expect(foreignAbort.status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('requires a token with a suitable scope', async () => {
    expect(
      (await stack.request('POST', '/v2/client-sessions', { body: { amount: 1, currency: 'EUR' } })).status,
    ).toBe(401);
    const backOfficeCreate = await create({ amount: 1, currency: 'EUR' }, stack.backOffice);
    expect(backOfficeCreate.status).toBe(403);
    expect(
      (await stack.request('GET', '/v2/client-sessions/not-a-uuid', { token: stack.frontOffice })).status,
    ).toBe(404);
  });
});
