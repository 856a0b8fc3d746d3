import type { Logger } from '@nestjs/common';

/** A background loop of the worker; `stop()` on shutdown. */
export interface Periodic {
  stop(): void;
}

/**
 * Runs `task` every `ms`, skipping a round while the previous one still runs; a failure is logged
 * as `name: message` and the next round tries again. The timer does not keep the process alive.
 */
export function every(name: string, ms: number, task: () => Promise<unknown>, logger: Logger): Periodic {
  let running = false;
  const round = async () => {
    if (running) return;
    running = true;
    try {
      await task();
    } catch (error) {
      logger.warn(`${name}: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void round(), ms); // round() never rejects
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
