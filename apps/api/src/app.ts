import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { LogLevel } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { ApiModule } from './app.module';
import { bodyParsingErrorHandler, installBodyParsing } from './http/body-parsing';
import { ProblemFilter, sendProblem, toApiError } from './http/problem.filter';
import { requestIdMiddleware } from './http/request-id';
import { serverTimingMiddleware } from './http/server-timing';

const NEST_LOG_LEVELS: Record<string, LogLevel[]> = {
  silent: [],
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Builds the API application (not listening yet): used by main.ts and by the end-to-end tests. */
export async function createApiApp(config: TenderConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    logger: NEST_LOG_LEVELS[config.LOG_LEVEL],
  });
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  express.set('etag', false);
  app.use(requestIdMiddleware);
  app.use(serverTimingMiddleware);
  installBodyParsing(express);
  app.use(bodyParsingErrorHandler((error, res) => sendProblem(res, toApiError(error))));
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  return app;
}
