import { simulatorOptionsFromEnv, type SimulatorOptions } from '../common/sim-app';

export type ConnectLogger = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface ConnectSimulatorOptions extends SimulatorOptions {
  /** The one merchant this simulator serves; any other `/v1/{merchantId}` answers 403. Default '1000'. */
  merchantId?: string;
  /** API key id → secret API key. Default `{ 'tender-sim-key': 'tender-sim-secret' }`. */
  apiKeys?: Record<string, string>;
  /** Key id sent as `X-GCS-KeyId` on webhooks. Default 'tender-sim-webhook-key'. */
  webhookKeyId?: string;
  /** Secret for the webhook `X-GCS-Signature`. Default 'tender-sim-webhook-secret'. */
  webhookSecret?: string;
  /** Maximum distance between the request's `Date` header and the simulator clock. Default 900. */
  dateSkewSeconds?: number;
  /** How long the `connect-timeout` instrument holds the HTTP answer. Default 15000. */
  timeoutDelayMs?: number;
  /** New refunds start in PENDING_APPROVAL (need refunds/{id}/approve) instead of REFUND_REQUESTED. Default false. */
  refundRequiresApproval?: boolean;
  /**
   * CAPTURE_REQUESTED captures and REFUND_REQUESTED refunds settle (CAPTURED or REJECTED_CAPTURE /
   * REFUNDED) by themselves this many ms after they were requested. Default 2000; -1: only on
   * POST /_sim/connect/payments/{id}/settle.
   */
  settleDelayMs?: number;
  /** Share of captures (0..1) that end REJECTED_CAPTURE when they settle. Default 0. */
  captureRejectRate?: number;
  /** Timeout of one webhook POST. Default 2000. */
  webhookTimeoutMs?: number;
  /** Where webhook delivery failures and other notes go. Default: console. */
  logger?: ConnectLogger;
}

export type ResolvedConnectOptions = Required<
  Pick<
    ConnectSimulatorOptions,
    | 'merchantId'
    | 'apiKeys'
    | 'webhookKeyId'
    | 'webhookSecret'
    | 'dateSkewSeconds'
    | 'timeoutDelayMs'
    | 'refundRequiresApproval'
    | 'settleDelayMs'
    | 'captureRejectRate'
    | 'webhookTimeoutMs'
    | 'logger'
    | 'now'
  >
> &
  ConnectSimulatorOptions;

export const CONNECT_SIM_DEFAULTS = {
  merchantId: '1000',
  apiKeyId: 'tender-sim-key',
  secretApiKey: 'tender-sim-secret',
  webhookKeyId: 'tender-sim-webhook-key',
  webhookSecret: 'tender-sim-webhook-secret',
  dateSkewSeconds: 900,
  timeoutDelayMs: 15000,
  settleDelayMs: 2000,
  webhookTimeoutMs: 2000,
} as const;

const consoleLogger: ConnectLogger = (level, message) => console[level](`[connect-sim] ${message}`);

export function resolveConnectOptions(options: ConnectSimulatorOptions): ResolvedConnectOptions {
  const settleDelayMs = options.settleDelayMs ?? CONNECT_SIM_DEFAULTS.settleDelayMs;
  if (!(settleDelayMs >= 0 || settleDelayMs === -1))
    throw new Error('settleDelayMs must be a non-negative number of ms, or -1 (settle only on request)');
  const captureRejectRate = options.captureRejectRate ?? 0;
  if (!(captureRejectRate >= 0 && captureRejectRate <= 1))
    throw new Error('captureRejectRate must be between 0 and 1');
  return {
    ...options,
    merchantId: options.merchantId ?? CONNECT_SIM_DEFAULTS.merchantId,
    apiKeys: options.apiKeys ?? { [CONNECT_SIM_DEFAULTS.apiKeyId]: CONNECT_SIM_DEFAULTS.secretApiKey },
    webhookKeyId: options.webhookKeyId ?? CONNECT_SIM_DEFAULTS.webhookKeyId,
    webhookSecret: options.webhookSecret ?? CONNECT_SIM_DEFAULTS.webhookSecret,
    dateSkewSeconds: options.dateSkewSeconds ?? CONNECT_SIM_DEFAULTS.dateSkewSeconds,
    timeoutDelayMs: options.timeoutDelayMs ?? CONNECT_SIM_DEFAULTS.timeoutDelayMs,
    refundRequiresApproval: options.refundRequiresApproval ?? false,
    settleDelayMs,
    captureRejectRate,
    webhookTimeoutMs: options.webhookTimeoutMs ?? CONNECT_SIM_DEFAULTS.webhookTimeoutMs,
    logger: options.logger ?? consoleLogger,
    now: options.now ?? (() => new Date()),
  };
}

function numberFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
}

/**
 * Reads CONNECT_SIM_* variables: the common ones (CONNECT_SIM_LATENCY_MS, _FAILURE_RATE, _WEBHOOK_URL,
 * _SNAPSHOT_FILE) plus CONNECT_SIM_MERCHANT_ID, CONNECT_SIM_API_KEY_ID + CONNECT_SIM_SECRET_API_KEY
 * (one pair) or CONNECT_SIM_API_KEYS ("id:secret,id2:secret2"), CONNECT_SIM_WEBHOOK_KEY_ID,
 * CONNECT_SIM_WEBHOOK_SECRET, CONNECT_SIM_DATE_SKEW_SECONDS, CONNECT_SIM_TIMEOUT_DELAY_MS,
 * CONNECT_SIM_REFUND_REQUIRES_APPROVAL (true/false), CONNECT_SIM_SETTLE_DELAY_MS (ms, -1 = only on
 * request), CONNECT_SIM_CAPTURE_REJECT_RATE (0..1), CONNECT_SIM_WEBHOOK_TIMEOUT_MS.
 */
export function connectSimulatorOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): ConnectSimulatorOptions {
  const options: ConnectSimulatorOptions = { ...simulatorOptionsFromEnv('CONNECT_SIM', env) };
  if (env.CONNECT_SIM_MERCHANT_ID) options.merchantId = env.CONNECT_SIM_MERCHANT_ID;
  let apiKeys: Record<string, string> | undefined;
  if (env.CONNECT_SIM_API_KEYS) {
    apiKeys = {};
    for (const pair of env.CONNECT_SIM_API_KEYS.split(',')) {
      const at = pair.indexOf(':');
      if (at <= 0 || at === pair.length - 1)
        throw new Error('CONNECT_SIM_API_KEYS must look like "id:secret,id2:secret2"');
      apiKeys[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
  }
  if (env.CONNECT_SIM_API_KEY_ID || env.CONNECT_SIM_SECRET_API_KEY) {
    if (!env.CONNECT_SIM_API_KEY_ID || !env.CONNECT_SIM_SECRET_API_KEY) {
      throw new Error('set both CONNECT_SIM_API_KEY_ID and CONNECT_SIM_SECRET_API_KEY');
    }
    apiKeys = { ...apiKeys, [env.CONNECT_SIM_API_KEY_ID]: env.CONNECT_SIM_SECRET_API_KEY };
  }
  if (apiKeys) options.apiKeys = apiKeys;
  if (env.CONNECT_SIM_WEBHOOK_KEY_ID) options.webhookKeyId = env.CONNECT_SIM_WEBHOOK_KEY_ID;
  if (env.CONNECT_SIM_WEBHOOK_SECRET) options.webhookSecret = env.CONNECT_SIM_WEBHOOK_SECRET;
  options.dateSkewSeconds = numberFromEnv(env, 'CONNECT_SIM_DATE_SKEW_SECONDS');
  options.timeoutDelayMs = numberFromEnv(env, 'CONNECT_SIM_TIMEOUT_DELAY_MS');
  options.settleDelayMs =
    env.CONNECT_SIM_SETTLE_DELAY_MS?.trim() === '-1' ? -1 : numberFromEnv(env, 'CONNECT_SIM_SETTLE_DELAY_MS');
  options.captureRejectRate = numberFromEnv(env, 'CONNECT_SIM_CAPTURE_REJECT_RATE');
  if (options.captureRejectRate !== undefined && options.captureRejectRate > 1)
    throw new Error('CONNECT_SIM_CAPTURE_REJECT_RATE must be between 0 and 1');
  options.webhookTimeoutMs = numberFromEnv(env, 'CONNECT_SIM_WEBHOOK_TIMEOUT_MS');
  const approval = env.CONNECT_SIM_REFUND_REQUIRES_APPROVAL;
  if (approval) {
    if (!/^(true|false|1|0)$/i.test(approval))
      throw new Error('CONNECT_SIM_REFUND_REQUIRES_APPROVAL must be true or false');
    options.refundRequiresApproval = /^(true|1)$/i.test(approval);
  }
  return options;
}
