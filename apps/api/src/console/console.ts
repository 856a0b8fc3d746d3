import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { Outbox, REDIS } from '@tender/infra';
import { Database, PrismaClient } from '@tender/persistence';
import { ApiError } from '../http/api-error';
import { sendProblem, toApiError } from '../http/problem.filter';
import { QueueDirectory } from '../ops/queues';
import { ApprovePaymentUseCase } from '../payments/approve-payment/approve-payment.usecase';
import { CapturePaymentUseCase } from '../payments/capture-payment/capture-payment.usecase';
import { RefundPaymentUseCase } from '../payments/refund-payment/refund-payment.usecase';
import { VoidPaymentUseCase } from '../payments/void-payment/void-payment.usecase';
import { listPaymentsQuery } from '../payments/list-payments/list-payments.schemas';
import { parseRequest } from '../validation/parse';
import { uuidParam } from '../validation/params';
import { MerchantEventsService } from '../webhooks/merchant-events.service';
import {
  CONSOLE_PATH,
  currentOperator,
  requireCsrf,
  requireOperatorRole,
  requireSession,
} from './console-auth';
import {
  approveActionBody,
  ConsolePayments,
  operationActionBody,
  type PaymentAction,
} from './console-payments';
import { installConsolePage } from './console-page';
import { homeStats } from './home-stats';
import { NeedsAttention, reasonBody, resolveBody } from './needs-attention';
import { OperatorSessions } from './operator-sessions';
import { SignIn } from './sign-in';

/**
 * The operator console at `/console`: its page and its internal JSON API under `/console/api`,
 * authenticated by the session cookie (not by merchant tokens), so mounted on Express beside the
 * merchant API and left out of its OpenAPI document (like the queue dashboard).
 */
export function installConsole(app: NestExpressApplication, config: TenderConfig): void {
  const express = app.getHttpAdapter().getInstance();
  const sessions = new OperatorSessions(app.get(PrismaClient), config.CONSOLE_SESSION_TTL_SECONDS);
  const signIn = new SignIn(sessions, config, app.get<Redis>(REDIS));
  const db = app.get(Database);
  const prisma = app.get(PrismaClient);
  const events = app.get(MerchantEventsService, { strict: false });
  const payments = new ConsolePayments(db, prisma, {
    capture: app.get(CapturePaymentUseCase, { strict: false }),
    void: app.get(VoidPaymentUseCase, { strict: false }),
    refund: app.get(RefundPaymentUseCase, { strict: false }),
    approve: app.get(ApprovePaymentUseCase, { strict: false }),
    events,
  });
  const outbox = app.get(Outbox);
  const queues = new QueueDirectory(outbox, app.get<Redis>(REDIS), config);
  const attention = new NeedsAttention(db, prisma, outbox, queues, events);

  const api = Router();
  api.use((_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.post('/session', signIn.signIn);
  api.use(requireSession(sessions), requireCsrf);
  api.get('/session', signIn.current);
  api.delete('/session', signIn.signOut);

  api.get('/home', async (_request: Request, response: Response) => {
    response.json(await homeStats(db));
  });
  api.get('/payments', async (request: Request, response: Response) => {
    response.json(await payments.list(parseRequest(listPaymentsQuery, request.query)));
  });
  api.get('/payments/:id', async (request: Request, response: Response) => {
    response.json(await payments.detail(uuidParam(String(request.params.id), 'payment')));
  });
  for (const action of ['capture', 'void', 'refund', 'approve'] as PaymentAction[]) {
    api.post(`/payments/:id/${action}`, requireOperatorRole, async (request: Request, response: Response) => {
      const body = parseRequest(action === 'approve' ? approveActionBody : operationActionBody, request.body);
      const id = uuidParam(String(request.params.id), 'payment');
      response.status(201).json(await payments.act(currentOperator(request), action, id, body));
    });
  }

  api.get('/needs-attention', async (_request: Request, response: Response) => {
    response.json(await attention.list());
  });
  api.post(
    '/unknown-outcomes/:id/retry',
    requireOperatorRole,
    async (request: Request, response: Response) => {
      const { reason } = parseRequest(reasonBody, request.body);
      const id = uuidParam(String(request.params.id), 'outcome');
      response.json(await attention.retryOutcome(currentOperator(request), id, reason));
    },
  );
  api.post(
    '/unknown-outcomes/:id/resolve',
    requireOperatorRole,
    async (request: Request, response: Response) => {
      const { as, reason } = parseRequest(resolveBody, request.body);
      const id = uuidParam(String(request.params.id), 'outcome');
      response.json(await attention.resolveOutcome(currentOperator(request), id, as, reason));
    },
  );
  api.post(
    '/webhook-endpoints/:id/redeliver',
    requireOperatorRole,
    async (request: Request, response: Response) => {
      const { reason } = parseRequest(reasonBody, request.body);
      const id = uuidParam(String(request.params.id), 'webhook endpoint');
      response.json(await attention.redeliverEndpoint(currentOperator(request), id, reason));
    },
  );
  api.post('/jobs/:queue/:job/retry', requireOperatorRole, async (request: Request, response: Response) => {
    const { reason } = parseRequest(reasonBody, request.body);
    const queue = String(request.params.queue);
    const job = String(request.params.job);
    response.json(await attention.retryJob(currentOperator(request), queue, job, reason));
  });
  api.use((request: Request) => {
    throw new ApiError(
      404,
      'not_found',
      'Not found',
      `No console endpoint ${request.method} ${request.path}.`,
    );
  });

  const router = Router();
  router.use('/api', api);
  installConsolePage(router);
  router.use(consoleErrors());
  express.use(CONSOLE_PATH, router);
}

function consoleErrors() {
  const log = new Logger('console');
  return (error: unknown, request: Request, response: Response, _next: NextFunction): void => {
    const problem = toApiError(error);
    if (problem.status >= 500) {
      log.error({ msg: `${request.method} ${request.originalUrl.split('?')[0]} failed`, err: error });
    }
    sendProblem(response, problem);
  };
}
