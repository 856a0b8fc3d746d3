import { Router, type NextFunction, type Request, type Response } from 'express';
import type {
  CreatePaymentResponse,
  PaymentErrorResponse,
  RefundErrorResponse,
} from 'connect-sdk-nodejs/lib/v1/model/domain';
import { shouldInjectFailure } from '../common/sim-app';
import { sendError } from './auth';
import type { ConnectBooks } from './books';
import type { PaymentRecord } from './books-state';
import { ConnectApiError, apiError, newErrorId, serverError, validationError } from './errors';
import type { ResponseHolds } from './holds';
import {
  idempotenceKeyError,
  requestFingerprint,
  type IdempotenceRegistry,
  type StoredResponse,
} from './idempotence';
import type { ResolvedConnectOptions } from './options';
import { renderCapture, renderPayment, renderRefund } from './render';
import { parseAmountRequest, parseCreatePayment, parseFindQuery, parseRefund } from './validation';
import type { ConnectWebhookSender } from './webhooks';

export interface RouteDeps {
  options: ResolvedConnectOptions;
  books: ConnectBooks;
  idempotence: IdempotenceRegistry;
  webhooks: ConnectWebhookSender;
  holds: ResponseHolds;
  reset: () => void;
}

interface ApiResult extends StoredResponse {
  /** Payment the answer is about (idempotency hits are counted on it). */
  paymentId?: string;
}

interface CallContext {
  merchantId: string;
  idempotenceKey?: string;
}

type Handler = (req: Request, ctx: CallContext) => ApiResult | Promise<ApiResult>;

const TIMESTAMP_HEADER = 'X-GCS-Idempotence-Request-Timestamp';

function param(req: Request, name: string): string {
  return String(req.params[name]);
}

function send(res: Response, result: StoredResponse, idempotenceTimestampMs?: number): void {
  if (idempotenceTimestampMs !== undefined) res.setHeader(TIMESTAMP_HEADER, String(idempotenceTimestampMs));
  if (result.location) res.setHeader('Location', result.location);
  res.status(result.status);
  if (result.body === undefined) res.end();
  else res.json(result.body);
}

function errorResult(error: ConnectApiError): ApiResult {
  return { status: error.status, body: error.body, paymentId: error.paymentId };
}

/** The `/v1/{merchantId}/…` API. Mounted behind the v1HMAC check. */
export function connectApiRouter(deps: RouteDeps): Router {
  const { books, idempotence, options, holds } = deps;
  const router = Router();

  const paymentResult = (payment: PaymentRecord): CreatePaymentResponse => ({
    creationOutput: {
      additionalReference: payment.merchantReference ?? payment.id.slice(10, 20),
      externalReference: payment.id.slice(10, 20),
    },
    payment: renderPayment(books, payment),
  });

  /** Replays re-render the embedded objects from the current books. */
  const refresh = (stored: StoredResponse): StoredResponse => {
    const state = books.state;
    if (stored.kind && stored.objectId) {
      if (stored.kind === 'payment' && state.payments[stored.objectId]) {
        return { ...stored, body: renderPayment(books, state.payments[stored.objectId]) };
      }
      if (stored.kind === 'capture' && state.captures[stored.objectId]) {
        return { ...stored, body: renderCapture(books, state.captures[stored.objectId]) };
      }
      if (stored.kind === 'refund' && state.refunds[stored.objectId]) {
        return { ...stored, body: renderRefund(books, state.refunds[stored.objectId]) };
      }
      return stored;
    }
    if (stored.body === null || typeof stored.body !== 'object') return stored;
    const body = { ...(stored.body as Record<string, unknown>) };
    const embedded = body.payment as { id?: string } | undefined;
    if (embedded?.id && state.payments[embedded.id])
      body.payment = renderPayment(books, state.payments[embedded.id]);
    const result = body.paymentResult as PaymentErrorResponse['paymentResult'];
    if (result?.payment?.id && state.payments[result.payment.id]) {
      body.paymentResult = { ...result, payment: renderPayment(books, state.payments[result.payment.id]) };
    }
    const refundResult = body.refundResult as RefundErrorResponse['refundResult'];
    if (refundResult?.id && state.refunds[refundResult.id]) {
      body.refundResult = renderRefund(books, state.refunds[refundResult.id]);
    }
    return { ...stored, body };
  };

  const read =
    (handler: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        send(res, await handler(req, { merchantId: param(req, 'merchantId') }));
      } catch (error) {
        if (!(error instanceof ConnectApiError)) throw error;
        sendError(res, error);
      }
    };

  /** Mutating calls: run under the idempotence key when one is sent. */
  const write =
    (handler: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      const merchantId = param(req, 'merchantId');
      const key = req.header('x-gcs-idempotence-key');
      if (!key) return read(handler)(req, res);
      const keyError = idempotenceKeyError(key);
      if (keyError) return sendError(res, validationError([keyError]));
      const decision = idempotence.begin(
        merchantId,
        key,
        requestFingerprint(req.method, req.originalUrl, req.body),
      );
      const { entry } = decision;
      switch (decision.type) {
        case 'in_progress':
          return send(
            res,
            errorResult(
              ConnectApiError.of(409, [
                apiError(
                  'idempotenceInProgress',
                  409,
                  'DUPLICATE_REQUEST_IN_PROGRESS: the first request with this idempotence key has not finished yet',
                ),
              ]),
            ),
            entry.firstTimestampMs,
          );
        case 'replay':
          return send(res, refresh(entry.response ?? { status: 500 }), entry.firstTimestampMs);
        case 'execute': {
          let result: ApiResult;
          try {
            result = await handler(req, { merchantId, idempotenceKey: key });
          } catch (error) {
            if (!(error instanceof ConnectApiError)) {
              idempotence.abandon(entry);
              throw error;
            }
            result = errorResult(error);
          }
          const { paymentId, ...stored } = result;
          idempotence.finish(entry, stored, paymentId);
          return send(res, result);
        }
      }
    };

  const createPayment: Handler = async (req, { merchantId, idempotenceKey }) => {
    const input = parseCreatePayment(merchantId, req.body);
    if (input.instrument.outcome === 'error-once') {
      const marker = idempotenceKey
        ? `key ${merchantId} ${idempotenceKey}`
        : `ref ${merchantId} ${input.merchantReference ?? ''}`;
      if (!books.state.errorOnce[marker]) {
        books.state.errorOnce[marker] = options.now().getTime();
        books.commit();
        throw serverError('UNKNOWN_SERVER_ERROR: connect-error-once fails the first attempt');
      }
    }
    const payment = books.createPayment(input);
    if (payment.status === 'REJECTED') {
      throw new ConnectApiError(
        402,
        { errorId: newErrorId(), errors: payment.errors ?? [], paymentResult: paymentResult(payment) },
        payment.id,
      );
    }
    if (input.instrument.outcome === 'timeout') {
      await holds.hold({ paymentId: payment.id, idempotenceKey, ms: options.timeoutDelayMs });
    }
    return {
      status: 201,
      body: paymentResult(payment),
      location: `/v1/${merchantId}/payments/${payment.id}`,
      paymentId: payment.id,
    };
  };

  const createRefund =
    (viaCapture: boolean): Handler =>
    (req, { merchantId }) => {
      const capture = viaCapture ? books.capture(merchantId, param(req, 'captureId')) : undefined;
      const payment = books.payment(merchantId, capture ? capture.paymentId : param(req, 'paymentId'));
      const input = parseRefund(req.body);
      const refund = books.createRefund(payment, input, options.refundRequiresApproval, capture);
      if (refund.status === 'REJECTED') {
        throw new ConnectApiError(
          402,
          { errorId: newErrorId(), errors: refund.errors ?? [], refundResult: renderRefund(books, refund) },
          payment.id,
          refund.id,
        );
      }
      return {
        status: 201,
        body: renderRefund(books, refund),
        location: `/v1/${merchantId}/refunds/${refund.id}`,
        kind: 'refund',
        objectId: refund.id,
        paymentId: payment.id,
      };
    };

  const paymentOf = (req: Request, ctx: CallContext) =>
    books.payment(ctx.merchantId, param(req, 'paymentId'));
  const asPayment = (payment: PaymentRecord): ApiResult => ({
    status: 200,
    body: renderPayment(books, payment),
    kind: 'payment',
    objectId: payment.id,
    paymentId: payment.id,
  });

  router.get(
    '/:merchantId/services/testconnection',
    read(() => ({ status: 200, body: { result: 'OK' } })),
  );

  router.post('/:merchantId/payments', write(createPayment));

  router.get(
    '/:merchantId/payments',
    read((req, { merchantId }) => {
      const query = parseFindQuery(req.query);
      const found = books.findPayments(merchantId, query);
      return {
        status: 200,
        body: {
          limit: query.limit,
          offset: query.offset,
          totalCount: found.length,
          payments: found.slice(query.offset, query.offset + query.limit).map((p) => renderPayment(books, p)),
        },
      };
    }),
  );

  router.get(
    '/:merchantId/payments/:paymentId',
    read((req, ctx) => asPayment(paymentOf(req, ctx))),
  );

  router.post(
    '/:merchantId/payments/:paymentId/approve',
    write((req, ctx) => {
      const payment = paymentOf(req, ctx);
      const { amount } = parseAmountRequest(req.body, false);
      const capture = books.approve(payment, amount);
      const partial = capture.amount < payment.amount;
      return {
        status: 200,
        body: {
          payment: renderPayment(books, payment),
          ...(partial ? { cardPaymentMethodSpecificOutput: { voidResponseId: '00' } } : {}),
        },
        paymentId: payment.id,
      };
    }),
  );

  router.post(
    '/:merchantId/payments/:paymentId/capture',
    write((req, ctx) => {
      const payment = paymentOf(req, ctx);
      const { amount, isFinal } = parseAmountRequest(req.body, true);
      const capture = books.capturePayment(payment, amount, isFinal);
      return {
        status: 200,
        body: renderCapture(books, capture),
        kind: 'capture',
        objectId: capture.id,
        paymentId: payment.id,
      };
    }),
  );

  router.get(
    '/:merchantId/payments/:paymentId/captures',
    read((req, ctx) => {
      const payment = paymentOf(req, ctx);
      return {
        status: 200,
        body: { captures: books.capturesOf(payment).map((c) => renderCapture(books, c)) },
      };
    }),
  );

  router.post(
    '/:merchantId/payments/:paymentId/cancel',
    write((req, ctx) => {
      const payment = books.cancel(paymentOf(req, ctx));
      return {
        status: 200,
        body: {
          payment: renderPayment(books, payment),
          cardPaymentMethodSpecificOutput: { voidResponseId: '00' },
        },
        paymentId: payment.id,
      };
    }),
  );

  router.post(
    '/:merchantId/payments/:paymentId/cancelapproval',
    write((req, ctx) => {
      const payment = books.cancelApproval(paymentOf(req, ctx));
      return { status: 200, body: { payment: renderPayment(books, payment) }, paymentId: payment.id };
    }),
  );

  router.post(
    '/:merchantId/payments/:paymentId/processchallenged',
    write((req, ctx) => asPayment(books.processChallenged(paymentOf(req, ctx)))),
  );

  router.post('/:merchantId/payments/:paymentId/refund', write(createRefund(false)));

  router.get(
    '/:merchantId/payments/:paymentId/refunds',
    read((req, ctx) => {
      const payment = paymentOf(req, ctx);
      return { status: 200, body: { refunds: books.refundsOf(payment).map((r) => renderRefund(books, r)) } };
    }),
  );

  router.get(
    '/:merchantId/captures/:captureId',
    read((req, { merchantId }) => ({
      status: 200,
      body: renderCapture(books, books.capture(merchantId, param(req, 'captureId'))),
    })),
  );

  router.post('/:merchantId/captures/:captureId/refund', write(createRefund(true)));

  router.get(
    '/:merchantId/refunds',
    read((req, { merchantId }) => {
      const query = parseFindQuery(req.query);
      const found = Object.values(books.state.refunds).filter(
        (r) =>
          r.merchantId === merchantId &&
          (query.merchantReference === undefined || r.merchantReference === query.merchantReference),
      );
      return {
        status: 200,
        body: {
          limit: query.limit,
          offset: query.offset,
          totalCount: found.length,
          refunds: found.slice(query.offset, query.offset + query.limit).map((r) => renderRefund(books, r)),
        },
      };
    }),
  );

  router.get(
    '/:merchantId/refunds/:refundId',
    read((req, { merchantId }) => ({
      status: 200,
      body: renderRefund(books, books.refund(merchantId, param(req, 'refundId'))),
    })),
  );

  // approve / cancel / cancelapproval of a refund answer 204 without body (the SDKs return nothing).
  router.post(
    '/:merchantId/refunds/:refundId/approve',
    write((req, { merchantId }) => {
      const refund = books.refund(merchantId, param(req, 'refundId'));
      books.approveRefund(refund, parseAmountRequest(req.body, false).amount);
      return { status: 204, paymentId: refund.paymentId };
    }),
  );

  router.post(
    '/:merchantId/refunds/:refundId/cancel',
    write((req, { merchantId }) => {
      const refund = books.cancelRefund(books.refund(merchantId, param(req, 'refundId')));
      return { status: 204, paymentId: refund.paymentId };
    }),
  );

  router.post(
    '/:merchantId/refunds/:refundId/cancelapproval',
    write((req, { merchantId }) => {
      const refund = books.cancelRefundApproval(books.refund(merchantId, param(req, 'refundId')));
      return { status: 204, paymentId: refund.paymentId };
    }),
  );

  // Unknown resource: a plain (non-JSON) 404, which the SDKs report as NotFoundException.
  router.use((_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('Not Found');
  });

  return router;
}

/** Transient 5xx before anything happens (`failureRate`); the key, if any, stays unused. */
export function failureInjection(deps: RouteDeps) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (!shouldInjectFailure(deps.options)) return next();
    deps.books.state.counters.injectedFailures += 1;
    deps.books.commit();
    sendError(res, serverError('UNKNOWN_SERVER_ERROR: injected failure'));
  };
}
