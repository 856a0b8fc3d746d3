import type { Logger } from '@nestjs/common';
import type { UnclearOutcomeStep } from '@tender/domain';
import {
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  type AuthorizeRequest,
  type LostCallKind,
  type OperationRequest,
  type PartnerAdapter,
} from '@tender/partners';

/** The reversal of a lost attempt before a new one (partners without idempotency keys). */
export async function reverseIfNeeded(
  logger: Logger,
  adapter: PartnerAdapter,
  step: UnclearOutcomeStep,
  kind: LostCallKind,
  lastSent: AuthorizeRequest | OperationRequest,
): Promise<void> {
  if (step !== 'REVERSE_THEN_RESEND' && step !== 'REVERSE_THEN_END') return;
  logger.warn(
    `${adapter.partner} ${kind} attempt ${lastSent.attempt} of ${lastSent.reference} not found after its lease: reversing it by reference`,
  );
  await adapter.reverseLostCall!(kind, lastSent);
}

/** Why a lookup (or the reversal of a lost call) did not settle anything; our own failures are re-thrown. */
export function lookupFailed(logger: Logger, error: unknown): string {
  if (error instanceof PartnerRejectedError) {
    alertIfConfiguration(logger, error, 'status lookup');
    return `lookup refused: ${error.message}`;
  }
  if (error instanceof UnknownOutcomeError || error instanceof PartnerProtocolError) return error.message;
  throw error; // our own infrastructure: BullMQ retries with backoff
}

/** A partner refusing our credentials or configuration: nothing moved, but only a person can fix it. */
export function alertIfConfiguration(logger: Logger, error: PartnerRejectedError, what: string): void {
  if (error.httpStatus === 401 || error.httpStatus === 403) {
    logger.error(
      `${what}: the partner refused our credentials (HTTP ${error.httpStatus}): needs an operator`,
    );
  }
}
