import { Router, type Request, type Response } from 'express';
import type { PaytronixBooks } from './books';
import { formatCents } from './money';
import { finishCheckout } from './payment-service';

/**
 * The hosted checkout page the `redirectUrl` points to (standing in for the Stripe Hosted Payment
 * Page): `GET /checkout/{sessionId}` shows the line items and two buttons, which post to
 * `/checkout/{sessionId}/complete` (→ REQUIRES_CAPTURE, 303 to successUrl) or `/cancel`
 * (→ CANCELED, 303 to cancelUrl). No authentication, as for a shopper's browser.
 */
function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
        `<body><h1>${escape(title)}</h1>${body}</body></html>`,
    );
}

export function checkoutPageRouter(books: PaytronixBooks, now: () => Date): Router {
  const router = Router();

  router.get('/checkout/:sessionId', (req: Request, res: Response) => {
    const session = books.state.checkoutSessions[String(req.params.sessionId)];
    if (!session) return page(res, 404, 'Checkout not found', '<p>No such checkout session.</p>');
    const intent = books.state.paymentIntents[session.paymentIntentId];
    const items = session.lineItems
      .map((item) => `<li>${escape(item.description)} × ${item.quantity}: ${escape(item.amount)}</li>`)
      .join('');
    const action = `/checkout/${encodeURIComponent(session.id)}`;
    const open = session.status === 'open';
    page(
      res,
      200,
      'Paytronix simulator checkout',
      `<ul>${items}</ul><p>Total: <strong id="total">${formatCents(session.amountCents)}</strong></p>` +
        `<p>Session <code>${escape(session.id)}</code>: <span id="status">${escape(session.status)}</span>, ` +
        `payment intent <code>${escape(intent.id)}</code>: ${escape(intent.status)}</p>` +
        (open
          ? `<form method="post" action="${action}/complete"><button type="submit" id="pay" data-testid="sim-pay">Pay</button></form>` +
            `<form method="post" action="${action}/cancel"><button type="submit" id="cancel" data-testid="sim-cancel">Cancel</button></form>`
          : ''),
    );
  });

  for (const choice of ['complete', 'cancel'] as const) {
    router.post(`/checkout/:sessionId/${choice}`, (req: Request, res: Response) => {
      const outcome = finishCheckout(books, String(req.params.sessionId), choice, now());
      if ('notFound' in outcome)
        return page(res, 404, 'Checkout not found', '<p>No such checkout session.</p>');
      if ('conflict' in outcome)
        return page(res, 409, 'Checkout closed', `<p>${escape(outcome.conflict)}</p>`);
      books.changed();
      res.redirect(303, outcome.redirectTo);
    });
  }

  return router;
}
