/**
 * What a partner (PSP, gift-card processor…) lets us do after an authorization. The allocation
 * logic reads these flags so that we never send a partner a request it is known to refuse.
 */
export interface PartnerCapabilities {
  /** Can capture less than the remaining authorized amount. */
  partialCapture: boolean;
  /** Can capture more than once on the same authorization. */
  multipleCaptures: boolean;
  /** Can release (void) the uncaptured remainder once something was captured. */
  voidAfterPartialCapture: boolean;
  /**
   * Can void only part of the remaining authorization. Absent means false: with most partners
   * a void (cancel) releases the whole remaining authorization; a partial release is a
   * separate "authorization adjustment" feature that few support.
   */
  partialVoid?: boolean;
  refund: boolean;
  /** Can refund less than the captured-but-not-refunded amount. */
  partialRefund: boolean;
  /** Absent means "no declared limit": only an explicit false blocks a second refund. */
  multipleRefunds?: boolean;
  /** The shopper must go through a redirect or hosted page to authorize. */
  needsRedirect: boolean;
  /**
   * Money leaves the shopper's balance at authorization time (e.g. a gift-card redeem).
   * Semantically such a tender is captured by its authorize call, but our model still records
   * it as authorized-then-captured so that every tender follows one lifecycle and the Purse
   * amounts stay comparable: its capture is mere bookkeeping (or a partner "commit"), and
   * voiding its uncaptured part means reversing a debit that really happened.
   */
  immediateDebit: boolean;
}
