import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { REDIS } from '@tender/infra';
import { PrismaClient } from '@tender/persistence';
import { ApiError } from '../http/api-error';
import { sendProblem, toApiError } from '../http/problem.filter';
import { CONSOLE_PATH, requireCsrf, requireSession } from './console-auth';
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

  const api = Router();
  api.use((_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.post('/session', signIn.signIn);
  api.use(requireSession(sessions), requireCsrf);
  api.get('/session', signIn.current);
  api.delete('/session', signIn.signOut);
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
