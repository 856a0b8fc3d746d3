import { Router, type Request, type Response } from 'express';
import { findByReference } from './books';
import { ledgerOf, toWire } from './wire';
import type { PurseContext } from './routes';

/**
 * Inspection API (no auth, no added latency, no failure injection):
 *
 *   GET  /_sim/purse/transactions?reference=R   books of the payments whose order.reference or one of
 *                                               whose operations' merchant_reference is R (all without R)
 *   GET  /_sim/purse/payments/{id}              the payment as the API would answer it
 *   GET  /_sim/purse/webhooks                   webhook deliveries (latest 1000)
 *   GET  /_sim/purse/stats                      counts, idempotency hits
 *   POST /_sim/reset                            empty books (payments, keys, tokens)
 */
export function purseSimRouter(ctx: PurseContext, reset: () => void): Router {
  const router = Router();
  const state = () => ctx.store.state;

  router.get('/_sim/purse/transactions', (req: Request, res: Response) => {
    const reference = typeof req.query.reference === 'string' ? req.query.reference : undefined;
    res.json({
      reference: reference ?? null,
      transactions: findByReference(state(), reference).map(ledgerOf),
    });
  });

  router.get('/_sim/purse/payments/:id', (req: Request, res: Response) => {
    const payment = state().payments[String(req.params.id)];
    if (!payment) return void res.status(404).json({ error: 'payment not found' });
    res.json(toWire(payment));
  });

  router.get('/_sim/purse/webhooks', (_req: Request, res: Response) => {
    res.json({ enabled: ctx.webhooks.enabled, deliveries: ctx.webhooks.deliveries() });
  });

  router.get('/_sim/purse/stats', (_req: Request, res: Response) => {
    const nowMs = ctx.now().getTime();
    res.json({
      payments: Object.keys(state().payments).length,
      idempotency_keys: Object.keys(state().idempotency).length,
      idempotency_hits: state().idempotencyHits,
      live_tokens: Object.values(state().tokens).filter((token) => token.expiresAt > nowMs).length,
    });
  });

  router.post('/_sim/reset', (_req: Request, res: Response) => {
    reset();
    res.json({ reset: true });
  });

  return router;
}
