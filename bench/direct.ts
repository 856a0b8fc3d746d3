/**
 * The "no orchestrator" reference, in its own process: what a merchant calling the partners itself
 * would do for the same two-tender payment — the card hold at Connect (create payment), then the gift
 * card debit at Paytronix (addRedeem) — with Tender's own partner adapters (they speak the protocols),
 * at a fixed concurrency for a duration. Prints one JSON line.
 *
 *   ts-node --transpile-only bench/direct.ts '{"connect":"http://…","paytronix":"http://…","concurrency":32,"durationMs":10000}'
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { AuthorizeRequest, PartnerAccountConfig } from '@tender/partners';
import { ConnectAdapter } from '@tender/partners/connect';
import { PaytronixAdapter } from '@tender/partners/paytronix';
import { DEMO_PARTNER_ACCOUNTS } from '../apps/cli/src/demo';
import { percentiles } from './lib/stats';
import { CARD_TOKEN, GIFT_CARD } from './lib/load';

interface Options {
  connect: string;
  paytronix: string;
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
}

function account(partner: string, endpoint: string): PartnerAccountConfig {
  const demo = DEMO_PARTNER_ACCOUNTS.find((a) => a.partner === partner)!;
  return { partner, credentials: { ...demo.credentials, endpoint }, config: demo.config };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]) as Options;
  const connect = new ConnectAdapter();
  const paytronix = new PaytronixAdapter();
  const connectAccount = account('connect', options.connect);
  const paytronixAccount = account('paytronix', options.paytronix);
  let seq = 0;
  const request = (partner: 'connect' | 'paytronix', amount: number): AuthorizeRequest => {
    const id = randomUUID();
    return {
      account: partner === 'connect' ? connectAccount : paytronixAccount,
      idempotencyKey: `direct-${id}-authorize`,
      timeoutMs: 10_000,
      reference: id.replace(/-/g, ''),
      paymentId: randomUUID(),
      tenderId: id,
      method: partner === 'connect' ? 'card' : 'giftcard',
      amount,
      currency: 'EUR',
      instrument: partner === 'connect' ? { token: CARD_TOKEN } : { card_number: GIFT_CARD },
      captureMode: 'MANUAL',
      allowFutureUsage: false,
    };
  };

  const total: number[] = [];
  const card: number[] = [];
  const gift: number[] = [];
  let ok = 0;
  let errors = 0;
  const errorSamples: string[] = [];
  const pay = async (record: boolean) => {
    const n = ++seq;
    const started = performance.now();
    try {
      const held = await connect.authorize(request('connect', 1000 + ((n * 7) % 1999)));
      const heldAt = performance.now();
      if (held.outcome !== 'AUTHORIZED') throw new Error(`card ${held.outcome} ${held.partnerStatus ?? ''}`);
      const debited = await paytronix.authorize(request('paytronix', 500 + (n % 997)));
      const done = performance.now();
      if (debited.outcome !== 'AUTHORIZED')
        throw new Error(`gift card ${debited.outcome} ${debited.partnerStatus ?? ''}`);
      if (record) {
        ok++;
        card.push(heldAt - started);
        gift.push(done - heldAt);
        total.push(done - started);
      }
    } catch (error) {
      if (record) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push((error as Error).message);
      }
    }
  };
  const loop = async (until: number, record: boolean) => {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < until) await pay(record);
      }),
    );
  };
  await loop(performance.now() + (options.warmupMs ?? 1000), false);
  const start = performance.now();
  await loop(start + options.durationMs, true);
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage();
  process.stdout.write(
    `${JSON.stringify({
      payments_per_second: Math.round((ok / elapsed) * 10000) / 10,
      payments: ok,
      errors,
      error_samples: errorSamples,
      concurrency: options.concurrency,
      duration_s: Math.round(elapsed) / 1000,
      latency_ms: percentiles(total),
      connect_authorize_ms: percentiles(card),
      paytronix_redeem_ms: percentiles(gift),
      client_cpu_s: (cpu.user + cpu.system) / 1e6,
    })}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
