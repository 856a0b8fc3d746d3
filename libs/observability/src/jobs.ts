import type { Job, Worker } from 'bullmq';
import { getLogger, withLogContext } from './logger';
import { jobDuration } from './metrics';

/**
 * Wraps a BullMQ processor: the job runs inside a log context (`queue`, `job_id`, `job`, plus
 * `fields(job)`, e.g. the partner and our transaction id), its duration goes to
 * `tender_job_duration_seconds{queue,result}`, and a debug line records how it ended.
 */
export function observedProcessor<T, R>(
  queue: string,
  processor: (job: Job<T>) => Promise<R>,
  fields: (job: Job<T>) => Record<string, unknown> = () => ({}),
): (job: Job<T>) => Promise<R> {
  return (job) =>
    withLogContext(
      { queue, job_id: job.id, job: job.name, attempt: job.attemptsMade + 1, ...fields(job) },
      async () => {
        const end = jobDuration.startTimer({ queue });
        const log = getLogger('job');
        try {
          const result = await processor(job);
          log.debug({ duration_ms: Math.round(end({ result: 'completed' }) * 1000) }, 'job completed');
          return result;
        } catch (error) {
          log.warn({ duration_ms: Math.round(end({ result: 'failed' }) * 1000), err: error }, 'job failed');
          throw error;
        }
      },
    );
}

const workers = new Set<Worker>();

/** Registers a BullMQ worker to be drained first on shutdown (see {@link drainWorkers}). */
export function trackWorker<W extends Worker>(worker: W): W {
  workers.add(worker);
  worker.once('closed', () => workers.delete(worker));
  return worker;
}

/**
 * Closes every tracked worker: they take no new job and finish the running ones. Past `timeoutMs`
 * the rest are force-closed: their jobs keep their lock until it expires, then BullMQ runs them
 * again (every handler re-reads its state first, so nothing is lost or done twice). Resolves to
 * whether everything finished in time.
 */
export async function drainWorkers(timeoutMs: number): Promise<boolean> {
  const closing = [...workers];
  if (closing.length === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    Promise.allSettled(closing.map((worker) => worker.close())).then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!finished) {
    getLogger('lifecycle').warn(
      { timeout_ms: timeoutMs },
      'jobs still running at the shutdown bound: left to BullMQ',
    );
    await Promise.allSettled(closing.map((worker) => worker.close(true)));
  }
  return finished;
}
