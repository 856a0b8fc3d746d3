import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type {
  CreateHostedCheckoutResponse,
  GetHostedCheckoutResponse,
} from 'connect-sdk-nodejs/lib/v1/model/domain';
import { sendError } from './auth';
import type { ConnectBooks } from './books';
import { ConnectApiError, apiError, invalid, missing, validationError } from './errors';
import { CONNECT_TEST_INSTRUMENTS } from './instruments';
import { renderPayment } from './render';
import { parseCreatePayment } from './validation';

/**
 * Connect hosted checkout (seed [000], `hostedcheckouts` in the SDK docs):
 *
 * - `POST /v1/{merchantId}/hostedcheckouts` (CreateHostedCheckoutRequest) → 201
 *   `{hostedCheckoutId, RETURNMAC, merchantReference, partialRedirectUrl, invalidTokens: []}`.
 * - `GET /v1/{merchantId}/hostedcheckouts/{id}` → `{status, createdPaymentOutput?}`.
 * - The shopper's page, `GET /hostedcheckout/{id}` (what `partialRedirectUrl` names): a test card to
 *   pick and two buttons, `sim-pay` (creates the payment as POST /payments would, with the picked
 *   test token) and `sim-cancel`; both send the shopper to `returnUrl` with `RETURNMAC` and
 *   `hostedCheckoutId` appended to its query.
 *
 * Assumptions where the docs are silent, choosing the stricter behaviour:
 * - `partialRedirectUrl` is `<the simulator's host>/hostedcheckout/{id}`: a merchant prefixes a
 *   scheme (Connect's `https://payment.`; `http://` for the simulator).
 * - `returnUrl` is required here (Connect falls back to a configured URL) and must be absolute http(s).
 * - A cancel is CANCELLED_BY_CONSUMER only with `returnCancelState: true`, else the checkout stays
 *   IN_PROGRESS (as documented); either way the page is closed: a second pay or cancel answers 409.
 * - One payment per checkout; a checkout is not paid after 2 hours (Connect's documented lifetime),
 *   and none of this survives a restart (hosted checkouts are not in the books' snapshot).
 */
interface HostedCheckout {
  id: string;
  merchantId: string;
  returnMac: string;
  returnUrl: string;
  returnCancelState: boolean;
  /** The create request's order and card input, replayed into the payment on "pay". */
  order: Record<string, unknown>;
  cardInput: Record<string, unknown>;
  merchantReference?: string;
  status: 'IN_PROGRESS' | 'PAYMENT_CREATED' | 'CANCELLED_BY_CONSUMER';
  closed: boolean;
  paymentId?: string;
  createdAt: number;
}

const LIFETIME_MS = 2 * 60 * 60 * 1000;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class HostedCheckouts {
  private readonly byId = new Map<string, HostedCheckout>();

  constructor(
    private readonly books: ConnectBooks,
    private readonly now: () => Date,
  ) {}

  reset(): void {
    this.byId.clear();
  }

  /** `/v1/{merchantId}/hostedcheckouts…`: behind the v1HMAC check. */
  apiRouter(): Router {
    const router = Router();
    router.post('/:merchantId/hostedcheckouts', (req: Request, res: Response) => {
      try {
        const checkout = this.create(String(req.params.merchantId), req.body);
        const body: CreateHostedCheckoutResponse = {
          hostedCheckoutId: checkout.id,
          RETURNMAC: checkout.returnMac,
          invalidTokens: [],
          merchantReference: checkout.merchantReference ?? checkout.id,
          partialRedirectUrl: `${req.get('host')}/hostedcheckout/${checkout.id}`,
        };
        res.status(201).location(`/v1/${checkout.merchantId}/hostedcheckouts/${checkout.id}`).json(body);
      } catch (error) {
        if (!(error instanceof ConnectApiError)) throw error;
        sendError(res, error);
      }
    });
    router.get('/:merchantId/hostedcheckouts/:id', (req: Request, res: Response) => {
      const checkout = this.byId.get(String(req.params.id));
      if (!checkout || checkout.merchantId !== String(req.params.merchantId)) {
        return sendError(
          res,
          ConnectApiError.of(404, [apiError('notFound', 404, 'HOSTEDCHECKOUT_NOT_FOUND')]),
        );
      }
      res.json(this.view(checkout));
    });
    return router;
  }

  /** The shopper's page (no authentication, as for a browser). */
  pageRouter(): Router {
    const router = Router();
    router.get('/hostedcheckout/:id', (req: Request, res: Response) => {
      const checkout = this.byId.get(String(req.params.id));
      if (!checkout) return void res.status(404).type('html').send('<h1>Checkout not found</h1>');
      const money = isObject(checkout.order.amountOfMoney) ? checkout.order.amountOfMoney : {};
      const amount = `${(Number(money.amount) / 100).toFixed(2)} ${String(money.currencyCode)}`;
      const action = `/hostedcheckout/${encodeURIComponent(checkout.id)}`;
      const cards = CONNECT_TEST_INSTRUMENTS.map(
        (i) =>
          `<option value="${escape(i.token)}"${i.token === 'connect-approve' ? ' selected' : ''}>` +
          `${escape(i.token)}: ${escape(i.description)}</option>`,
      ).join('');
      res
        .status(200)
        .set('Cache-Control', 'no-store')
        .type('html')
        .send(
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Connect simulator checkout</title>' +
            '<meta name="viewport" content="width=device-width,initial-scale=1"></head><body>' +
            `<h1>Connect simulator checkout</h1><p>Amount: <strong id="total">${escape(amount)}</strong></p>` +
            (checkout.closed
              ? `<p id="status">${escape(checkout.status)}</p>`
              : `<form method="post" action="${action}/pay"><label>Test card <select name="card">${cards}</select></label> ` +
                '<button type="submit" data-testid="sim-pay">Pay</button></form>' +
                `<form method="post" action="${action}/cancel"><button type="submit" data-testid="sim-cancel">Cancel</button></form>`) +
            '</body></html>',
        );
    });
    const finish = (choice: 'pay' | 'cancel') => (req: Request, res: Response) => {
      const checkout = this.byId.get(String(req.params.id));
      if (!checkout) return void res.status(404).type('html').send('<h1>Checkout not found</h1>');
      if (checkout.closed || this.now().getTime() - checkout.createdAt > LIFETIME_MS) {
        return void res.status(409).type('html').send('<h1>This checkout is closed</h1>');
      }
      checkout.closed = true;
      if (choice === 'pay') {
        const token =
          isObject(req.body) && typeof req.body.card === 'string' ? req.body.card : 'connect-approve';
        const input = parseCreatePayment(checkout.merchantId, {
          order: checkout.order,
          cardPaymentMethodSpecificInput: { ...checkout.cardInput, token },
        });
        const payment = this.books.createPayment(input);
        checkout.paymentId = payment.id;
        checkout.status = 'PAYMENT_CREATED';
      } else if (checkout.returnCancelState) {
        checkout.status = 'CANCELLED_BY_CONSUMER';
      }
      const back = new URL(checkout.returnUrl);
      back.searchParams.set('RETURNMAC', checkout.returnMac);
      back.searchParams.set('hostedCheckoutId', checkout.id);
      res.redirect(303, back.toString());
    };
    router.post(
      '/hostedcheckout/:id/pay',
      express.urlencoded({ extended: false, limit: '4kb' }),
      finish('pay'),
    );
    router.post('/hostedcheckout/:id/cancel', finish('cancel'));
    return router;
  }

  private create(merchantId: string, body: unknown): HostedCheckout {
    const request = isObject(body) ? body : {};
    const specific = isObject(request.hostedCheckoutSpecificInput) ? request.hostedCheckoutSpecificInput : {};
    const order = isObject(request.order) ? request.order : {};
    const cardInput = isObject(request.cardPaymentMethodSpecificInput)
      ? request.cardPaymentMethodSpecificInput
      : {};
    const returnUrl = specific.returnUrl;
    if (returnUrl === undefined) throw validationError([missing('hostedCheckoutSpecificInput.returnUrl')]);
    if (typeof returnUrl !== 'string' || !/^https?:\/\/[^/]/.test(returnUrl)) {
      throw validationError([
        invalid('hostedCheckoutSpecificInput.returnUrl', 'URLs without a protocol will be rejected'),
      ]);
    }
    // The order is checked as a payment's would be (amount, currency, references), with a stand-in token.
    parseCreatePayment(merchantId, {
      order,
      cardPaymentMethodSpecificInput: { ...cardInput, token: 'check' },
    });
    const references = isObject(order.references) ? order.references : {};
    const checkout: HostedCheckout = {
      id: `${merchantId}-${randomBytes(16).toString('hex')}`,
      merchantId,
      returnMac: randomBytes(18).toString('hex'),
      returnUrl,
      returnCancelState: specific.returnCancelState === true,
      order,
      cardInput,
      merchantReference:
        typeof references.merchantReference === 'string' ? references.merchantReference : undefined,
      status: 'IN_PROGRESS',
      closed: false,
      createdAt: this.now().getTime(),
    };
    this.byId.set(checkout.id, checkout);
    return checkout;
  }

  private view(checkout: HostedCheckout): GetHostedCheckoutResponse {
    const payment = checkout.paymentId ? this.books.state.payments[checkout.paymentId] : undefined;
    if (!payment) return { status: checkout.status };
    const rendered = renderPayment(this.books, payment);
    return {
      status: checkout.status,
      createdPaymentOutput: {
        payment: rendered,
        paymentStatusCategory:
          rendered.statusOutput?.statusCategory === 'UNSUCCESSFUL' ? 'REJECTED' : 'SUCCESSFUL',
      },
    };
  }
}
