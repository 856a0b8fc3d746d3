import { Router, type NextFunction, type Request, type Response } from 'express';
import { shouldInjectFailure } from '../common/sim-app';
import { checkAuthentication, type PaytronixCredentials } from './auth';
import type { PaytronixBooks } from './books';
import {
  cancelPaymentIntent,
  capturePaymentIntent,
  createCheckoutSession,
  getPaymentIntent,
  recharge,
  type PaymentContext,
} from './payment-service';
import { PAYMENT_PREFIXES, PaymentError, paymentFailureFromTx, TxError, type Reply } from './replies';
import {
  addRedeem,
  balanceInquiry,
  reverse,
  transactionHistory,
  voidAddRedeem,
  type TxContext,
} from './stored-value';

/**
 * Paytronix wire API. Base path: `/rest/{release}/` as in Paytronix's URL schema
 * `https://mMID.api.<server>/rest/{release}/{service}/{endpoint}.json`; any release is accepted
 * (e.g. `/rest/25.33/transaction/addRedeem.json`). Every answer is HTTP 200 with the outcome in
 * `result` (replies.ts), injected failures included; refused credentials get HTTP 401 (with the
 * `authentication.*` failure body) and an unknown path a 404.
 *
 * A redeem or credit commits when its handler runs: a lookup (transactionHistory) made before sees
 * nothing. Slow cards commit only after `slowCommitMs`, as a Paytronix call still being processed.
 */
export interface PaytronixContext {
  books: PaytronixBooks;
  credentials: PaytronixCredentials;
  failureRate: number;
  merchantId?: number;
  /** Base URL of the hosted checkout page; default: the request's own host. */
  publicUrl?: string;
  /** Cards whose addRedeem / voidAddRedeem commit only after `slowCommitMs`. */
  slowCards: ReadonlySet<string>;
  slowCommitMs: number;
  now(): Date;
}

/** Refused credentials: HTTP 401, as an HTTP service guarding Basic auth answers (nothing was done). */
function sendUnauthorized(res: Response, reply: Reply): void {
  res.status(401).set('WWW-Authenticate', 'Basic realm="Paytronix"').json(reply);
}

type Body = Record<string, unknown>;

function fieldsOf(value: unknown): Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {};
}

const NOT_BOOKED: TxError['kind'][] = [
  'serverError',
  'invalidIntegration',
  'unsupportedAuthentication',
  'invalidB2bCredentials',
];

const AUTHENTICATION: TxError['kind'][] = [
  'invalidIntegration',
  'unsupportedAuthentication',
  'invalidB2bCredentials',
];

/** The calls that move value on a card, which a slow card commits late. */
const SLOW_ENDPOINTS = ['addRedeem', 'voidAddRedeem'];

const TRANSACTION_ENDPOINTS: Record<string, (books: PaytronixBooks, body: Body, ctx: TxContext) => Reply> = {
  balanceInquiry,
  addRedeem,
  voidAddRedeem,
  reverse,
  transactionHistory,
};

export function paytronixApiRouter(ctx: PaytronixContext): Router {
  const router = Router();
  const { books } = ctx;

  /** Injected failure first, then credentials: both before anything else happens. */
  const gate = (req: Request, fields: Body) => {
    if (shouldInjectFailure({ failureRate: ctx.failureRate })) throw new TxError('serverError');
    checkAuthentication(req.get('authorization'), fields, ctx.credentials);
  };

  for (const [name, handle] of Object.entries(TRANSACTION_ENDPOINTS)) {
    router.post(`/rest/:release/transaction/${name}.json`, async (req: Request, res: Response) => {
      const body = fieldsOf(req.body);
      const header = fieldsOf(body.headerInfo);
      const pos = typeof header.posTransactionId === 'string' ? header.posTransactionId : undefined;
      const card = fieldsOf(body.cardInfo).printedCardNumber;
      if (SLOW_ENDPOINTS.includes(name) && typeof card === 'string' && ctx.slowCards.has(card)) {
        await new Promise((resolve) => setTimeout(resolve, ctx.slowCommitMs));
      }
      let reply: Reply;
      try {
        gate(req, body);
        reply = handle(books, body, { now: ctx.now(), merchantId: ctx.merchantId });
      } catch (error) {
        if (!(error instanceof TxError)) throw error;
        reply = error.reply(pos);
        if (AUTHENTICATION.includes(error.kind)) return sendUnauthorized(res, reply);
        if (!NOT_BOOKED.includes(error.kind)) {
          books.decline({
            datetime: ctx.now().toISOString(),
            endpoint: `transaction/${name}.json`,
            result: reply.result,
            errorCode: error.errorCode,
            posTransactionId: pos,
            printedCardNumber: typeof card === 'string' ? card : undefined,
          });
        }
      }
      books.changed();
      res.status(200).json(reply);
    });
  }

  const payment = (method: 'get' | 'post', name: string, handle: (fields: Body, req: Request) => Reply) => {
    router[method](`/rest/:release/payment/${name}`, (req: Request, res: Response) => {
      const fields = fieldsOf(method === 'get' ? req.query : req.body);
      const prefix = PAYMENT_PREFIXES[name];
      let reply: Reply;
      try {
        try {
          gate(req, fields);
        } catch (error) {
          if (error instanceof TxError && AUTHENTICATION.includes(error.kind)) {
            const failure = paymentFailureFromTx(error, prefix).reply();
            return sendUnauthorized(res, failure);
          }
          throw error instanceof TxError ? paymentFailureFromTx(error, prefix) : error;
        }
        reply = handle(fields, req);
      } catch (error) {
        if (!(error instanceof PaymentError)) throw error;
        reply = error.reply();
        if (!error.errorCode.startsWith('authentication.') && !error.errorCode.endsWith('.server_error')) {
          books.decline({
            datetime: ctx.now().toISOString(),
            endpoint: `payment/${name}`,
            result: reply.result,
            errorCode: error.errorCode,
            printedCardNumber:
              typeof fields.printedCardNumber === 'string' ? fields.printedCardNumber : undefined,
          });
        }
      }
      books.changed();
      res.status(200).json(reply);
    });
  };

  const paymentCtx = (): PaymentContext => ({ now: ctx.now(), merchantId: ctx.merchantId });
  payment('post', 'createCheckoutSession.json', (fields, req) =>
    createCheckoutSession(books, fields, {
      ...paymentCtx(),
      hostedPageBase: ctx.publicUrl ?? `${req.protocol}://${req.get('host')}`,
    }),
  );
  payment('get', 'paymentIntent.json', (fields) => getPaymentIntent(books, fields, paymentCtx()));
  payment('post', 'capturePaymentIntent.json', (fields) => capturePaymentIntent(books, fields, paymentCtx()));
  payment('post', 'cancelPaymentIntent.json', (fields) => cancelPaymentIntent(books, fields, paymentCtx()));
  payment('post', 'recharge.json', (fields) => recharge(books, fields, paymentCtx()));

  router.use('/rest', (req: Request, res: Response) => {
    res.status(404).json({
      result: 'failure',
      errorCode: 'request.unknown_endpoint',
      errorMessage: `No such endpoint ${req.method} ${req.originalUrl}`,
    });
  });
  return router;
}

/** Final error handler: an unparseable body on the API is a `failure` reply (HTTP 200), never an HTML page. */
export function paytronixErrorHandler(
  err: Error & { status?: number },
  req: Request,
  res: Response,
  _next: NextFunction,
): void {
  if (req.path.startsWith('/rest/') && err.status === 400) {
    const reply = new TxError('invalidJson', `The request body is not valid JSON: ${err.message}`).reply();
    if (req.path.includes('/payment/')) {
      res
        .status(200)
        .json({ result: 'failure', errorCode: reply.errorCode, errorMessage: reply.errorMessage });
    } else {
      res.status(200).json(reply);
    }
    return;
  }
  const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
  res.status(status).json({ result: 'failure', errorCode: 'request.error', errorMessage: err.message });
}
