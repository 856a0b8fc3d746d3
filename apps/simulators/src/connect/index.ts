import type { EventEmitter } from 'node:events';
import type { Express, Request, Response } from 'express';
import { createSimulatorApp, jsonErrorHandler } from '../common/sim-app';
import { v1HmacAuth } from './auth';
import { ConnectBooks } from './books';
import { apiError, newErrorId, operationRefused } from './errors';
import { ResponseHolds } from './holds';
import { IdempotenceRegistry } from './idempotence';
import { resolveConnectOptions, type ConnectSimulatorOptions } from './options';
import { renderPayment, renderRefund } from './render';
import { HostedCheckouts } from './hosted-checkout';
import { connectApiRouter, failureInjection, type RouteDeps } from './routes';
import { simRouter } from './sim-routes';
import { ConnectWebhookSender, paymentEvent, refundEvent } from './webhooks';

export { ConnectBooks } from './books';
export type {
  BooksChange,
  ConnectBooksState,
  PaymentRecord,
  CaptureRecord,
  RefundRecord,
  TransactionView,
} from './books-state';
export { CONNECT_ERROR_CODES } from './errors';
export { CONNECT_TEST_INSTRUMENTS } from './instruments';
export type { ConnectTestInstrument, InstrumentOutcome } from './instruments';
export { CONNECT_SIM_DEFAULTS, connectSimulatorOptionsFromEnv } from './options';
export type { ConnectSimulatorOptions } from './options';
export { authorizationHeader, rfc1123Date, stringToSign, v1HmacSignature, verifyV1Hmac } from './v1hmac';
export type { SignableRequest } from './v1hmac';
export { signedRequest } from './signed-request';
export type { SignedRequestInit } from './signed-request';
export { signWebhookBody } from './webhooks';
export type { WebhookDelivery } from './webhooks';
export type { HoldInfo } from './holds';

export interface ConnectSimulator {
  app: Express;
  /** Back to the initial state: no payments, keys, markers or webhook log; held answers are let go. */
  reset(): void;
  books: ConnectBooks;
  /** 'hold' / 'release' (HoldInfo) around connect-timeout answers. */
  events: EventEmitter;
  webhooks: ConnectWebhookSender;
  /** Stops timers, waits for webhook deliveries and writes the snapshot (call before closing the server). */
  close(): Promise<void>;
}

/**
 * The Connect simulator: Worldline/Ingenico Connect Server API v1 on the wire (v1HMAC, idempotence
 * keys, Connect error bodies and status models, signed webhooks) with its own books and a /_sim
 * inspection API. Mount nothing else on the returned app; listen with `listen(app)`.
 */
export function createConnectSimulator(input: ConnectSimulatorOptions = {}): ConnectSimulator {
  const options = resolveConnectOptions(input);
  const books = new ConnectBooks(options.now, options.snapshotFile, {
    captureRejectRate: options.captureRejectRate,
  });
  const idempotence = new IdempotenceRegistry(books, options.now);
  const holds = new ResponseHolds();
  const webhooks = new ConnectWebhookSender({
    url: options.webhookUrl,
    keyId: options.webhookKeyId,
    secret: options.webhookSecret,
    timeoutMs: options.webhookTimeoutMs,
    logger: options.logger,
    now: options.now,
  });

  // Each requested capture / refund settles settleDelayMs after it was requested (-1: only on request).
  const settleTimers = new Map<string, NodeJS.Timeout>();
  const scheduleSettle = (kind: 'capture' | 'refund', id: string, requestedAt: string) => {
    const timerKey = `${kind} ${id}`;
    if (options.settleDelayMs < 0 || settleTimers.has(timerKey)) return;
    const dueInMs = Date.parse(requestedAt) + options.settleDelayMs - options.now().getTime();
    const timer = setTimeout(
      () => {
        settleTimers.delete(timerKey);
        const state = books.state;
        if (kind === 'capture' && state.captures[id]) books.settleCapture(state.captures[id]);
        if (kind === 'refund' && state.refunds[id]) books.settleRefund(state.refunds[id]);
      },
      Math.max(0, dueInMs),
    );
    timer.unref();
    settleTimers.set(timerKey, timer);
  };
  const clearSettleTimers = () => {
    for (const timer of settleTimers.values()) clearTimeout(timer);
    settleTimers.clear();
  };
  // after a restart from a snapshot, what was queued still settles
  for (const capture of Object.values(books.state.captures))
    if (capture.status === 'CAPTURE_REQUESTED')
      scheduleSettle('capture', capture.id, capture.statusChangedAt);
  for (const refund of Object.values(books.state.refunds))
    if (refund.status === 'REFUND_REQUESTED') scheduleSettle('refund', refund.id, refund.statusChangedAt);

  books.onChange((change) => {
    const state = books.state;
    if (change.type === 'payment' && state.payments[change.id]) {
      const payment = state.payments[change.id];
      webhooks.send(paymentEvent(payment.merchantId, renderPayment(books, payment), options.now()));
    } else if (change.type === 'refund' && state.refunds[change.id]) {
      const refund = state.refunds[change.id];
      webhooks.send(refundEvent(refund.merchantId, renderRefund(books, refund), options.now()));
      if (change.status === 'REFUND_REQUESTED') scheduleSettle('refund', refund.id, refund.statusChangedAt);
    } else if (
      change.type === 'capture' &&
      change.status === 'CAPTURE_REQUESTED' &&
      state.captures[change.id]
    ) {
      const capture = state.captures[change.id];
      scheduleSettle('capture', capture.id, capture.statusChangedAt);
    }
  });

  const hostedCheckouts = new HostedCheckouts(books, options.now);
  const reset = () => {
    clearSettleTimers();
    holds.releaseAll();
    books.reset();
    webhooks.clear();
    hostedCheckouts.reset();
  };

  const deps: RouteDeps = { options, books, idempotence, webhooks, holds, reset };
  const app = createSimulatorApp(options, operationRefused);
  app.use(simRouter(deps));
  app.use(hostedCheckouts.pageRouter());
  app.use(
    '/v1',
    v1HmacAuth({
      apiKeys: options.apiKeys,
      merchantId: options.merchantId,
      dateSkewSeconds: options.dateSkewSeconds,
      now: options.now,
      onFailure: () => {
        books.state.counters.authFailures += 1;
        books.commit();
      },
    }),
    failureInjection(deps),
    hostedCheckouts.apiRouter(), // before connectApiRouter, which ends with the unknown-resource 404
    connectApiRouter(deps),
  );
  app.use((_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('Not Found');
  });
  app.use(
    jsonErrorHandler((status, message) => ({
      errorId: newErrorId(),
      errors: [
        status >= 500
          ? apiError('serverError', status, `UNKNOWN_SERVER_ERROR: ${message}`)
          : apiError('invalidValue', status, `REQUEST_NOT_READABLE: ${message}`),
      ],
    })),
  );

  return {
    app,
    reset,
    books,
    events: holds.events,
    webhooks,
    close: async () => {
      clearSettleTimers();
      holds.releaseAll();
      await webhooks.idle();
      books.flush();
    },
  };
}
