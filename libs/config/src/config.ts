import { z } from 'zod';
import {
  DEVELOPMENT_DATA_ENCRYPTION_KEYS,
  isDevelopmentDataKey,
  parseDataKeys,
  type DataKey,
} from './data-keys';

/**
 * Tender's configuration, read from environment variables and validated once at start-up.
 * Every default works on a developer machine with local Postgres and Redis, except that NODE_ENV
 * defaults to `production`, where TOKEN_SIGNING_SECRET is required: the npm scripts of a local
 * checkout set NODE_ENV=development when it is unset (scripts/dev-env.ts).
 */
const integer = (fallback: number, min = 0) =>
  z.coerce.number().int(`must be an integer`).min(min, `must be >= ${min}`).default(fallback);

/** No access token lives longer (a revoked client's Redis mark outlives its tokens by this bound). */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 86_400;
/** The secret used when none is set in development and test. Public: refused in production. */
export const DEVELOPMENT_TOKEN_SECRET = 'tender-development-token-secret-change-me-in-production';
const MIN_SECRET_BYTES = 32;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
  PORT: integer(3000, 0).pipe(z.number().max(65535, 'must be <= 65535')),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .default('postgresql://postgres@127.0.0.1:5432/tender')
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgresql:// URL'),
  DATABASE_POOL_SIZE: integer(10, 1),
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL'),
  /** Prefix of every BullMQ key, so several Tender installs (or test runs) can share one Redis. */
  QUEUE_PREFIX: z.string().min(1).default('tender'),
  /**
   * HMAC secret(s) of the OAuth2 access tokens (JWT, HS256): `new` or, during a rotation,
   * `new,old` (the first signs, both verify). Required unless NODE_ENV is development or test.
   */
  TOKEN_SIGNING_SECRET: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  /**
   * AES-256-GCM keys of the secrets stored in Postgres: `kid:base64key[,kid:base64key…]` (32-byte
   * keys; the first encrypts, all decrypt). Required unless NODE_ENV is development or test.
   */
  DATA_ENCRYPTION_KEYS: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  ACCESS_TOKEN_TTL_SECONDS: integer(900, 60).pipe(
    z.number().max(MAX_ACCESS_TOKEN_TTL_SECONDS, `must be <= ${MAX_ACCESS_TOKEN_TTL_SECONDS}`),
  ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Human-readable log lines (pino-pretty, a dev dependency) instead of JSON. */
  LOG_PRETTY: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** When set, `GET /metrics` (API and worker) requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  /** Port of the worker's own `GET /metrics` (its partner call and job histograms); 0 = none. */
  WORKER_METRICS_PORT: integer(9464, 0).pipe(z.number().max(65535, 'must be <= 65535')),
  /** HTTP Basic user of the queue dashboard at /admin/queues. */
  ADMIN_USERNAME: z.string().min(1).default('admin'),
  /** HTTP Basic password of the queue dashboard; without one the dashboard is not served. */
  ADMIN_PASSWORD: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  /** The dashboard only shows jobs unless false (retry, remove, promote… could drop a reconciliation). */
  ADMIN_QUEUES_READ_ONLY: z
    .enum(['true', 'false', '1', '0', ''])
    .default('true')
    .transform((v) => v !== 'false' && v !== '0'),
  /** On SIGTERM: how long in-flight requests (API) and running jobs (worker) get to finish. */
  SHUTDOWN_TIMEOUT_MS: integer(10000, 0),
  /** How long create-payment and operation endpoints wait for the partners before answering pending. */
  API_WAIT_FOR_OUTCOME_MS: integer(5000, 0),
  CLIENT_SESSION_TTL_SECONDS: integer(3600, 60),
  /** A request holding an idempotency key longer than this is presumed crashed; a retry may take over. */
  IDEMPOTENCY_LOCK_SECONDS: integer(60, 1),
  IDEMPOTENCY_KEY_TTL_HOURS: integer(24, 24),
  /** Timeout of one partner call; past it the outcome is UNKNOWN and the reconciler settles it. */
  PARTNER_TIMEOUT_MS: integer(10000, 100),
  /**
   * How long past PARTNER_TIMEOUT_MS a call we gave up on may still be processed by the partner.
   * Until the call's lease (claim + timeout + this margin) expires, a lookup that finds nothing
   * never leads to a new send: the first call may still land.
   */
  PARTNER_IN_FLIGHT_MARGIN_MS: integer(30000, 0),
  /** Jobs one worker process runs at once per partner queue (partner calls are I/O bound). */
  PARTNER_CONCURRENCY: integer(32, 1),
  /** Partner calls per second per partner queue, across all workers (0 = no limit). */
  PARTNER_RATE_LIMIT_PER_SECOND: integer(0, 0),
  /**
   * How long a worker holds a job before BullMQ presumes it dead and hands it to another worker
   * (a SIGKILLed worker's job is re-run after this).
   */
  WORKER_LOCK_MS: integer(30000, 500),
  /** Delays between status lookups of an UNKNOWN outcome; after the last one the reconciler gives up and flags it. */
  RECONCILE_SCHEDULE_MS: z
    .string()
    .default('2000,5000,15000,60000,300000,900000,3600000,21600000')
    .refine(
      (v) => v.split(',').every((part) => /^\d+$/.test(part.trim())),
      'must be a comma-separated list of milliseconds',
    )
    .transform((v) => v.split(',').map((part) => Number(part.trim()))),
  /** Timeout of one merchant webhook delivery attempt (a slower answer counts as a failure). */
  WEBHOOK_TIMEOUT_MS: integer(10000, 100),
  /**
   * Delays before each retry of a failed merchant webhook delivery (one retry per entry, each
   * ± WEBHOOK_RETRY_JITTER); after the last retry fails the event is FAILED. The default,
   * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, spans about three days (10 attempts).
   */
  WEBHOOK_RETRY_SCHEDULE_MS: z
    .string()
    .default('5000,300000,1800000,7200000,18000000,36000000,50400000,72000000,86400000')
    .refine(
      (v) => v.split(',').every((part) => /^\d+$/.test(part.trim())),
      'must be a comma-separated list of milliseconds',
    )
    .transform((v) => v.split(',').map((part) => Number(part.trim()))),
  /** Relative jitter of each webhook retry delay (0.2 = ± 20 %), so failed deliveries do not retry in lockstep. */
  WEBHOOK_RETRY_JITTER: z.coerce.number().min(0, 'must be >= 0').max(1, 'must be <= 1').default(0.2),
  /** A merchant endpoint failing continuously for longer than this is disabled (default 5 days). */
  WEBHOOK_DISABLE_AFTER_MS: integer(5 * 24 * 3600 * 1000, 0),
  /** Merchant webhook deliveries one worker process runs at once. */
  WEBHOOK_CONCURRENCY: integer(16, 1),
  /**
   * Lets merchant webhooks reach loopback, private, link-local (cloud metadata) and other
   * non-public addresses. For development and tests only: in production it would let any merchant
   * make the worker call internal services (SSRF).
   */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /**
   * The drop-in script a front office loads with a session's `widget.data` (EMBEDDED integration).
   * Default: Tender's own, `<PUBLIC_URL>/checkout/v1/tender.js`.
   */
  WIDGET_JS_URL: z.string().optional(),
  /** Public base URL of this API, used in absolute links (hosted pages, redirections). */
  PUBLIC_URL: z.string().optional(),
  /**
   * Express `trust proxy`: which proxies may set X-Forwarded-For, so the client IP of the per-IP
   * rate limits is the shopper's or partner's, not the load balancer's. `false` (the socket's
   * address), `true`, a hop count, or addresses / subnets (`loopback, 10.0.0.0/8`).
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | number | string =>
      v === 'true' ? true : v === 'false' || v === '' ? false : /^\d+$/.test(v) ? Number(v) : v,
    ),
  /** Window of every RATE_LIMIT_* count below, in seconds (fixed windows, counted in Redis across API processes). */
  RATE_LIMIT_WINDOW_SECONDS: integer(60, 1),
  /** POST /oauth2/token requests per client IP and window (0 = no limit). */
  RATE_LIMIT_TOKEN_REQUESTS_PER_IP: integer(300, 0),
  /** Refused token requests (400, 401) per client id and window; past it the client id gets 429 (0 = no limit). */
  RATE_LIMIT_TOKEN_FAILURES_PER_CLIENT: integer(10, 0),
  /** Refused token requests per client IP and window, whatever the client id (0 = no limit). */
  RATE_LIMIT_TOKEN_FAILURES_PER_IP: integer(30, 0),
  /** Money-moving POSTs (payments, captures, voids, refunds, approvals, client sessions) per API client and window (0 = no limit). */
  RATE_LIMIT_PAYMENT_WRITES_PER_CLIENT: integer(12000, 0),
  /** Partner webhook deliveries (POST /v2/webhooks/*) per client IP and window (0 = no limit). */
  RATE_LIMIT_PARTNER_WEBHOOKS_PER_IP: integer(6000, 0),
  /** Gift card balance checks per client session (shopper credential) and window (0 = no limit). */
  RATE_LIMIT_GIFTCARD_CHECKS_PER_SESSION: integer(10, 0),
  /** Refused console sign-ins per email and window; past it that email gets 429, even with the right password (0 = no limit). */
  RATE_LIMIT_CONSOLE_SIGN_IN_FAILURES_PER_EMAIL: integer(10, 0),
  /** Refused console sign-ins per client IP and window, whatever the email (0 = no limit). */
  RATE_LIMIT_CONSOLE_SIGN_IN_FAILURES_PER_IP: integer(30, 0),
  /** Lifetime of an operator console session, in seconds (fixed from sign-in; sign-out ends it sooner). */
  CONSOLE_SESSION_TTL_SECONDS: integer(8 * 3600, 60),
});

export type TenderConfig = Omit<z.infer<typeof schema>, 'TOKEN_SIGNING_SECRET' | 'DATA_ENCRYPTION_KEYS'> & {
  /** The access token secrets, from TOKEN_SIGNING_SECRET: the first signs, every one verifies. */
  TOKEN_SIGNING_SECRETS: [string, ...string[]];
  /** The data encryption keys, from DATA_ENCRYPTION_KEYS: the first encrypts, every one decrypts. */
  DATA_ENCRYPTION_KEYS: [DataKey, ...DataKey[]];
  /** True when DATA_ENCRYPTION_KEYS was unset (development and test): the public development key. */
  DATA_ENCRYPTION_KEYS_DEFAULTED: boolean;
};

export class ConfigError extends Error {}

/** Problems of TOKEN_SIGNING_SECRET (never quoting it). */
function tokenSecretProblems(value: string | undefined, nodeEnv: string): string[] {
  const production = nodeEnv !== 'development' && nodeEnv !== 'test';
  if (value === undefined) {
    return production
      ? ['required when NODE_ENV is production (the default); set NODE_ENV=development for a local run']
      : [];
  }
  const secrets = value.split(',').map((secret) => secret.trim());
  const problems: string[] = [];
  if (secrets.length > 2) problems.push('at most two comma-separated secrets: new,previous');
  if (secrets.some((secret) => Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES)) {
    problems.push(`each secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  if (production && secrets.includes(DEVELOPMENT_TOKEN_SECRET)) {
    problems.push('the development secret is public: set a random one in production');
  }
  return problems;
}

/** Problems of DATA_ENCRYPTION_KEYS (never quoting a key). */
function dataKeysProblems(value: string | undefined, nodeEnv: string): string[] {
  const production = nodeEnv !== 'development' && nodeEnv !== 'test';
  if (value === undefined) {
    return production
      ? ['required when NODE_ENV is production (the default); set NODE_ENV=development for a local run']
      : [];
  }
  const { keys, problems } = parseDataKeys(value);
  if (production && keys.some(isDevelopmentDataKey)) {
    problems.push('the development key is public: set a random one in production');
  }
  return problems;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TenderConfig {
  const parsed = schema.safeParse(env);
  const lines = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  const secret = parsed.success ? parsed.data.TOKEN_SIGNING_SECRET : env.TOKEN_SIGNING_SECRET || undefined;
  const nodeEnv = parsed.success ? parsed.data.NODE_ENV : (env.NODE_ENV ?? 'production');
  lines.push(...tokenSecretProblems(secret, nodeEnv).map((problem) => `  TOKEN_SIGNING_SECRET: ${problem}`));
  const dataKeys = parsed.success ? parsed.data.DATA_ENCRYPTION_KEYS : env.DATA_ENCRYPTION_KEYS || undefined;
  lines.push(...dataKeysProblems(dataKeys, nodeEnv).map((problem) => `  DATA_ENCRYPTION_KEYS: ${problem}`));
  if (!parsed.success || lines.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const { TOKEN_SIGNING_SECRET: _secret, DATA_ENCRYPTION_KEYS: _keys, ...config } = parsed.data;
  const secrets = (secret ?? DEVELOPMENT_TOKEN_SECRET).split(',').map((s) => s.trim());
  const { keys } = parseDataKeys(dataKeys ?? DEVELOPMENT_DATA_ENCRYPTION_KEYS);
  return {
    ...config,
    TOKEN_SIGNING_SECRETS: secrets as [string, ...string[]],
    DATA_ENCRYPTION_KEYS: keys as [DataKey, ...DataKey[]],
    DATA_ENCRYPTION_KEYS_DEFAULTED: dataKeys === undefined,
  };
}

/** The URL with any password replaced, safe to print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
