import express, { type Express, type Request, type Response } from 'express';
import { formatMoney } from '@tender/domain';

/**
 * The demo shop (`npm start`: http://127.0.0.1:4100/demo/shop): a merchant's page as a newcomer
 * would write it. Its server opens a client session with a front_office token and the page mounts
 * Tender's drop-in with the session's `widget.data`; `?mode=hosted` sends the shopper to Tender's
 * hosted page instead. The shopper comes back to `/demo/shop/return`, where the server reads the
 * payment with its own token (the redirection token only says which payment).
 */
export interface DemoShopOptions {
  /** Tender's API as this server reaches it. */
  apiUrl: string;
  /** Tender's API as the shopper's browser reaches it (PUBLIC_URL); default apiUrl. */
  publicApiUrl?: string;
  /** A front_office (and back_office, to read the payment back) access token. */
  token: () => Promise<string>;
}

interface SessionReply {
  widget: { data: string; js_url: string };
  links: { checkout?: { href: string } };
}

interface PaymentReply {
  currency: string;
  authorization: {
    status: string;
    partner_transactions: Array<{ partner: string; method: string; amount: number; status: string }>;
  };
}

const query = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const SHOP_SCRIPT = `'use strict';
var el = document.getElementById('checkout');
window.Tender.mount(el, { session: el.getAttribute('data-session') });
`;

const SHOP_CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafafa}
header{background:#23395d;color:#fff;padding:.75rem 1rem}main{max-width:60rem;margin:0 auto;padding:1rem;
display:grid;gap:1.5rem;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr))}
.basket li{display:flex;justify-content:space-between}.basket ul{padding:0;list-style:none}`;

export function createDemoShop(options: DemoShopOptions): Express {
  const app = express();
  const publicApi = (options.publicApiUrl ?? options.apiUrl).replace(/\/+$/, '');
  const csp = [
    "default-src 'none'",
    `script-src 'self' ${publicApi}`,
    `style-src 'self' ${publicApi}`,
    `connect-src ${publicApi}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

  const tender = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${options.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${await options.token()}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await response.json()) as T & { detail?: string };
    if (!response.ok) throw new Error(`Tender ${method} ${path}: ${response.status} ${json.detail ?? ''}`);
    return json;
  };

  const page = (res: Response, title: string, body: string) =>
    res
      .status(200)
      .set({ 'Content-Security-Policy': csp, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })
      .type('html')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>` +
          '<meta name="viewport" content="width=device-width,initial-scale=1">' +
          '<link rel="stylesheet" href="/demo/shop/shop.css"></head>' +
          `<body><header><strong>Demo shop</strong> · paying with Tender</header>${body}</body></html>`,
      );

  app.get('/demo/shop/shop.js', (_req, res) => void res.type('text/javascript').send(SHOP_SCRIPT));
  app.get('/demo/shop/shop.css', (_req, res) => void res.type('text/css').send(SHOP_CSS));

  app.get('/demo/shop', async (req: Request, res: Response) => {
    const amount = Number(query(req.query.amount, '14299'));
    const currency = query(req.query.currency, 'EUR');
    const hosted = req.query.mode === 'hosted';
    if (!Number.isSafeInteger(amount) || amount <= 0) return void res.status(400).send('amount: minor units');
    const session = await tender<SessionReply>('POST', '/v2/client-sessions', {
      amount,
      currency,
      integration_mode: hosted ? 'HOSTED_PAGE' : 'EMBEDDED',
      shopper_redirection_url: `${req.protocol}://${req.get('host')}/demo/shop/return`,
      order: { reference: `demo-${Date.now()}` },
    });
    if (hosted && session.links.checkout) return void res.redirect(303, session.links.checkout.href);
    page(
      res,
      'Demo shop: checkout',
      `<main><section class="basket"><h1>Your basket</h1><ul><li><span>Espresso machine</span>` +
        `<span data-testid="shop-total">${escape(formatMoney(amount, currency, 'en'))}</span></li></ul></section>` +
        `<section><h2>Payment</h2><div id="checkout" data-session="${escape(session.widget.data)}"></div></section></main>` +
        `<script src="${escape(session.widget.js_url)}"></script><script src="/demo/shop/shop.js"></script>`,
    );
  });

  app.get('/demo/shop/return', async (req: Request, res: Response) => {
    const token = query(req.query['purse-redirection-data'], '');
    // Only to learn the payment id: what it says is read from Tender with the shop's own token.
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}') as {
      payment_id?: string;
    };
    if (!claims.payment_id || !/^[0-9a-f-]{36}$/.test(claims.payment_id)) {
      return void res.status(400).send('missing purse-redirection-data');
    }
    // A split's gift card is debited after the card is held: give it a few seconds to finish.
    let payment = await tender<PaymentReply>('GET', `/v2/payments/${claims.payment_id}`);
    for (let i = 0; i < 20 && payment.authorization.status === 'PENDING'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      payment = await tender<PaymentReply>('GET', `/v2/payments/${claims.payment_id}`);
    }
    const status = String(payment.authorization.status);
    const tenders = payment.authorization.partner_transactions
      .map(
        (t) =>
          `<li>${escape(`${t.partner}/${t.method}`)}: ${escape(formatMoney(t.amount, payment.currency, 'en'))} ${escape(t.status)}</li>`,
      )
      .join('');
    const text =
      status === 'AUTHORIZED'
        ? 'Thank you! Your payment was accepted.'
        : status === 'PENDING'
          ? 'Your payment is being processed.'
          : 'Your payment did not go through. Nothing was charged.';
    page(
      res,
      'Demo shop: payment',
      `<main><section><h1 data-testid="shop-result" data-status="${escape(status)}">${escape(text)}</h1>` +
        `<ul data-testid="shop-tenders">${tenders}</ul><p><a href="/demo/shop">Back to the shop</a></p></section></main>`,
    );
  });

  return app;
}
