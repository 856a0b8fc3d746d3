import { Router, type NextFunction, type Request, type Response } from 'express';
import { shouldInjectFailure } from '../common/sim-app';
import type { SnapshotStore } from '../common/snapshot-store';
import { handleTokenRequest, verifyBearer, type PurseClientConfig } from './auth';
import {
  applyOperation,
  availableFor,
  createPayment,
  reusedTender,
  type CreatePaymentInput,
  type OperationKind,
  type PurseState,
  type SplitEntry,
} from './books';
import { toWire } from './wire';
import { IDEMPOTENCY_HEADER, withIdempotency } from './idempotency';
import { problem, send, type InvalidParam, type SimResponse } from './problems';
import {
  checkCreatePayment,
  checkOperation,
  type CheckedCreatePayment,
  type CreatePaymentBody,
} from './validation';
import type { PurseEventType, PurseWebhookSender } from './webhooks';

/**
 * Purse partner API (what Tender calls):
 *
 *   POST /oauth2/token                         client credentials → bearer token
 *   POST /v2/payments                          201 + payment (AUTHORIZED or REFUSED), Location header
 *   GET  /v2/payments/{id}                     200 + payment (always from the books; max-age ignored)
 *   POST /v2/payments/{id}/captures|voids|refunds   body {amount, merchant_reference, order?} → 201 + payment
 *                                              (a merchant_reference already used on the payment → 409)
 *
 * Bodies are JSON, checked against v2 as validation.ts spells it (unknown fields refused at any
 * depth); `entity_id` must be the OAuth client's entity (else 403). v2 has no credential field, so the test instrument of split entry i is read from
 * `order.additional_data.payment_method_tokens[i]` (a free map in v2, see instruments.ts). The MIT
 * form `{amount, parent_payment_id}` reuses the parent's tender (books.ts `reusedTender`).
 */
export interface PurseContext {
  store: SnapshotStore<PurseState>;
  client: PurseClientConfig;
  failureRate: number;
  webhooks: PurseWebhookSender;
  now(): Date;
}

const OPERATION_PATHS: Record<string, OperationKind> = {
  captures: 'capture',
  voids: 'void',
  refunds: 'refund',
};
const OPERATION_EVENTS: Record<OperationKind, PurseEventType> = {
  capture: 'PAYMENT_CAPTURE',
  void: 'PAYMENT_VOID',
  refund: 'PAYMENT_REFUND',
};

/** The test instrument of split entry `index`: `order.additional_data.payment_method_tokens[index]`, or ''. */
function testInstrument(order: CreatePaymentBody['order'], index: number): string {
  const tokens = order?.additional_data?.payment_method_tokens;
  const token = Array.isArray(tokens) ? (tokens as unknown[])[index] : undefined;
  return typeof token === 'string' ? token : '';
}

/**
 * The checked create body as the books take it; a MIT entry resolved to the tender it reuses, or why
 * it cannot be.
 */
export function resolveCreatePayment(
  checked: CheckedCreatePayment,
  state: PurseState,
): CreatePaymentInput | InvalidParam[] {
  const { body } = checked;
  const invalid: InvalidParam[] = [];
  const split = checked.split.flatMap((entry, index): SplitEntry[] => {
    if (!('parent_payment_id' in entry)) return [{ ...entry, token: testInstrument(body.order, index) }];
    const reused = reusedTender(state, body.entity_id, entry.parent_payment_id, entry.amount);
    if (typeof reused !== 'string') return [reused];
    invalid.push({ name: `split[${index}].parent_payment_id`, reason: reused });
    return [];
  });
  if (invalid.length > 0) return invalid;
  return {
    entity_id: body.entity_id,
    amount: body.amount,
    currency: body.currency,
    capture_mode: body.capture_mode,
    allow_future_usage: body.allow_future_usage ?? false,
    order: body.order,
    shopper_redirection_url: body.shopper_redirection_url,
    webhook: body.webhook,
    split,
  };
}

export function purseApiRouter(ctx: PurseContext): Router {
  const router = Router();
  const state = () => ctx.store.state;

  // Injected transient failure, before anything else happens.
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/_sim') || !shouldInjectFailure({ failureRate: ctx.failureRate })) return next();
    send(res, problem('badGateway', 'transient partner failure injected by the simulator'));
  });

  router.post('/oauth2/token', (req: Request, res: Response) => {
    if (handleTokenRequest(req, res, ctx.client, state().tokens, ctx.now().getTime())) ctx.store.changed();
  });

  router.use('/v2', (req: Request, res: Response, next: NextFunction) => {
    const verdict = verifyBearer(req.get('authorization'), state().tokens, ctx.now().getTime());
    if ('refused' in verdict) {
      res.setHeader('WWW-Authenticate', `Bearer realm="purse", error="invalid_token"`);
      return send(res, problem('invalidToken', verdict.refused));
    }
    res.locals.clientId = verdict.clientId;
    next();
  });

  // Bodies are JSON (the seed's examples); a form or text body is refused before anything else.
  router.use('/v2', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || req.is('application/json')) return next();
    send(
      res,
      problem('invalidRequest', 'the request body must be JSON', [
        { name: 'Content-Type', reason: 'must be application/json' },
      ]),
    );
  });

  /** Runs a POST handler under the Idempotency-Key, saves the books and answers. */
  const idempotent =
    (handle: (req: Request) => { answer: SimResponse; paymentId?: string }) =>
    (req: Request, res: Response) => {
      const result = withIdempotency(
        state(),
        {
          clientId: String(res.locals.clientId),
          key: req.get(IDEMPOTENCY_HEADER),
          method: req.method,
          path: req.path,
          body: req.body,
          now: ctx.now(),
        },
        () => handle(req),
      );
      if (result.changed) ctx.store.changed();
      send(res, result.answer);
    };

  router.post(
    '/v2/payments',
    idempotent((req) => {
      const checked = checkCreatePayment(req.body);
      if (Array.isArray(checked))
        return { answer: problem('invalidRequest', 'invalid payment request', checked) };
      if (checked.body.entity_id !== ctx.client.entityId) {
        return {
          answer: problem('forbidden', `entity ${checked.body.entity_id} is not this client's`, [
            { name: 'entity_id', reason: "is not the client's entity" },
          ]),
        };
      }
      const input = resolveCreatePayment(checked, state());
      if (Array.isArray(input))
        return { answer: problem('invalidRequest', 'invalid payment request', input) };
      const payment = createPayment(input, ctx.now());
      state().payments[payment.id] = payment;
      const wire = toWire(payment);
      ctx.webhooks.emit('PAYMENT_AUTHORIZATION', payment, wire);
      for (const capture of payment.captures) ctx.webhooks.emit('PAYMENT_CAPTURE', payment, wire, capture.id);
      return {
        answer: { status: 201, body: wire, headers: { Location: `/v2/payments/${payment.id}` } },
        paymentId: payment.id,
      };
    }),
  );

  router.get('/v2/payments/:id', (req: Request, res: Response) => {
    const payment = state().payments[String(req.params.id)];
    if (!payment) return send(res, problem('notFound', `payment ${String(req.params.id)} not found`));
    send(res, { status: 200, body: toWire(payment) });
  });

  router.post(
    '/v2/payments/:id/:operation',
    idempotent((req) => {
      const kind = OPERATION_PATHS[String(req.params.operation)];
      if (!kind) return { answer: problem('notFound', `no route POST ${req.path}`) };
      const payment = state().payments[String(req.params.id)];
      if (!payment) return { answer: problem('notFound', `payment ${String(req.params.id)} not found`) };
      const request = checkOperation(req.body);
      if (Array.isArray(request)) {
        return {
          answer: problem('invalidRequest', `invalid ${kind} request`, request),
          paymentId: payment.id,
        };
      }
      // merchant_reference names the operation: a second one under it is the seed's 409.
      const operations = [...payment.captures, ...payment.voids, ...payment.refunds];
      if (operations.some((operation) => operation.merchant_reference === request.merchant_reference)) {
        return {
          answer: problem(
            'idempotencyViolation',
            `merchant_reference ${request.merchant_reference} is already an operation of payment ${payment.id}`,
            [{ name: 'merchant_reference', reason: 'is already used on this payment' }],
          ),
          paymentId: payment.id,
        };
      }
      if (payment.authorization.status !== 'AUTHORIZED') {
        return {
          answer: problem(
            'paymentNotAuthorized',
            `payment ${payment.id} was not authorized; nothing to ${kind}`,
          ),
          paymentId: payment.id,
        };
      }
      const available = availableFor(payment, kind);
      if (request.amount > available) {
        return {
          answer: problem(
            'amountNotAvailable',
            `${kind} amount ${request.amount} exceeds available_to_${kind} ${available}`,
            [{ name: 'amount', reason: `at most ${available}` }],
          ),
          paymentId: payment.id,
        };
      }
      const operation = applyOperation(payment, kind, request, ctx.now());
      const wire = toWire(payment);
      ctx.webhooks.emit(OPERATION_EVENTS[kind], payment, wire, operation.id);
      return { answer: { status: 201, body: wire }, paymentId: payment.id };
    }),
  );

  router.use((req: Request, res: Response) =>
    send(res, problem('notFound', `no route ${req.method} ${req.path}`)),
  );
  return router;
}

/** Final error handler: malformed JSON and other body errors get a problem body, never express's HTML page. */
export function purseErrorHandler(
  err: Error & { status?: number },
  _req: Request,
  res: Response,
  _next: NextFunction,
): void {
  // A body express refuses (malformed JSON, too large, odd charset) is the seed's 400, not a 413 or 415.
  const status = err.status && err.status >= 400 && err.status < 500 ? 400 : 500;
  const [slug, title] =
    status < 500 ? ['invalid-request', 'Bad request'] : ['internal-error', 'Internal Server Error'];
  send(res, {
    status,
    body: { type: `urn:purse:problem:${slug}`, title, status, detail: err.message },
    headers: { 'Content-Type': 'application/problem+json' },
  });
}
