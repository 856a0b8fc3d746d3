import { Router, type Request, type Response } from 'express';
import type { PaytronixBooks, SvTransaction } from './books';
import { formatCents } from './money';
import { finishCheckout, paymentIntentView } from './payment-service';
import { historyEntry } from './stored-value';

/**
 * Inspection API (no auth, no added latency, no failure injection):
 *
 *   GET  /_sim/paytronix/transactions?reference=R  journal entries whose posTransactionId,
 *        pxTransactionId or processorReferenceNumber is R, refused calls with posTransactionId R,
 *        and the payment intent / checkout session with id R (everything without R)
 *   GET  /_sim/paytronix/cards/{number}             balance, status and journal of a gift card
 *   GET  /_sim/paytronix/checkout-sessions/{id}     a hosted-checkout session and its payment intent
 *   POST /_sim/paytronix/checkout/{id}/complete     as the page's "Pay" button (JSON answer, no redirect)
 *   POST /_sim/paytronix/checkout/{id}/cancel       as the page's "Cancel" button
 *   POST /_sim/reset                                initial books, test card balances included
 */
function entry(transaction: SvTransaction) {
  return {
    ...historyEntry(transaction),
    requestedAddQuantity: formatCents(transaction.requestedAddCents),
    requestedRedeemQuantity: formatCents(transaction.requestedRedeemCents),
    ...(transaction.processorReferenceNumber
      ? { processorReferenceNumber: transaction.processorReferenceNumber }
      : {}),
  };
}

export function paytronixSimRouter(books: PaytronixBooks, now: () => Date, reset: () => void): Router {
  const router = Router();

  router.get('/_sim/paytronix/transactions', (req: Request, res: Response) => {
    const reference = typeof req.query.reference === 'string' ? req.query.reference : undefined;
    const state = books.state;
    const all = reference === undefined;
    const transactions = Object.values(state.transactions).filter(
      (t) =>
        all ||
        t.posTransactionId === reference ||
        String(t.pxTransactionId) === reference ||
        t.processorReferenceNumber === reference,
    );
    const intents = Object.values(state.paymentIntents).filter(
      (intent) => all || intent.id === reference || intent.checkoutSessionId === reference,
    );
    res.json({
      reference: reference ?? null,
      transactions: transactions.sort((a, b) => a.pxTransactionId - b.pxTransactionId).map(entry),
      declines: state.declines.filter((d) => all || d.posTransactionId === reference),
      paymentIntents: intents.map((intent) => ({
        ...paymentIntentView(intent),
        checkoutSessionId: intent.checkoutSessionId,
        checkoutSessionStatus: state.checkoutSessions[intent.checkoutSessionId]?.status,
      })),
    });
  });

  router.get('/_sim/paytronix/cards/:number', (req: Request, res: Response) => {
    const card = books.state.cards[String(req.params.number)];
    if (!card) return void res.status(404).json({ error: 'card not found' });
    res.json({
      printedCardNumber: card.printedCardNumber,
      status: card.status,
      balance: formatCents(card.balanceCents),
      partialRedeem: card.partialRedeem,
      transactions: Object.values(books.state.transactions)
        .filter((t) => t.printedCardNumber === card.printedCardNumber)
        .map(entry),
    });
  });

  router.get('/_sim/paytronix/checkout-sessions/:id', (req: Request, res: Response) => {
    const session = books.state.checkoutSessions[String(req.params.id)];
    if (!session) return void res.status(404).json({ error: 'checkout session not found' });
    res.json({
      ...session,
      amount: formatCents(session.amountCents),
      paymentIntent: paymentIntentView(books.state.paymentIntents[session.paymentIntentId]),
    });
  });

  for (const choice of ['complete', 'cancel'] as const) {
    router.post(`/_sim/paytronix/checkout/:id/${choice}`, (req: Request, res: Response) => {
      const outcome = finishCheckout(books, String(req.params.id), choice, now());
      if ('notFound' in outcome) return void res.status(404).json({ error: 'checkout session not found' });
      if ('conflict' in outcome) return void res.status(409).json({ error: outcome.conflict });
      books.changed();
      res.json({
        checkoutSessionId: outcome.session.id,
        status: outcome.session.status,
        paymentIntent: paymentIntentView(outcome.intent),
        redirectTo: outcome.redirectTo,
      });
    });
  }

  router.post('/_sim/reset', (_req: Request, res: Response) => {
    reset();
    res.json({ reset: true });
  });

  return router;
}
