import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { TenderConfig } from '@tender/config';
import { ApiModule } from './app.module';
import { shopperCors } from './checkout/shopper-cors';
import { assertEveryRouteDeclaresAccess } from './auth/access-declarations';
import { bodyParsingErrorHandler, installBodyParsing } from './http/body-parsing';
import { ProblemFilter, sendProblem, toApiError } from './http/problem.filter';
import { requestIdMiddleware } from './http/request-id';
import { serverTimingMiddleware } from './http/server-timing';
import { httpObservability, installOps } from './ops';
import { initLogging, PinoNestLogger } from '@tender/observability';

/** Builds the API application (not listening yet): used by main.ts and by the end-to-end tests. */
export async function createApiApp(config: TenderConfig): Promise<NestExpressApplication> {
  initLogging({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    logger: new PinoNestLogger(),
  });
  assertEveryRouteDeclaresAccess(app);
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  express.set('etag', false);
  express.set('trust proxy', config.TRUST_PROXY); // req.ip of the per-IP rate limits
  app.use(requestIdMiddleware);
  app.use(...httpObservability());
  app.use(serverTimingMiddleware);
  app.use(shopperCors); // the drop-in calls /checkout/v1/session… from the merchant's origin
  await installOps(app, config); // GET /metrics, /admin/queues: before the body parsers
  installBodyParsing(express);
  app.use(bodyParsingErrorHandler((error, res) => sendProblem(res, toApiError(error))));
  app.useGlobalFilters(new ProblemFilter());
  // No app.enableShutdownHooks(): main.ts drains requests first, then closes (see onShutdownSignal).
  return app;
}
