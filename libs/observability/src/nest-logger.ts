import type { LoggerService } from '@nestjs/common';
import { getLogger } from './logger';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Nest's own start-up chatter (modules loaded, routes mapped) is debug, not info. */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/**
 * Nest's `Logger` routed through pino: `new Logger('dispatch').warn(message)` becomes a JSON line
 * `{ level: 'warn', context: 'dispatch', msg, …log context }`. Pass it as the `logger` option of
 * `NestFactory.create` / `createApplicationContext`; levels are filtered by pino (LOG_LEVEL).
 */
export class PinoNestLogger implements LoggerService {
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    // Nest appends the logger's context as the last string parameter; `error` may have a stack before it.
    const rest = [...params];
    const context =
      rest.length && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack =
      level === 'error' && typeof rest[0] === 'string' && rest[0].includes('\n    at ')
        ? rest.shift()
        : undefined;
    if (level === 'info' && context && FRAMEWORK_CONTEXTS.has(context)) level = 'debug';
    const logger = getLogger();
    if (!logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (stack) fields.stack = stack;
    if (message instanceof Error) logger[level]({ ...fields, err: message }, message.message);
    else if (message && typeof message === 'object') logger[level]({ ...fields, ...message });
    else logger[level](fields, String(message));
  }
}
