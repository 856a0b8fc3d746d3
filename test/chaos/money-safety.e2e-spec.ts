import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { oneTender } from '../support/payloads';
import { eventually, TestStack } from '../support/stack';

/**
 * Chaos: money moves exactly once against partners that answer late, lose answers, fail after
 * booking, or are still processing while we look. For each partner and each money operation a fault
 * is armed on the simulator (apps/simulators/src/common/faults.ts) for exactly that call, while a
 * merchant keeps reading the payments (GET without Cache-Control: refresh lookups) and Connect's and
 * Purse's webhooks arrive twice. Once everything settled, each partner's books must equal Tender's figures to
 * the minor unit, nothing may be booked twice, and nothing may be left open.
 *
 * Timings: partner calls time out after 800 ms; a call may still land for 1.2 s more (the lease).
 */
const TIMEOUT_MS = 800;
const ENV = {
  PARTNER_TIMEOUT_MS: String(TIMEOUT_MS),
  PARTNER_IN_FLIGHT_MARGIN_MS: '1200',
  RECONCILE_SCHEDULE_MS: '300,600,1000,1500,2000,2000,2000,2000,2000,2000,3000,3000,3000',
  API_WAIT_FOR_OUTCOME_MS: '3000',
};
const SETTLE_BOUND_MS = 60_000;

type Partner = 'connect' | 'purse' | 'paytronix';
type Operation = 'authorize' | 'capture' | 'void' | 'refund';
type Fault = 'late-answer' | 'lost-answer' | 'error-after-booking' | 'slow-commit';
const FAULTS: Fault[] = ['late-answer', 'lost-answer', 'error-after-booking', 'slow-commit'];
/** Late answers and slow commits land after the timeout but within the lease. */
const FAULT_DELAY_MS = 1500;

const INSTRUMENT: Record<Partner, { method: string; payment_method: Record<string, string> }> = {
  connect: { method: 'card', payment_method: { token: 'connect-approve' } },
  purse: { method: 'card', payment_method: { token: 'purse-approve' } },
  paytronix: { method: 'giftcard', payment_method: { card_number: '6000000000010000' } },
};

interface Scenario {
  partner: Partner;
  operation: Operation;
  fault: Fault;
  /** Authorized amount, unique across scenarios (faults find their call by it). */
  amount: number;
  /** Refunded amount of a refund scenario, unique too. */
  refund: number;
}

/** Posts every partner webhook to the API twice (same path and query): partners deliver at least once. */
class DuplicatingForwarder {
  target = '';
  /** The path the API is posted to, from the path the partner posted to. */
  route: (path: string) => string = (path) => path;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<DuplicatingForwarder> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const forwarder = new DuplicatingForwarder(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    const forward = async (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && /^(x-gcs-|purse-|content-type$)/.test(name)) headers[name] = value;
      }
      const send = () =>
        fetch(`${forwarder.target}${forwarder.route(req.url ?? '')}`, {
          method: req.method,
          headers,
          body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
        });
      const first = await send().catch(() => undefined);
      if (req.method === 'POST') await send().catch(() => undefined);
      res.writeHead(first?.status ?? 502).end(first ? await first.text() : '');
    };
    server.on('request', (req, res) => {
      // A request cut short (or a bug here) drops the connection: the caller sees a network error.
      forward(req, res).catch(() => res.destroy());
    });
    return forwarder;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('chaos: money moves exactly once against partners as they really behave', () => {
  let stack: TestStack;
  let forwarder: DuplicatingForwarder;
  const paymentIds: string[] = [];
  let reading = true;
  let reads = 0;
  let reader: Promise<void>;

  beforeAll(async () => {
    forwarder = await DuplicatingForwarder.start();
    stack = await TestStack.start({
      worker: true,
      env: ENV,
      connect: { webhookUrl: `${forwarder.url}/v2/webhooks/connect` },
      purse: { webhookUrl: `${forwarder.url}/v2/webhooks/purse` },
    });
    forwarder.target = stack.apiUrl;
    // As a merchant configures it at Purse: the URL names the entity.
    forwarder.route = (path) =>
      path === '/v2/webhooks/purse' ? `/v2/webhooks/purse/${stack.entityId}` : path;
    // A merchant polling its payments all along: every GET asks the partners (read-only).
    reader = (async () => {
      while (reading) {
        await Promise.all(
          paymentIds.map((id) =>
            stack.request('GET', `/v2/payments/${id}`, { token: stack.backOffice }).then(() => reads++),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  });
  afterAll(async () => {
    reading = false;
    await reader;
    await stack.close();
    await forwarder.close();
  });

  const arm = (
    partner: Partner,
    rule: { path: string; method?: string; body_includes?: string; fault: Fault },
  ) => stack.sim(partner, '/_sim/faults', 'POST', { ...rule, delay_ms: FAULT_DELAY_MS, count: 1 });

  /** The fault rule for an operation's call, once the tender's partner reference is known. */
  function ruleFor(
    s: Scenario,
    partnerReference?: string,
  ): { path: string; method?: string; body_includes: string } {
    const ref = partnerReference ?? '';
    const paytronixQuantity = (minor: number) => `"quantity":"${(minor / 100).toFixed(2)}"`;
    switch (`${s.partner} ${s.operation}`) {
      case 'connect authorize':
        return { path: '/payments$', method: 'POST', body_includes: `"amount":${s.amount}` };
      case 'connect capture':
        return { path: `/payments/${ref}/capture$`, method: 'POST', body_includes: '' };
      case 'connect void':
        return { path: `/payments/${ref}/cancel$`, method: 'POST', body_includes: '' };
      case 'connect refund':
        return { path: `/payments/${ref}/refund$`, method: 'POST', body_includes: `"amount":${s.refund}` };
      case 'purse authorize':
        return { path: '/v2/payments$', method: 'POST', body_includes: `"amount":${s.amount}` };
      case 'purse capture':
        return { path: `/v2/payments/${ref}/captures$`, method: 'POST', body_includes: '' };
      case 'purse void':
        return { path: `/v2/payments/${ref}/voids$`, method: 'POST', body_includes: '' };
      case 'purse refund':
        return {
          path: `/v2/payments/${ref}/refunds$`,
          method: 'POST',
          body_includes: `"amount":${s.refund}`,
        };
      case 'paytronix authorize':
        return { path: '/transaction/addRedeem.json$', body_includes: paytronixQuantity(s.amount) };
      case 'paytronix void':
        return { path: '/transaction/reverse.json$', body_includes: `"pxTransactionId":${ref}` };
      case 'paytronix refund':
        return { path: '/transaction/addRedeem.json$', body_includes: paytronixQuantity(s.refund) };
    }
    throw new Error(`no rule for ${s.partner} ${s.operation}`);
  }

  const tenderOf = (paymentId: string) =>
    stack.prisma.partnerTransaction.findFirstOrThrow({ where: { paymentId } });

  async function settledOperation(paymentId: string, type: string): Promise<void> {
    await eventually(
      async () => {
        const operations = await stack.prisma.operation.findMany({ where: { paymentId, type } });
        return operations.length > 0 && operations.every((o) => o.status !== 'PENDING') ? true : undefined;
      },
      SETTLE_BOUND_MS,
      `${type} of ${paymentId} settled`,
    );
  }

  async function operate(paymentId: string, path: string, body: Record<string, unknown>): Promise<void> {
    const response = await stack.request('POST', `/v2/payments/${paymentId}/${path}`, {
      token: stack.backOffice,
      body,
    });
    if (response.status !== 201 && response.status !== 200)
      throw new Error(`${path}: ${response.status} ${response.text}`);
  }

  /** Drives one scenario to its end; returns the payment id. */
  async function play(s: Scenario): Promise<string> {
    if (s.operation === 'authorize') await arm(s.partner, { ...ruleFor(s), fault: s.fault });
    const { method, payment_method } = INSTRUMENT[s.partner];
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: oneTender(s.partner, method, s.amount, payment_method),
    });
    if (created.status !== 201 && created.status !== 200)
      throw new Error(`create: ${created.status} ${created.text}`);
    const paymentId = created.body.id as string;
    paymentIds.push(paymentId);
    const tender = await stack.waitForTender(paymentId, 'AUTHORIZED', SETTLE_BOUND_MS);
    if (s.operation === 'authorize') return paymentId;
    const armHere = () => arm(s.partner, { ...ruleFor(s, tender.partnerReference ?? ''), fault: s.fault });
    if (s.operation === 'void') {
      await armHere();
      await operate(paymentId, 'voids', {});
      await settledOperation(paymentId, 'VOID');
      return paymentId;
    }
    if (s.operation === 'capture') await armHere();
    await operate(paymentId, 'captures', {});
    await settledOperation(paymentId, 'CAPTURE');
    if (s.operation === 'refund') {
      await armHere();
      await operate(paymentId, 'refunds', { amount: s.refund });
      await settledOperation(paymentId, 'REFUND');
    }
    return paymentId;
  }

  /** What Tender says moved on the payment's single tender. */
  async function tenderFigures(paymentId: string) {
    const tender = await tenderOf(paymentId);
    const legs = await stack.prisma.operationTransaction.findMany({
      where: { partnerTransactionId: tender.id },
      include: { operation: true },
    });
    const sum = (type: string) =>
      legs
        .filter((l) => l.operation.type === type && l.status === 'SUCCESS')
        .reduce((t, l) => t + Number(l.amount), 0);
    return {
      tender,
      legs,
      authorized: tender.status === 'AUTHORIZED' || tender.status === 'CANCELLED' ? Number(tender.amount) : 0,
      captured: sum('CAPTURE'),
      voided: sum('VOID'),
      refunded: sum('REFUND'),
    };
  }

  /** The same figures from the partner's own books. */
  async function partnerFigures(partner: Partner, figures: Awaited<ReturnType<typeof tenderFigures>>) {
    const ref = figures.tender.partnerReference!;
    if (partner === 'connect') {
      const { transaction } = await stack.sim('connect', `/_sim/connect/payments/${ref}`);
      return {
        authorized: transaction.amountAuthorized,
        captured: transaction.amountCaptured,
        voided: transaction.amountCancelled,
        refunded: transaction.amountRefunded,
      };
    }
    if (partner === 'purse') {
      const payment = await stack.sim('purse', `/_sim/purse/payments/${ref}`);
      return {
        authorized: payment.amounts.total_authorized,
        captured: payment.amounts.total_captured,
        voided: payment.amounts.total_voided,
        refunded: payment.amounts.total_refunded,
      };
    }
    // Paytronix debits at once: what the card lost to this tender, all attempts and reversals included.
    const references = [figures.tender.reference, ...figures.legs.map((l) => l.reference)];
    const { transactions } = await stack.sim('paytronix', '/_sim/paytronix/transactions');
    const mine = (transactions as Array<Record<string, string>>).filter((t) =>
      references.some((r) => t.posTransactionId?.startsWith(r)),
    );
    const cents = (q: string) => Math.round(Number(q) * 100);
    const net = mine.reduce((n, t) => n + cents(t.redeemedQuantity) - cents(t.addedQuantity), 0);
    const debits = mine.filter((t) => t.transactionType === 'addRedeem' && cents(t.redeemedQuantity) > 0);
    return { net, postedDebits: debits.filter((t) => t.status === 'posted').length };
  }

  const scenarios: Scenario[] = [];
  for (const partner of ['connect', 'purse', 'paytronix'] as Partner[]) {
    for (const operation of ['authorize', 'capture', 'void', 'refund'] as Operation[]) {
      if (partner === 'paytronix' && operation === 'capture') continue; // bookkeeping: no partner call
      for (const fault of FAULTS) {
        const i = scenarios.length;
        scenarios.push({ partner, operation, fault, amount: 3000 + i * 10, refund: 2000 + i * 10 });
      }
    }
  }

  it(`settles ${scenarios.length} faulted calls with every partner's books equal to Tender's, to the minor unit`, async () => {
    const started = Date.now();
    const results = await Promise.allSettled(scenarios.map(async (s) => ({ s, paymentId: await play(s) })));
    const failures = results.flatMap((r, i) =>
      r.status === 'rejected'
        ? [`${scenarios[i].partner} ${scenarios[i].operation} ${scenarios[i].fault}: ${String(r.reason)}`]
        : [],
    );
    expect(failures).toEqual([]);

    const mismatches: string[] = [];
    for (const result of results) {
      if (result.status !== 'fulfilled') continue;
      const { s, paymentId } = result.value;
      const what = `${s.partner} ${s.operation} ${s.fault}`;
      const ours = await tenderFigures(paymentId);
      const open = [ours.tender.status, ...ours.legs.map((l) => l.status)].filter((st) =>
        ['PENDING', 'UNKNOWN'].includes(st),
      );
      if (open.length) mismatches.push(`${what}: left open (${open.join(', ')})`);
      const theirs = await partnerFigures(s.partner, ours);
      if (s.partner === 'paytronix') {
        const expected = ours.authorized - ours.voided - ours.refunded;
        if (theirs.net !== expected)
          mismatches.push(`${what}: card lost ${theirs.net}, Tender says ${expected}`);
        const debits = ours.voided === ours.authorized ? 0 : 1; // a whole void reverses the debit
        if (theirs.postedDebits !== debits) mismatches.push(`${what}: ${theirs.postedDebits} debits posted`);
      } else {
        for (const key of ['authorized', 'captured', 'voided', 'refunded'] as const) {
          if (theirs[key] !== ours[key])
            mismatches.push(`${what}: ${key} ${theirs[key]} at the partner, ${ours[key]} at Tender`);
        }
      }
      const expected = {
        authorize: { captured: 0, voided: 0, refunded: 0 },
        capture: { captured: s.amount, voided: 0, refunded: 0 },
        void: { captured: 0, voided: s.amount, refunded: 0 },
        refund: { captured: s.amount, voided: 0, refunded: s.refund },
      }[s.operation];
      if (
        ours.captured !== expected.captured ||
        ours.voided !== expected.voided ||
        ours.refunded !== expected.refunded
      ) {
        mismatches.push(`${what}: Tender has ${JSON.stringify(ours)} , expected ${JSON.stringify(expected)}`);
      }
    }
    expect(mismatches).toEqual([]);

    // Nothing booked twice: one partner payment per Connect and Purse tender.
    const connect = await stack.sim('connect', '/_sim/connect/transactions');
    const connectTenders = scenarios.filter((s) => s.partner === 'connect').length;
    expect(connect.transactions).toHaveLength(connectTenders);
    const purse = await stack.sim('purse', '/_sim/purse/transactions');
    expect(purse.transactions).toHaveLength(scenarios.filter((s) => s.partner === 'purse').length);

    // Every fault was hit, the merchant kept reading, and the webhooks came twice.
    for (const partner of ['connect', 'purse', 'paytronix'] as Partner[]) {
      const { faults } = await stack.sim(partner, '/_sim/faults');
      expect((faults as Array<{ hits: number; path: string }>).filter((f) => f.hits !== 1)).toEqual([]);
    }
    expect(reads).toBeGreaterThan(scenarios.length);
    for (const partner of ['connect', 'purse']) {
      expect(await stack.prisma.partnerEvent.count({ where: { partner } })).toBeGreaterThan(0);
    }
    console.log(
      `chaos: ${scenarios.length} scenarios settled in ${Date.now() - started} ms, ${reads} merchant reads`,
    );
  });
});

/**
 * The incident behind this suite: Paytronix answering 0–2× the timeout late on every call (lookups
 * included) while the merchant keeps reading, gift-card payments authorized, captured and refunded
 * in full. Paytronix has no idempotency key: a blind resend credits or debits twice.
 */
describe('chaos: a slow Paytronix, gift cards authorized, captured and refunded in full', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({
      worker: true,
      // A call can take up to 2 × 800 ms of latency plus 1.5 s of slow commit: the lease must cover it.
      env: { ...ENV, PARTNER_IN_FLIGHT_MARGIN_MS: '2600' },
      paytronix: { latency: { kind: 'uniform', min: 0, max: 2 * TIMEOUT_MS }, slowCommitMs: FAULT_DELAY_MS },
    });
  });
  afterAll(() => stack.close());

  /** A 2xx answer, or a failure that says what the API answered. */
  const answered = <T extends { status: number; text: string }>(response: T): T => {
    if (response.status < 200 || response.status > 299)
      throw new Error(`HTTP ${response.status}: ${response.text}`);
    return response;
  };

  const balance = async (card: string) =>
    Math.round(Number((await stack.sim('paytronix', `/_sim/paytronix/cards/${card}`)).balance) * 100);

  it('leaves every card with exactly its starting balance, and every refund settled', async () => {
    const cards = ['6000000000000500', '6000000000000700']; // the second commits late (slow card)
    const before = await Promise.all(cards.map(balance));
    const ids: string[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        await Promise.all(
          ids.map((id) => stack.request('GET', `/v2/payments/${id}`, { token: stack.backOffice })),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const pay = async (i: number) => {
      const amount = 1000 + i * 37;
      const created = await stack.request('POST', '/v2/payments', {
        token: stack.frontOffice,
        body: oneTender('paytronix', 'giftcard', amount, { card_number: cards[i % 2] }),
      });
      const id = answered(created).body.id as string;
      ids.push(id);
      const settled = (type: string) =>
        eventually(
          async () => {
            const ops = await stack.prisma.operation.findMany({ where: { paymentId: id, type } });
            return ops.length && ops.every((o) => o.status === 'SUCCESS') ? true : undefined;
          },
          SETTLE_BOUND_MS,
          `${type} of payment ${i}`,
        );
      await stack.waitForTender(id, 'AUTHORIZED', SETTLE_BOUND_MS);
      answered(
        await stack.request('POST', `/v2/payments/${id}/captures`, { token: stack.backOffice, body: {} }),
      );
      await settled('CAPTURE');
      answered(
        await stack.request('POST', `/v2/payments/${id}/refunds`, {
          token: stack.backOffice,
          body: { amount },
        }),
      );
      await settled('REFUND');
      return id;
    };
    try {
      await Promise.all(Array.from({ length: 12 }, (_, i) => pay(i)));
    } finally {
      reading = false;
      await reader;
    }
    expect(await Promise.all(cards.map(balance))).toEqual(before);
    const open = await stack.prisma.operationTransaction.count({
      where: { operation: { paymentId: { in: ids } }, status: { in: ['PENDING', 'UNKNOWN'] } },
    });
    expect(open).toBe(0);
    // The faults were real: some calls timed out and were settled by the reconciler.
    const unclear = await stack.prisma.partnerTransaction.count({
      where: { paymentId: { in: ids }, unknownSince: { not: null } },
    });
    const resent = await stack.prisma.operationTransaction.count({
      where: {
        operation: { paymentId: { in: ids } },
        OR: [{ attempts: { gt: 1 } }, { lastError: { not: undefined } }],
      },
    });
    expect(unclear + resent).toBeGreaterThan(0);
  });
});
