import { Router, type Request } from 'express';
import { CONNECT_TEST_INSTRUMENTS } from './instruments';
import { renderCapture, renderPayment, renderRefund } from './render';
import type { RouteDeps } from './routes';

/** Inspection and control API under /_sim: no authentication, no latency (the Connect API itself: routes.ts). */
export function simRouter(deps: RouteDeps): Router {
  const { books, idempotence, webhooks, options } = deps;
  const router = Router();
  const body = (req: Request): Record<string, unknown> =>
    req.body !== null && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};

  router.get('/_sim/health', (_req, res) => {
    res.json({ status: 'ok', simulator: 'connect', merchantId: options.merchantId });
  });

  router.post('/_sim/reset', (_req, res) => {
    deps.reset();
    res.json({ reset: true });
  });

  router.get('/_sim/connect/instruments', (_req, res) => {
    res.json({ instruments: CONNECT_TEST_INSTRUMENTS });
  });

  router.get('/_sim/connect/transactions', (req, res) => {
    const reference = typeof req.query.reference === 'string' ? req.query.reference : undefined;
    res.json({ transactions: books.transactions(reference), counters: books.state.counters });
  });

  router.get('/_sim/connect/payments/:paymentId', (req, res) => {
    const payment = books.state.payments[req.params.paymentId];
    if (!payment) {
      res.status(404).json({ error: `no payment ${req.params.paymentId}` });
      return;
    }
    res.json({
      transaction: books.transaction(payment),
      payment: renderPayment(books, payment),
      captures: books.capturesOf(payment).map((c) => renderCapture(books, c)),
      refunds: books.refundsOf(payment).map((r) => renderRefund(books, r)),
    });
  });

  router.post('/_sim/connect/payments/:paymentId/settle', (req, res) => {
    const payment = books.state.payments[req.params.paymentId];
    if (!payment) {
      res.status(404).json({ error: `no payment ${req.params.paymentId}` });
      return;
    }
    books.settle(payment);
    res.json({ transaction: books.transaction(payment) });
  });

  router.get('/_sim/connect/idempotence', (_req, res) => {
    res.json({ keys: idempotence.list().map(({ response: _response, ...entry }) => entry) });
  });

  /** Body `{ key, merchantId? }`: the key answers 1409 until released. */
  router.post('/_sim/connect/idempotence/hold', (req, res) => {
    const { key, merchantId } = body(req);
    if (typeof key !== 'string' || key === '') {
      res.status(400).json({ error: 'body needs { "key": "<idempotence key>" }' });
      return;
    }
    const entry = idempotence.hold(typeof merchantId === 'string' ? merchantId : options.merchantId, key);
    res.json({ held: true, key, firstTimestampMs: entry.firstTimestampMs });
  });

  router.post('/_sim/connect/idempotence/release', (req, res) => {
    const { key, merchantId } = body(req);
    const released =
      typeof key === 'string' &&
      idempotence.release(typeof merchantId === 'string' ? merchantId : options.merchantId, key);
    res.status(released ? 200 : 404).json({ released });
  });

  router.get('/_sim/connect/webhooks', (_req, res) => {
    res.json({ url: options.webhookUrl ?? null, deliveries: webhooks.deliveries() });
  });

  router.post('/_sim/connect/webhooks/verify', async (_req, res) => {
    res.json(await webhooks.verifyEndpoint());
  });

  return router;
}
