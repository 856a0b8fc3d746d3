import type { Express } from 'express';
import { createSimulatorApp, simulatorOptionsFromEnv, type SimulatorOptions } from '../common/sim-app';
import { SnapshotStore } from '../common/snapshot-store';
import { initialPurseState, type PurseState } from './books';
import { purseApiRouter, purseErrorHandler, type PurseContext } from './routes';
import { purseSimRouter } from './sim-routes';
import { PurseWebhookSender, type WebhookDelivery } from './webhooks';

/**
 * Purse simulator: the Purse orchestration API v2 as Tender reaches it downstream (seed 003,
 * digest notes/seed-purse.md). See routes.ts (wire API), auth.ts (OAuth2), books.ts (amount
 * rules), idempotency.ts, webhooks.ts (signing), instruments.ts and sim-routes.ts (inspection).
 */
export interface PurseSimulatorOptions extends SimulatorOptions {
  /** The client's Purse entity: the only `entity_id` it may create payments for (default the seed's). */
  entityId?: string;
  /** OAuth2 client id (default `tender-sim-purse`). */
  clientId?: string;
  /** OAuth2 client secret (default `tender-sim-purse-secret`). */
  clientSecret?: string;
  /** `expires_in` of issued tokens, seconds (default 3600). */
  tokenTtlSeconds?: number;
  /** HMAC key of the `Purse-Signature` webhook header (default `tender-sim-purse-webhook-secret`). */
  webhookSecret?: string;
}

export const PURSE_SIM_DEFAULTS = {
  /** The entity of the seed's request examples (lines 34, 67). */
  entityId: '5e3a0862-7cc3-4427-92ba-9e1e9595f571',
  clientId: 'tender-sim-purse',
  clientSecret: 'tender-sim-purse-secret',
  tokenTtlSeconds: 3600,
  webhookSecret: 'tender-sim-purse-webhook-secret',
} as const;

export interface PurseSimulator {
  app: Express;
  /** Empty books, as `POST /_sim/reset`. */
  reset(): void;
  /** Writes the snapshot file now (otherwise written on the next tick after a change). */
  flush(): void;
  /** Resolves when every webhook delivery started so far has finished. */
  webhooksIdle(): Promise<void>;
  webhookDeliveries(): WebhookDelivery[];
  /** The live books (read-only use, for tests). */
  readonly state: PurseState;
  /** Stops webhook retries and writes the snapshot; call before closing the server. */
  close(): void;
}

/**
 * Reads `PURSE_SIM_*`: the common LATENCY_MS, FAILURE_RATE, WEBHOOK_URL, SNAPSHOT_FILE plus
 * ENTITY_ID, CLIENT_ID, CLIENT_SECRET, TOKEN_TTL_SECONDS, WEBHOOK_SECRET.
 */
export function purseSimulatorOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PurseSimulatorOptions {
  const ttl = env.PURSE_SIM_TOKEN_TTL_SECONDS;
  if (ttl !== undefined && !(Number.isInteger(Number(ttl)) && Number(ttl) > 0)) {
    throw new Error('PURSE_SIM_TOKEN_TTL_SECONDS must be a positive integer');
  }
  return {
    ...simulatorOptionsFromEnv('PURSE_SIM', env),
    entityId: env.PURSE_SIM_ENTITY_ID || undefined,
    clientId: env.PURSE_SIM_CLIENT_ID || undefined,
    clientSecret: env.PURSE_SIM_CLIENT_SECRET || undefined,
    tokenTtlSeconds: ttl !== undefined ? Number(ttl) : undefined,
    webhookSecret: env.PURSE_SIM_WEBHOOK_SECRET || undefined,
  };
}

export function createPurseSimulator(options: PurseSimulatorOptions = {}): PurseSimulator {
  const now = options.now ?? (() => new Date());
  const store = new SnapshotStore<PurseState>(initialPurseState, options.snapshotFile);
  const webhooks = new PurseWebhookSender(
    options.webhookUrl,
    options.webhookSecret ?? PURSE_SIM_DEFAULTS.webhookSecret,
    now,
  );
  const ctx: PurseContext = {
    store,
    client: {
      entityId: options.entityId ?? PURSE_SIM_DEFAULTS.entityId,
      clientId: options.clientId ?? PURSE_SIM_DEFAULTS.clientId,
      clientSecret: options.clientSecret ?? PURSE_SIM_DEFAULTS.clientSecret,
      tokenTtlSeconds: options.tokenTtlSeconds ?? PURSE_SIM_DEFAULTS.tokenTtlSeconds,
    },
    failureRate: options.failureRate ?? 0,
    webhooks,
    now,
  };
  const reset = () => {
    store.reset();
    webhooks.reset();
  };

  const app = createSimulatorApp(options);
  app.use(purseSimRouter(ctx, reset));
  app.use(purseApiRouter(ctx));
  app.use(purseErrorHandler);

  return {
    app,
    reset,
    flush: () => store.flush(),
    webhooksIdle: () => webhooks.idle(),
    webhookDeliveries: () => webhooks.deliveries(),
    get state() {
      return store.state;
    },
    close: () => {
      webhooks.stop();
      store.flush();
    },
  };
}

export { PURSE_TEST_INSTRUMENTS, PURSE_INSTRUMENTS } from './instruments';
export { signPurseWebhook, verifyPurseWebhook, PURSE_SIGNATURE_HEADER } from './webhooks';
export type { PurseEvent, PurseEventType, WebhookDelivery } from './webhooks';
