/**
 * The load: merchants creating two-tender split payments (gift card + card) through the public API,
 * with access tokens and Idempotency-Keys, then capturing them. Open loop (fixed arrival rate) and
 * closed loop (fixed concurrency). Latency is measured client-side, from the moment a request was
 * due (open loop: its scheduled arrival, so a lagging generator cannot hide queueing).
 */
import { performance } from 'node:perf_hooks';
import { createTenderClient, type Schemas, type TenderClient } from '@tender/client';
import { parseServerTiming } from './stats';
import type { Merchant } from './stack';

export const GIFT_CARD = '6000000000010000';
export const CARD_TOKEN = 'connect-approve';

/** What the reconciliation needs of every payment the generator saw succeed. */
export interface SucceededPayment {
  paymentId: string;
  orderReference: string;
  entityId: string;
  amount: number;
  giftAmount: number;
  cardAmount: number;
  captured: boolean;
  tenderIds: { paytronix: string; connect: string };
  captureLegIds: string[];
}

export interface TimelineSample {
  paymentId: string;
  tenderIds: { paytronix: string; connect: string };
  sentAtEpoch: number;
  answeredAtEpoch: number;
}

export interface StepRecorder {
  createMs: number[];
  captureMs: number[];
  flowMs: number[];
  overheadMs: number[];
  partnerMs: number[];
  queueMs: number[];
  serverTotalMs: number[];
  captureOverheadMs: number[];
  errors: Map<string, number>;
  errorSamples: string[];
  /** Creates retried with the same Idempotency-Key after a 5xx / network error, and how many then succeeded. */
  retried: number;
  recovered: number;
  authorized: number;
  captured: number;
  attempted: number;
  firstSentAt: number;
  lastAuthorizedAt: number;
  timeline: TimelineSample[];
}

export function newRecorder(): StepRecorder {
  return {
    createMs: [],
    captureMs: [],
    flowMs: [],
    overheadMs: [],
    partnerMs: [],
    queueMs: [],
    serverTotalMs: [],
    captureOverheadMs: [],
    errors: new Map(),
    errorSamples: [],
    retried: 0,
    recovered: 0,
    authorized: 0,
    captured: 0,
    attempted: 0,
    firstSentAt: Number.POSITIVE_INFINITY,
    lastAuthorizedAt: 0,
    timeline: [],
  };
}

export interface LoadContext {
  apiUrl: string;
  runId: string;
  merchants: Merchant[];
  succeeded: SucceededPayment[];
  /** Keep a timeline sample of every n-th payment (BullMQ job timestamps are read for them later). */
  timelineEvery: number;
  capture: boolean;
  seq: number;
}

function recordError(rec: StepRecorder, kind: string, detail: string): void {
  rec.errors.set(kind, (rec.errors.get(kind) ?? 0) + 1);
  if (rec.errorSamples.length < 10) rec.errorSamples.push(`${kind}: ${detail.slice(0, 300)}`);
}

const clients = new Map<string, TenderClient>();

/** The typed API client (@tender/client) of an access token, made once per token. */
function clientOf(apiUrl: string, token: string): TenderClient {
  let client = clients.get(token);
  if (!client) clients.set(token, (client = createTenderClient(apiUrl, { accessToken: token })));
  return client;
}

interface PaymentAnswer {
  status: number;
  payment: Schemas['Payment'] | undefined;
  /** The error body (problem+json, or text), for the error samples. */
  error: unknown;
  timing: Record<string, number>;
}

async function paymentAnswer(
  call: Promise<{ data?: Schemas['Payment']; error?: unknown; response: Response }>,
): Promise<PaymentAnswer> {
  const { data, error, response } = await call;
  const timing = parseServerTiming(response.headers.get('server-timing'));
  return { status: response.status, payment: data, error, timing };
}

const detail = (answer: PaymentAnswer) => JSON.stringify(answer.error ?? answer.payment);

/** One payment: create (two tenders), then capture in full. `dueAt` is performance.now() when it was due. */
export async function paymentFlow(ctx: LoadContext, rec: StepRecorder, dueAt: number): Promise<void> {
  const seq = ++ctx.seq;
  const merchant = ctx.merchants[seq % ctx.merchants.length];
  const orderReference = `${ctx.runId}-${seq}`;
  // Varying amounts, so the reconciliation would notice a tender booked with another payment's amount.
  const giftAmount = 500 + (seq % 997);
  const cardAmount = 1000 + ((seq * 7) % 1999);
  const amount = giftAmount + cardAmount;
  rec.attempted++;
  rec.firstSentAt = Math.min(rec.firstSentAt, dueAt);
  const sentAtEpoch = Date.now() - (performance.now() - dueAt);
  const body: Schemas['CreatePaymentRequest'] = {
    amount,
    currency: 'EUR',
    capture_mode: 'MANUAL',
    order_reference: orderReference,
    split: [
      {
        partner: 'paytronix',
        method: 'giftcard',
        amount: giftAmount,
        payment_method: { card_number: GIFT_CARD },
      },
      { partner: 'connect', method: 'card', amount: cardAmount, payment_method: { token: CARD_TOKEN } },
    ],
  };
  let created: PaymentAnswer | undefined;
  let retried = false;
  // As a merchant would: a 5xx or a lost answer is retried once with the same Idempotency-Key (the
  // failure still counts as an error; the retry shows whether the key recovers the payment).
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      created = await paymentAnswer(
        clientOf(ctx.apiUrl, merchant.frontOffice).POST('/v2/payments', {
          body,
          params: { header: { 'Idempotency-Key': orderReference } },
        }),
      );
      if (created.status < 500) break;
      recordError(rec, `create_http_${created.status}`, detail(created));
    } catch (error) {
      created = undefined;
      recordError(rec, 'create_network', (error as Error).message);
    }
    if (attempt === 1) {
      retried = true;
      rec.retried++;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  if (!created || created.status >= 500) return;
  const createdAt = performance.now();
  const payment = created.payment;
  const status = payment?.authorization.status;
  if (created.status !== 201 || status !== 'AUTHORIZED' || !payment) {
    recordError(
      rec,
      created.status !== 201 ? `create_http_${created.status}` : `create_${status}`,
      detail(created),
    );
    return;
  }
  const tenders = payment.authorization.partner_transactions;
  const tenderIds = {
    paytronix: tenders.find((t) => t.partner === 'paytronix')?.id ?? '',
    connect: tenders.find((t) => t.partner === 'connect')?.id ?? '',
  };
  rec.authorized++;
  if (retried) rec.recovered++;
  rec.lastAuthorizedAt = Math.max(rec.lastAuthorizedAt, createdAt);
  rec.createMs.push(createdAt - dueAt);
  if (created.timing.tender !== undefined) rec.overheadMs.push(created.timing.tender);
  if (created.timing.partner !== undefined) rec.partnerMs.push(created.timing.partner);
  if (created.timing.queue !== undefined) rec.queueMs.push(created.timing.queue);
  if (created.timing.total !== undefined) rec.serverTotalMs.push(created.timing.total);
  if (seq % ctx.timelineEvery === 0) {
    rec.timeline.push({ paymentId: payment.id, tenderIds, sentAtEpoch, answeredAtEpoch: Date.now() });
  }
  const record: SucceededPayment = {
    paymentId: payment.id,
    orderReference,
    entityId: merchant.entityId,
    amount,
    giftAmount,
    cardAmount,
    captured: false,
    tenderIds,
    captureLegIds: [],
  };
  ctx.succeeded.push(record);
  if (!ctx.capture) return;

  let captured;
  try {
    captured = await paymentAnswer(
      clientOf(ctx.apiUrl, merchant.backOffice).POST('/v2/payments/{id}/captures', {
        params: { path: { id: payment.id }, header: { 'Idempotency-Key': `${orderReference}-capture` } },
        body: {},
      }),
    );
  } catch (error) {
    recordError(rec, 'capture_network', (error as Error).message);
    return;
  }
  const capturedAt = performance.now();
  const after = captured.payment;
  const capture = after?.captures[0];
  if (captured.status !== 201 || capture?.status !== 'SUCCESS' || after?.amounts.total_captured !== amount) {
    recordError(
      rec,
      captured.status !== 201 ? `capture_http_${captured.status}` : `capture_${capture?.status ?? 'missing'}`,
      detail(captured),
    );
    return;
  }
  record.captured = true;
  record.captureLegIds = capture.partner_transactions.map((leg) => leg.id);
  rec.captured++;
  rec.captureMs.push(capturedAt - createdAt);
  rec.flowMs.push(capturedAt - dueAt);
  if (captured.timing.tender !== undefined) rec.captureOverheadMs.push(captured.timing.tender);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface OpenLoopResult {
  rec: StepRecorder;
  durationMs: number;
  /** Whether the generator had to stop sending because too many requests were in flight. */
  saturated: boolean;
  drainedInMs: number;
  inFlightAtEnd: number;
}

/**
 * Fixed arrival rate for `durationMs`: payment i is due at start + i / rate, whatever happened to
 * the ones before. Then waits (bounded) for the requests still in flight.
 */
export async function openLoop(
  ctx: LoadContext,
  rate: number,
  durationMs: number,
  maxInFlight = 3000,
  drainTimeoutMs = 20_000,
): Promise<OpenLoopResult> {
  const rec = newRecorder();
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const interval = 1000 / rate;
  const inFlight = new Set<Promise<void>>();
  let saturated = false;
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - start) / interval) + 1);
    while (sent < due) {
      const dueAt = start + sent * interval;
      sent++;
      if (inFlight.size >= maxInFlight) {
        saturated = true;
        rec.attempted++;
        recordError(rec, 'generator_saturated', `more than ${maxInFlight} requests in flight`);
        continue;
      }
      const p: Promise<void> = paymentFlow(ctx, rec, dueAt).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    if (sent >= total) break;
    const nextDue = start + sent * interval;
    await sleep(Math.max(0, Math.min(nextDue - performance.now(), 10)));
  }
  const sendEnd = performance.now();
  const drainStart = performance.now();
  const inFlightAtEnd = inFlight.size;
  await Promise.race([Promise.allSettled([...inFlight]), sleep(drainTimeoutMs)]);
  for (let i = 0; i < inFlight.size; i++)
    recordError(rec, 'not_answered_in_time', `still in flight after drain`);
  return {
    rec,
    durationMs: sendEnd - start,
    saturated,
    drainedInMs: performance.now() - drainStart,
    inFlightAtEnd,
  };
}

/** Fixed concurrency: `concurrency` merchants' loops, each paying back to back until the deadline. */
export async function closedLoop(
  ctx: LoadContext,
  concurrency: number,
  durationMs: number,
): Promise<{ rec: StepRecorder; durationMs: number }> {
  const rec = newRecorder();
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await paymentFlow(ctx, rec, performance.now());
    }),
  );
  return { rec, durationMs: performance.now() - start };
}
