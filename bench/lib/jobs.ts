/**
 * Where a payment's time goes, from BullMQ's own job timestamps (the job hashes stay in Redis a
 * while after completion): for a sample of payments, the card authorization job and the gift card
 * authorization job (which the saga enqueues once the card hold is in place) each give
 * enqueued (timestamp) → started (processedOn) → finished (finishedOn).
 */
import Redis from 'ioredis';
import { percentiles, type Percentiles } from './stats';
import type { TimelineSample } from './load';

export interface Breakdown {
  sampled: number;
  /** Client send → card job enqueued: API work before the commit + outbox publish (and network). */
  api_until_enqueued_ms: Percentiles;
  /** Job waiting in the queue before a worker took it (both authorize jobs). */
  queue_wait_ms: Percentiles;
  /** A worker running an authorize job: reads, partner call, settle transaction, publish, signal. */
  job_run_ms: Percentiles;
  /** Card job finished → gift card job enqueued (0 or less: enqueued inside the card job). */
  between_jobs_ms: Percentiles;
  /** Gift card job finished → client has the answer: signal, API re-read, response. */
  api_after_last_job_ms: Percentiles;
}

interface JobTimes {
  timestamp: number;
  processedOn: number;
  finishedOn: number;
  delay: number;
}

async function jobTimes(redis: Redis, key: string): Promise<JobTimes | undefined> {
  const [timestamp, processedOn, finishedOn, delay] = await redis.hmget(
    key,
    'timestamp',
    'processedOn',
    'finishedOn',
    'delay',
  );
  if (!timestamp || !processedOn || !finishedOn) return undefined;
  return {
    timestamp: Number(timestamp),
    processedOn: Number(processedOn),
    finishedOn: Number(finishedOn),
    delay: Number(delay ?? 0),
  };
}

export async function breakdown(
  redisUrl: string,
  prefix: string,
  samples: TimelineSample[],
): Promise<Breakdown> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  const apiUntil: number[] = [];
  const wait: number[] = [];
  const run: number[] = [];
  const between: number[] = [];
  const after: number[] = [];
  let sampled = 0;
  try {
    for (const sample of samples) {
      const card = await jobTimes(redis, `${prefix}:partner-connect:authorize-${sample.tenderIds.connect}`);
      const gift = await jobTimes(
        redis,
        `${prefix}:partner-paytronix:authorize-${sample.tenderIds.paytronix}`,
      );
      if (!card || !gift) continue;
      sampled++;
      apiUntil.push(card.timestamp - sample.sentAtEpoch);
      for (const job of [card, gift]) {
        wait.push(job.processedOn - job.timestamp - job.delay);
        run.push(job.finishedOn - job.processedOn);
      }
      between.push(gift.timestamp - card.finishedOn);
      after.push(sample.answeredAtEpoch - Math.max(gift.finishedOn, card.finishedOn));
    }
  } finally {
    redis.disconnect();
  }
  return {
    sampled,
    api_until_enqueued_ms: percentiles(apiUntil),
    queue_wait_ms: percentiles(wait),
    job_run_ms: percentiles(run),
    between_jobs_ms: percentiles(between),
    api_after_last_job_ms: percentiles(after),
  };
}

/** Removes every key under the prefix (ours), as the test stack does. */
export async function dropPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
