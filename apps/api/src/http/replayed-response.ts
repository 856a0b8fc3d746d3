/** A stored error response replayed under its idempotency key; the problem filter sends `body` untouched. */
export class ReplayedResponse extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super('replayed response');
  }
}
