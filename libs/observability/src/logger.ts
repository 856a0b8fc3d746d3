import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger } from 'pino';
import { redactPrivateJwkFields } from './jwk-redaction';

/**
 * The process's structured logger (pino, one JSON object per line). Every line carries the fields
 * of the current log context (request id, payment id, job id…: see {@link withLogContext}), and
 * known secret fields are censored wherever they appear in a logged object.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggingOptions {
  level: LogLevel;
  /** Human-readable lines (pino-pretty) instead of JSON. */
  pretty?: boolean;
}

/**
 * Fields never written to a log, at any of the first five levels of a logged object. The private
 * members of JWKs (`d`, `p`, `q`…) are censored too, inside JWKs only (jwk-redaction.ts).
 */
export const REDACTED_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'payment_method',
  'paymentMethod',
  'instrument',
  'card_number',
  'cardNumber',
  'pin',
  'token',
  'client_secret',
  'clientSecret',
  'secret',
  'secretApiKey',
  'privateJwk',
  'password',
  'webhookSecret',
  'webhook_secret',
  'access_token',
  'credentials',
  'cardRegCode',
  'printedCardNumber',
  'partner_token',
  'partnerToken',
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of REDACTED_KEYS) {
    const plain = /^[A-Za-z_]\w*$/.test(key);
    for (let depth = 0; depth < 5; depth++) {
      const wildcards = Array<string>(depth).fill('*').join('.');
      if (plain) paths.push(wildcards ? `${wildcards}.${key}` : key);
      else paths.push(`${wildcards}["${key}"]`);
    }
  }
  return paths;
}

/**
 * Errors as `{ type, message, code, status, stack, cause }` and nothing else: an HTTP client error
 * (axios) carries its request config, headers and credentials, which must never reach a log.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  // A thrown non-Error object is logged by its type only ([object Object]), never its contents.
  if (!(error instanceof Error))
    return typeof error === 'object' && error !== null ? Object.prototype.toString.call(error) : error;
  const e = error as Error & {
    code?: unknown;
    status?: unknown;
    httpStatus?: unknown;
    partnerStatus?: unknown;
  };
  return {
    type: e.name,
    message: e.message,
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
    ...(typeof e.httpStatus === 'number' ? { status: e.httpStatus } : {}),
    ...(typeof e.partnerStatus === 'string' ? { partner_status: e.partnerStatus } : {}),
    stack: e.stack,
    ...(e.cause !== undefined && depth < 3 ? { cause: serializeError(e.cause, depth + 1) } : {}),
  };
}

const context = new AsyncLocalStorage<Record<string, unknown>>();

/** Runs `fn` with `fields` added to every line logged inside it (across awaits). */
export function withLogContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  return context.run({ ...context.getStore(), ...definedOnly(fields) }, fn);
}

/** Adds fields to the current log context (no-op outside one), e.g. the payment id once a job has read it. */
export function addLogContext(fields: Record<string, unknown>): void {
  const store = context.getStore();
  if (store) Object.assign(store, definedOnly(fields));
}

export function currentLogContext(): Record<string, unknown> {
  return { ...context.getStore() };
}

function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null));
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
let options: LoggingOptions = {
  level: LEVELS.find((level) => level === process.env.LOG_LEVEL) ?? 'info',
};
let destination: DestinationStream | undefined;
let root: Logger | undefined;

function prettyStream(): DestinationStream | undefined {
  try {
    return (require('pino-pretty') as (o: object) => DestinationStream)({
      colorize: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
  } catch {
    // pino-pretty is a dev dependency: without it, JSON it is.
    return undefined;
  }
}

function build(): Logger {
  const stream = destination ?? (options.pretty ? prettyStream() : undefined);
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactPrivateJwkFields(object),
      },
      redact: { paths: redactPaths(), censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError, cause: serializeError },
      // Context fields a child logger already binds are left out, so no line has a key twice.
      mixin: (_object, _level, logger) => {
        const store = context.getStore();
        if (!store) return {};
        const bound = logger.bindings();
        return Object.fromEntries(Object.entries(store).filter(([key]) => !(key in bound)));
      },
    },
    stream,
  );
}

/** Configures the process's logger (level, pretty); call once at start-up. */
export function initLogging(next: LoggingOptions): Logger {
  options = next;
  root = build();
  children.clear();
  return root;
}

/**
 * Sends every log line to `stream` instead of stdout (tests capture logs this way); `undefined`
 * restores stdout.
 */
export function setLogDestination(stream: DestinationStream | undefined): void {
  destination = stream;
  root = build();
  children.clear();
}

const children = new Map<string, Logger>();

/** The process's logger; `name` becomes the `context` field of the lines of the child (made once per name). */
export function getLogger(name?: string): Logger {
  if (!root) {
    root = build();
    children.clear();
  }
  if (!name) return root;
  let child = children.get(name);
  if (!child) children.set(name, (child = root.child({ context: name })));
  return child;
}

/**
 * A start-up or shutdown line printed at `info` even when LOG_LEVEL is quieter (not when silent):
 * operators and supervisors look for it.
 */
export function logLifecycle(message: string, fields: Record<string, unknown> = {}): void {
  if (options.level === 'silent') return;
  const logger = getLogger('lifecycle');
  (logger.isLevelEnabled('info') ? logger : logger.child({}, { level: 'info' })).info(fields, message);
}
