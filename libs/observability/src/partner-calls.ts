import {
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  type PartnerAdapter,
} from '@tender/partners';
import { currentJobSignal } from './request-timing';
import { getLogger } from './logger';
import { partnerCallDuration } from './metrics';

const OPERATIONS: Record<string, string> = {
  authorize: 'authorize',
  fetchAuthorization: 'fetch_authorization',
  approve: 'approve',
  capture: 'capture',
  void: 'void',
  refund: 'refund',
  fetchOperation: 'fetch_operation',
  reverseLostCall: 'reverse_lost_call',
};

export function callOutcome(error: unknown): string {
  if (error instanceof UnknownOutcomeError) return 'unknown';
  if (error instanceof PartnerRejectedError) return 'rejected';
  if (error instanceof PartnerProtocolError) return 'protocol_error';
  return 'error';
}

const instrumented = new WeakMap<PartnerAdapter, PartnerAdapter>();

/**
 * The same adapter, each partner call timed into `tender_partner_call_duration_seconds`, logged
 * (debug when it answers, info when it fails, with the error reduced to safe fields) and added to
 * the running job's partner time. Results and errors pass through untouched.
 */
export function instrumentAdapter(adapter: PartnerAdapter): PartnerAdapter {
  let wrapped = instrumented.get(adapter);
  if (wrapped) return wrapped;
  wrapped = new Proxy(adapter, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      const operation = typeof property === 'string' ? OPERATIONS[property] : undefined;
      if (typeof value !== 'function' || !operation) return value;
      return async (...args: unknown[]) => {
        const startedAt = Date.now();
        const started = process.hrtime.bigint();
        const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
        const labels = { partner: target.partner, operation };
        try {
          const result: unknown = await (value as (...args: unknown[]) => Promise<unknown>).apply(
            target,
            args,
          );
          const duration = seconds();
          partnerCallDuration.observe({ ...labels, outcome: 'ok' }, duration);
          getLogger('partner-call').debug(
            {
              ...labels,
              outcome: 'ok',
              result: (result as { outcome?: string })?.outcome,
              duration_ms: ms(duration),
            },
            `${target.partner} ${operation}`,
          );
          return result;
        } catch (error) {
          const duration = seconds();
          const outcome = callOutcome(error);
          partnerCallDuration.observe({ ...labels, outcome }, duration);
          getLogger('partner-call').info(
            { ...labels, outcome, duration_ms: ms(duration), err: error },
            `${target.partner} ${operation} failed`,
          );
          throw error;
        } finally {
          // The running job's signal carries its partner time to a waiting request (Server-Timing).
          const signal = currentJobSignal.getStore();
          if (signal) (signal.partner ??= []).push([startedAt, Date.now()]);
        }
      };
    },
  });
  instrumented.set(adapter, wrapped);
  return wrapped;
}

const ms = (seconds: number) => Math.round(seconds * 1000);
