import { EventEmitter } from 'node:events';

export interface HoldInfo {
  paymentId: string;
  idempotenceKey?: string;
  ms: number;
}

/**
 * Held HTTP answers (the connect-timeout instrument). Emits 'hold' when an answer starts being held
 * and 'release' when it is let go, so an in-process test can wait for those moments instead of sleeping.
 */
export class ResponseHolds {
  readonly events = new EventEmitter();
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  hold(info: HoldInfo): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(timer);
        resolve();
        this.events.emit('release', info);
      };
      const timer = setTimeout(done, info.ms);
      timer.unref();
      this.pending.set(timer, done);
      this.events.emit('hold', info);
    });
  }

  get size(): number {
    return this.pending.size;
  }

  /** Lets every held answer go now (reset, shutdown). */
  releaseAll(): void {
    for (const done of [...this.pending.values()]) done();
  }
}
