import type { Express } from 'express';
import { createSimulatorApp, simulatorOptionsFromEnv, type SimulatorOptions } from '../common/sim-app';
import { SnapshotStore } from '../common/snapshot-store';
import type { PaytronixCredentials } from './auth';
import { initialPaytronixState, PaytronixBooks, type PaytronixState } from './books';
import { checkoutPageRouter } from './checkout-page';
import { PAYTRONIX_TEST_CARDS, type TestGiftCard } from './instruments';
import { paytronixApiRouter, paytronixErrorHandler } from './routes';
import { paytronixSimRouter } from './sim-routes';

/**
 * Paytronix simulator: the Transaction Service (stored value: balanceInquiry, addRedeem,
 * voidAddRedeem, reverse, transactionHistory; stored-value.ts) and the Payment Service (hosted
 * checkout and recharge; payment-service.ts, checkout-page.ts) under `/rest/{release}/`, with
 * Paytronix's auth (auth.ts), replies and error codes (replies.ts) and an inspection API (sim-routes.ts).
 * No webhooks: Paytronix sends none.
 */
export interface PaytronixSimulatorOptions extends SimulatorOptions {
  /** HTTP Basic integration identifier / secret (default `tender-sim` / `tender-sim-secret`). */
  integrationId?: string;
  integrationSecret?: string;
  /** b2b username / password (default `tender` / `tender-b2b`). */
  username?: string;
  password?: string;
  /** When set, requests must carry this merchantId; any integer otherwise. */
  merchantId?: number;
  /** Base URL for the hosted checkout page in redirectUrl; default: the request's own host. */
  publicUrl?: string;
  /** Initial gift cards (default PAYTRONIX_TEST_CARDS). */
  cards?: readonly TestGiftCard[];
  /** How long a slow card's redeems and credits take to commit (default 3000 ms). */
  slowCommitMs?: number;
}

export const PAYTRONIX_SIM_DEFAULTS = {
  integrationId: 'tender-sim',
  integrationSecret: 'tender-sim-secret',
  username: 'tender',
  password: 'tender-b2b',
} as const;

export interface PaytronixSimulator {
  app: Express;
  /** Initial books and card balances, as `POST /_sim/reset`. */
  reset(): void;
  /** Writes the snapshot file now (otherwise written on the next tick after a change). */
  flush(): void;
  /** The live books (read-only use, for tests). */
  readonly state: PaytronixState;
  /** Writes the snapshot; call before closing the server. */
  close(): void;
}

/**
 * Reads `PAYTRONIX_SIM_*`: the common LATENCY_MS, FAILURE_RATE, SNAPSHOT_FILE plus
 * INTEGRATION_ID, INTEGRATION_SECRET, USERNAME, PASSWORD, MERCHANT_ID, PUBLIC_URL, SLOW_COMMIT_MS.
 */
export function paytronixSimulatorOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): PaytronixSimulatorOptions {
  const merchantId = env.PAYTRONIX_SIM_MERCHANT_ID;
  if (merchantId !== undefined && merchantId !== '' && !/^\d+$/.test(merchantId)) {
    throw new Error('PAYTRONIX_SIM_MERCHANT_ID must be an integer');
  }
  const slowCommitMs = env.PAYTRONIX_SIM_SLOW_COMMIT_MS;
  if (slowCommitMs !== undefined && slowCommitMs !== '' && !/^\d+$/.test(slowCommitMs)) {
    throw new Error('PAYTRONIX_SIM_SLOW_COMMIT_MS must be an integer of milliseconds');
  }
  return {
    ...simulatorOptionsFromEnv('PAYTRONIX_SIM', env),
    integrationId: env.PAYTRONIX_SIM_INTEGRATION_ID || undefined,
    integrationSecret: env.PAYTRONIX_SIM_INTEGRATION_SECRET || undefined,
    username: env.PAYTRONIX_SIM_USERNAME || undefined,
    password: env.PAYTRONIX_SIM_PASSWORD || undefined,
    merchantId: merchantId ? Number(merchantId) : undefined,
    publicUrl: env.PAYTRONIX_SIM_PUBLIC_URL || undefined,
    slowCommitMs: slowCommitMs ? Number(slowCommitMs) : undefined,
  };
}

export function createPaytronixSimulator(options: PaytronixSimulatorOptions = {}): PaytronixSimulator {
  const now = options.now ?? (() => new Date());
  const cards = options.cards ?? PAYTRONIX_TEST_CARDS;
  const books = new PaytronixBooks(
    new SnapshotStore<PaytronixState>(() => initialPaytronixState(cards), options.snapshotFile),
  );
  const credentials: PaytronixCredentials = {
    integrationId: options.integrationId ?? PAYTRONIX_SIM_DEFAULTS.integrationId,
    integrationSecret: options.integrationSecret ?? PAYTRONIX_SIM_DEFAULTS.integrationSecret,
    username: options.username ?? PAYTRONIX_SIM_DEFAULTS.username,
    password: options.password ?? PAYTRONIX_SIM_DEFAULTS.password,
  };
  const reset = () => books.reset();

  const app = createSimulatorApp(options);
  app.use(paytronixSimRouter(books, now, reset));
  app.use(checkoutPageRouter(books, now));
  app.use(
    paytronixApiRouter({
      books,
      credentials,
      failureRate: options.failureRate ?? 0,
      merchantId: options.merchantId,
      publicUrl: options.publicUrl?.replace(/\/+$/, ''),
      slowCards: new Set(cards.filter((card) => card.slowCommit).map((card) => card.printedCardNumber)),
      slowCommitMs: options.slowCommitMs ?? 3000,
      now,
    }),
  );
  app.use(paytronixErrorHandler);

  return {
    app,
    reset,
    flush: () => books.flush(),
    get state() {
      return books.state;
    },
    close: () => books.flush(),
  };
}

export {
  PAYTRONIX_TEST_CARDS,
  PAYTRONIX_TEST_INSTRUMENTS,
  PAYTRONIX_DECLINED_CREDIT_CARD,
} from './instruments';
export { SV_WALLET_CODE } from './books';
