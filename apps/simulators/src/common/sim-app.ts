import express, { type Express, type Request, type Response, type NextFunction } from 'express';
import { FaultPlan, faultMiddleware, faultRouter, type PartnerRefusal } from './faults';
import { delay, parseLatency, sampleLatency, type LatencySpec } from './latency';

/** Settings every simulator understands; each reads them from its own env prefix (CONNECT_SIM_…). */
export interface SimulatorOptions {
  /** Added latency per partner call (not for /_sim inspection routes). */
  latency?: LatencySpec;
  /** Probability in [0,1] that a partner call answers a transient 5xx/failure before doing anything. */
  failureRate?: number;
  /** Where signed webhooks are posted (Connect, Purse); none when undefined. */
  webhookUrl?: string;
  /** JSON snapshot file of the books; in-memory only when undefined. */
  snapshotFile?: string;
  /** Clock, overridable in tests. */
  now?: () => Date;
}

export function simulatorOptionsFromEnv(
  prefix: string,
  env: NodeJS.ProcessEnv = process.env,
): SimulatorOptions {
  const failureRate = Number(env[`${prefix}_FAILURE_RATE`] ?? '0');
  if (!(failureRate >= 0 && failureRate <= 1))
    throw new Error(`${prefix}_FAILURE_RATE must be between 0 and 1`);
  return {
    latency: parseLatency(env[`${prefix}_LATENCY_MS`] ?? env.SIM_LATENCY_MS),
    failureRate,
    webhookUrl: env[`${prefix}_WEBHOOK_URL`] || undefined,
    snapshotFile: env[`${prefix}_SNAPSHOT_FILE`] || undefined,
  };
}

/** Request with the exact bytes received, needed to verify signatures over the raw body. */
export type RawRequest = Request & { rawBody?: Buffer };

/**
 * An express app with what every simulator needs: raw body capture, JSON parsing that never
 * throws an HTML error page, the latency middleware for partner routes (everything not under /_sim),
 * and the faults the chaos suite arms (faults.ts, `/_sim/faults`).
 */
export function createSimulatorApp(options: SimulatorOptions, refusal?: PartnerRefusal): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const captureRaw = (req: Request, _res: Response, buf: Buffer) => {
    (req as RawRequest).rawBody = Buffer.from(buf);
  };
  app.use(
    express.json({ limit: '1mb', verify: captureRaw, type: ['application/json', 'application/*+json'] }),
  );
  app.use(express.urlencoded({ extended: false, verify: captureRaw }));
  app.use(async (req: Request, _res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/_sim') && options.latency) await delay(sampleLatency(options.latency));
    next();
  });
  const faults = new FaultPlan();
  app.use(faultRouter(faults, refusal !== undefined));
  app.use(faultMiddleware(faults, refusal));
  return app;
}

/** Final error handler: malformed JSON and other body errors answer 400 as JSON, never an HTML page. */
export function jsonErrorHandler(
  render: (status: number, message: string) => unknown,
): (
  err: Error & { status?: number; type?: string },
  req: Request,
  res: Response,
  next: NextFunction,
) => void {
  return (err, _req, res, _next) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    res.status(status).json(render(status, err.message));
  };
}

/** Whether an injected transient failure should happen on this call. */
export function shouldInjectFailure(options: SimulatorOptions, random: () => number = Math.random): boolean {
  return (options.failureRate ?? 0) > 0 && random() < (options.failureRate ?? 0);
}
