/**
 * What the reconciler does about a partner call whose outcome it could not see (timeout, reset, 5xx,
 * a job re-run after a crash), once a status lookup by our reference has found nothing.
 * The full state machine, and which partner behaviour each step relies on: docs/money-safety.md.
 *
 * - The call may still be running at the partner until its **in-flight lease** expires (the claim's
 *   time + PARTNER_TIMEOUT_MS + PARTNER_IN_FLIGHT_MARGIN_MS): until then nothing is sent, only
 *   looked up again later.
 * - A partner with idempotency keys (Connect, Purse) is sent the same call again, under the same key:
 *   should the first still land, the partner answers both as one.
 * - A partner without them (Paytronix stored value) first has the lost attempt reversed by its
 *   reference (harmless if it never happened), then gets a new attempt under a new reference,
 *   recorded before it is sent.
 * - When the payment no longer needs the money (refused or cancelled meanwhile), nothing new is
 *   sent: the tender ends, after the reversal where there is one.
 * - A lookup asked for by a reader (GET refresh, partner webhook, shopper's return) only reads.
 */
export type UnclearOutcomeStep =
  /** A read-only lookup, or a transaction no longer open: leave it as it is. */
  | 'NOTHING'
  /** The lost call may still land: look again once the lease has expired. */
  | 'WAIT'
  /** Same call again under the same idempotency key (the partner dedupes). */
  | 'RESEND'
  /** Reverse the lost attempt by its reference, then send a new attempt under a new reference. */
  | 'REVERSE_THEN_RESEND'
  /** Reverse the lost attempt by its reference; nothing new is sent and the tender ends. */
  | 'REVERSE_THEN_END'
  /** Nothing new is sent and the tender ends (the lost call never reached the partner). */
  | 'END';

export interface UnclearOutcome {
  /** A reader's lookup (GET refresh, webhook hint, return from a hosted page): never sends. */
  readOnly: boolean;
  /** The transaction is still open (PENDING or UNKNOWN), i.e. nothing settled it meanwhile. */
  open: boolean;
  /** The last attempt's in-flight lease has not expired. */
  inFlight: boolean;
  /** The partner dedupes a repeated call by its idempotency key. */
  idempotent: boolean;
  /** The payment still needs this money (an authorization of a payment not refused or cancelled; any leg). */
  stillNeeded: boolean;
}

export function afterNothingFound(call: UnclearOutcome): UnclearOutcomeStep {
  if (call.readOnly || !call.open) return 'NOTHING';
  if (call.inFlight) return 'WAIT';
  if (call.idempotent) return call.stillNeeded ? 'RESEND' : 'END';
  return call.stillNeeded ? 'REVERSE_THEN_RESEND' : 'REVERSE_THEN_END';
}
