import { randomBytes } from 'node:crypto';
import type { Schemas } from '@tender/client';
import { newId } from '@tender/persistence';
import { createEntity } from '../../apps/cli/src/provisioning';
import { oneTender, giftCardAndCard } from '../support/payloads';
import { TestStack } from '../support/stack';

type Payment = Schemas['Payment'];
type ListQuery = NonNullable<Parameters<ReturnType<TestStack['client']>['GET']>[1]>['params'];

/**
 * GET /v2/payments against the real database, without a worker (payments stay as the test sets them).
 * Calls go through the typed client, which checks every answer (pages and problems) against the
 * OpenAPI document. Other suites share the database: every expectation is about this suite's entity.
 */
describe('payment search (GET /v2/payments)', () => {
  let stack: TestStack;
  const run = randomBytes(4).toString('hex');
  const ref = (name: string) => `search-${run}-${name}`;
  /** Our fixtures, oldest first. */
  const mine: Payment[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({ simulators: true, env: { API_WAIT_FOR_OUTCOME_MS: '0' } });
    const bodies: Array<[Schemas['CreatePaymentRequest'], string | undefined, string]> = [
      [oneTender('connect', 'card', 1500, { token: 'connect-approve' }), ref('A'), 'AUTHORIZED'],
      [oneTender('purse', 'card', 2500, { token: 'purse-approve' }), ref('B'), 'REFUSED'],
      [giftCardAndCard({ gift: 1000, card: 2000 }), ref('C'), 'AUTHORIZED'],
      [oneTender('connect', 'card', 2500, { token: 'connect-approve' }), ref('B'), 'PENDING'],
      [oneTender('purse', 'card', 1500, { token: 'purse-approve' }), undefined, 'PENDING'],
    ];
    for (const [body, orderReference, status] of bodies) {
      const created = await create({ ...body, order_reference: orderReference });
      if (status !== 'PENDING') {
        await stack.prisma.payment.update({
          where: { id: created.id },
          data: { status, version: { increment: 1 } },
        });
      }
      mine.push(await get(created.id));
    }
  });
  afterAll(() => stack.close());

  async function create(body: Schemas['CreatePaymentRequest']): Promise<Payment> {
    const { data, response } = await stack.client(stack.frontOffice).POST('/v2/payments', { body });
    expect(response.status).toBe(201);
    return data!;
  }

  async function get(id: string): Promise<Payment> {
    const { data } = await stack.client(stack.backOffice).GET('/v2/payments/{id}', {
      params: { path: { id }, header: { 'Cache-Control': 'max-age=600' } },
    });
    return data!;
  }

  const list = (query: Record<string, unknown> = {}, token = stack.backOffice) =>
    stack.client(token).GET('/v2/payments', { params: { query } as ListQuery });

  async function ids(query: Record<string, unknown>): Promise<string[]> {
    const { data, response } = await list({ limit: 100, ...query });
    expect(response.status).toBe(200);
    expect(data!.next_cursor).toBeNull();
    return data!.data.map((p) => p.id);
  }

  /** Our fixtures that satisfy `keep`, newest first (the list's order). */
  const newestFirst = (keep: (p: Payment) => boolean = () => true) =>
    mine
      .filter(keep)
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id))
      .map((p) => p.id);
  const ours = (found: string[]) => found.filter((id) => mine.some((p) => p.id === id));

  it('answers each payment exactly as GET /v2/payments/{id} presents it, newest first', async () => {
    const { data, response } = await list({ order_reference: ref('C') });
    expect(response.status).toBe(200);
    expect(data).toEqual({ data: [mine[2]], next_cursor: null });
    expect(ours(await ids({}))).toEqual(newestFirst());
  });

  it('filters by status, one or several', async () => {
    expect(ours(await ids({ status: ['AUTHORIZED'] }))).toEqual(
      newestFirst((p) => p.authorization.status === 'AUTHORIZED'),
    );
    expect(ours(await ids({ status: ['REFUSED', 'PENDING'] }))).toEqual(
      newestFirst((p) => ['REFUSED', 'PENDING'].includes(p.authorization.status)),
    );
    const comma = await stack.request('GET', '/v2/payments?limit=100&status=REFUSED,PENDING', {
      token: stack.backOffice,
    });
    expect(ours(comma.body.data.map((p: Payment) => p.id))).toEqual(
      newestFirst((p) => ['REFUSED', 'PENDING'].includes(p.authorization.status)),
    );
  });

  it('filters by partner: payments with a tender there', async () => {
    for (const partner of ['connect', 'purse', 'paytronix']) {
      expect(ours(await ids({ partner }))).toEqual(
        newestFirst((p) => p.split.some((t) => t.partner === partner)),
      );
    }
  });

  it('filters by creation time: created_from inclusive, created_to exclusive', async () => {
    const from = mine[1].created_at;
    const to = mine[3].created_at;
    expect(ours(await ids({ created_from: from, created_to: to }))).toEqual(
      newestFirst((p) => p.created_at >= from && p.created_at < to),
    );
    // Any RFC 3339 offset names the same instant.
    const shifted = new Date(from).toISOString().replace('Z', '+00:00');
    expect(ours(await ids({ created_from: shifted }))).toEqual(newestFirst((p) => p.created_at >= from));
  });

  it('filters by order reference and amount exactly, and combines filters (AND)', async () => {
    expect(await ids({ order_reference: ref('B') })).toEqual(
      newestFirst((p) => p.order_reference === ref('B')),
    );
    expect(ours(await ids({ amount: 2500 }))).toEqual(newestFirst((p) => p.amount === 2500));
    expect(
      await ids({ order_reference: ref('B'), amount: 2500, partner: 'purse', status: ['REFUSED'] }),
    ).toEqual([mine[1].id]);
    expect(await ids({ order_reference: ref('B'), partner: 'paytronix' })).toEqual([]);
    expect(await ids({ order_reference: ref('nothing') })).toEqual([]);
  });

  it('pages with limit 1 to 100 (10 by default)', async () => {
    const one = await list({ limit: 1 });
    expect(one.data!.data).toHaveLength(1);
    expect(one.data!.next_cursor).toEqual(expect.any(String));
    const hundred = await list({ limit: 100 });
    expect(hundred.response.status).toBe(200);
    // Enough payments of our own for the default page to be full.
    for (let i = 0; i < 6; i++)
      await create(oneTender('connect', 'card', 100 + i, { token: 'connect-approve' }));
    const byDefault = await list();
    expect(byDefault.data!.data).toHaveLength(10);
  });

  it('walks every page by cursor with no duplicate and no gap while payments are created between pages', async () => {
    const before = await ids({});
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const { data, response } = await list({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(response.status).toBe(200);
      seen.push(...data!.data.map((p) => p.id));
      await create(oneTender('purse', 'card', 999, { token: 'purse-approve' }));
      if (!data!.next_cursor) break;
      cursor = data!.next_cursor;
    }
    expect(seen).toEqual(before);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("never shows another entity's payments", async () => {
    const other = await createEntity(stack.prisma, stack.cipher, `search-other-${run}`);
    const otherId = newId();
    await stack.prisma.payment.create({
      data: {
        id: otherId,
        entityId: other.entity_id,
        amount: 2500n,
        currency: 'EUR',
        captureMode: 'MANUAL',
        status: 'REFUSED',
        orderReference: ref('B'),
      },
    });
    expect(await ids({ order_reference: ref('B') })).not.toContain(otherId);
    expect(await ids({ order_reference: ref('B') })).toEqual(
      newestFirst((p) => p.order_reference === ref('B')),
    );
    const otherToken = await stack.token(['back_office'], other.entity_id);
    const theirs = await list({ limit: 100 }, otherToken);
    expect(theirs.data!.data.map((p) => p.id)).toEqual([otherId]);
  });

  it.each([
    ['a status not in the list', { status: ['SETTLED'] }, 'status[0]', 'invalid_value'],
    ['a partner not in the list', { partner: 'acme' }, 'partner', 'invalid_value'],
    ['a date that is not RFC 3339', { created_from: '2026-12-05' }, 'created_from', 'invalid_format'],
    ['a date without offset', { created_to: '2026-12-05T10:00:00' }, 'created_to', 'invalid_format'],
    [
      'an empty range',
      { created_from: '2026-12-05T10:00:00Z', created_to: '2026-12-05T10:00:00Z' },
      'created_to',
      'invalid_range',
    ],
    ['a negative amount', { amount: '-5' }, 'amount', 'invalid_format'],
    ['a decimal amount', { amount: '10.5' }, 'amount', 'invalid_format'],
    ['limit 0', { limit: 0 }, 'limit', 'too_small'],
    ['limit 101', { limit: 101 }, 'limit', 'too_big'],
    ['a limit that is no number', { limit: 'ten' }, 'limit', 'invalid_format'],
    ['a tampered cursor', { cursor: 'cDF8MTc2NTAwMDAwMDAwMHxub3QtYS11dWlk' }, 'cursor', 'invalid_cursor'],
    ['an unknown parameter', { sort: 'asc' }, 'sort', 'unknown_field'],
  ])('refuses %s with a 400 naming the field', async (_, query, field, code) => {
    const { error, response } = await list(query);
    expect(response.status).toBe(400);
    expect(error).toMatchObject({
      code: 'validation_error',
      errors: expect.arrayContaining([expect.objectContaining({ field, code })]),
    });
  });

  it('refuses a cursor edited by one character', async () => {
    const { data } = await list({ limit: 1 });
    const cursor = data!.next_cursor!;
    const edited = cursor.slice(0, -2) + (cursor.at(-2) === 'A' ? 'B' : 'A') + cursor.at(-1);
    const { error, response } = await list({ cursor: edited });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ errors: [expect.objectContaining({ field: 'cursor' })] });
  });

  it('refuses the front-office token (403)', async () => {
    const { error, response } = await list({}, stack.frontOffice);
    expect(response.status).toBe(403);
    expect(error).toMatchObject({ code: 'insufficient_scope' });
  });
});
