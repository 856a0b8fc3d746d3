/**
 * The storage floor: how fast this Postgres can durably write the rows a captured two-tender payment
 * needs, with nothing else around — per payment one transaction inserting the payment, its two partner
 * transactions, the capture operation and its two legs (6 rows, 5 statements + BEGIN/COMMIT), from
 * `concurrency` connections for `durationMs`. Tender can never beat this; the gap says what its
 * extra round trips, reads, locks, outbox and events cost.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { newId } from '@tender/persistence/ids';
import { percentiles, round, type Percentiles } from './stats';

export interface PgFloor {
  concurrency: number;
  duration_s: number;
  payments_per_second: number;
  rows_per_second: number;
  transactions_per_second: number;
  statements_per_payment: number;
  latency_ms: Percentiles;
  synchronous_commit: string;
}

export async function pgFloor(
  databaseUrl: string,
  concurrency: number,
  durationMs: number,
): Promise<PgFloor> {
  const pool = new Pool({ connectionString: databaseUrl, max: concurrency });
  try {
    const entityId = newId();
    await pool.query('INSERT INTO entity (id, name) VALUES ($1, $2)', [entityId, `bench-floor-${entityId}`]);
    const sync = (await pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]
      .synchronous_commit;
    const latencies: number[] = [];
    let payments = 0;
    const one = async () => {
      const client = await pool.connect();
      const started = performance.now();
      try {
        const paymentId = newId();
        const [giftId, cardId, operationId, leg1, leg2] = [newId(), newId(), newId(), newId(), newId()];
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO payment (id, entity_id, amount, currency, capture_mode, status, order_reference, updated_at)
           VALUES ($1, $2, 2500, 'EUR', 'MANUAL', 'AUTHORIZED', $3, now())`,
          [paymentId, entityId, randomUUID()],
        );
        await client.query(
          `INSERT INTO partner_transaction (id, payment_id, position, partner, method, amount, currency, status, instrument, reference, updated_at)
           VALUES ($1, $3, 0, 'paytronix', 'giftcard', 1000, 'EUR', 'AUTHORIZED', '{"card_number":"6000000000010000"}', $4, now()),
                  ($2, $3, 1, 'connect', 'card', 1500, 'EUR', 'AUTHORIZED', '{"token":"connect-approve"}', $5, now())`,
          [giftId, cardId, paymentId, giftId.replace(/-/g, ''), cardId.replace(/-/g, '')],
        );
        await client.query(
          `INSERT INTO operation (id, payment_id, type, amount, status, triggered_by, updated_at)
           VALUES ($1, $2, 'CAPTURE', 2500, 'SUCCESS', 'MERCHANT', now())`,
          [operationId, paymentId],
        );
        await client.query(
          `INSERT INTO operation_transaction (id, operation_id, partner_transaction_id, amount, status, reference, updated_at)
           VALUES ($1, $3, $4, 1000, 'SUCCESS', $6, now()), ($2, $3, $5, 1500, 'SUCCESS', $7, now())`,
          [leg1, leg2, operationId, giftId, cardId, leg1.replace(/-/g, ''), leg2.replace(/-/g, '')],
        );
        await client.query('COMMIT');
        payments++;
        latencies.push(performance.now() - started);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    };
    // Warm-up, then the measured window.
    const run = async (until: number) =>
      Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < until) await one();
        }),
      );
    await run(performance.now() + 1000);
    payments = 0;
    latencies.length = 0;
    const start = performance.now();
    await run(start + durationMs);
    const elapsed = (performance.now() - start) / 1000;
    return {
      concurrency,
      duration_s: round(elapsed, 2),
      payments_per_second: round(payments / elapsed),
      rows_per_second: round((payments * 6) / elapsed),
      transactions_per_second: round(payments / elapsed),
      statements_per_payment: 6,
      latency_ms: percentiles(latencies),
      synchronous_commit: sync,
    };
  } finally {
    await pool.end();
  }
}
