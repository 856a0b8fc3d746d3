/**
 * After the load: every payment the load generator saw succeed must be in our store exactly as it
 * was answered (AUTHORIZED, both tenders, captured in full when the capture succeeded) and in the
 * simulators' books exactly once with the same amounts; nothing may be there twice, nor be there
 * without the generator knowing it.
 */
import type { Client } from 'pg';
import { toConnectReference } from '@tender/partners/connect';
import { GIFT_CARD, type SucceededPayment } from './load';

export interface Reconciliation {
  checked: number;
  mismatches: number;
  missing_in_store: number;
  duplicates: number;
  unexpected_in_store: number;
  connect_orphans: number;
  paytronix_orphans: number;
  gift_card_balance_ok: boolean | null;
  samples: string[];
}

interface TenderRow {
  id: string;
  payment_id: string;
  partner: string;
  method: string;
  status: string;
  amount: string;
  reference: string;
}

const cents = (value: number) => (value / 100).toFixed(2);

export async function reconcile(
  db: Client,
  simUrls: { connect: string; paytronix: string },
  succeeded: SucceededPayment[],
  attemptedOrderReferences: number,
  giftCardInitialCents: number | null,
): Promise<Reconciliation> {
  const samples: string[] = [];
  let mismatches = 0;
  const problem = (text: string) => {
    mismatches++;
    if (samples.length < 20) samples.push(text);
  };

  const payments = await db.query<{
    id: string;
    status: string;
    amount: string;
    order_reference: string | null;
  }>('SELECT id, status, amount::text, order_reference FROM payment');
  const tenders = await db.query<TenderRow>(
    'SELECT id, payment_id, partner, method, status, amount::text, reference FROM partner_transaction',
  );
  const legs = await db.query<{
    payment_id: string;
    type: string;
    op_status: string;
    op_amount: string;
    partner_transaction_id: string;
    status: string;
    amount: string;
  }>(
    `SELECT o.payment_id, o.type, o.status AS op_status, o.amount::text AS op_amount,
            l.partner_transaction_id, l.status, l.amount::text
       FROM operation o JOIN operation_transaction l ON l.operation_id = o.id`,
  );
  const paymentById = new Map(payments.rows.map((p) => [p.id, p]));
  const byOrder = new Map<string, number>();
  for (const p of payments.rows)
    if (p.order_reference) byOrder.set(p.order_reference, (byOrder.get(p.order_reference) ?? 0) + 1);
  const tendersOf = new Map<string, TenderRow[]>();
  for (const t of tenders.rows) tendersOf.set(t.payment_id, [...(tendersOf.get(t.payment_id) ?? []), t]);
  const legsOf = new Map<string, typeof legs.rows>();
  for (const l of legs.rows) legsOf.set(l.payment_id, [...(legsOf.get(l.payment_id) ?? []), l]);

  let duplicates = 0;
  for (const [order, count] of byOrder) {
    if (count > 1) {
      duplicates++;
      problem(`order ${order}: ${count} payments in the store`);
    }
  }
  const unexpected = Math.max(0, payments.rows.length - attemptedOrderReferences);
  if (unexpected > 0)
    problem(`${unexpected} payments in the store beyond the ${attemptedOrderReferences} attempted`);

  // The simulators' whole books, once.
  const connectBooks = (await (await fetch(`${simUrls.connect}/_sim/connect/transactions`)).json()) as {
    transactions: Array<{
      merchantReference: string;
      status: string;
      amount: number;
      amountAuthorized: number;
      amountCaptured: number;
      amountCancelled: number;
      amountRefunded: number;
    }>;
  };
  const connectByRef = new Map<string, (typeof connectBooks.transactions)[number][]>();
  for (const t of connectBooks.transactions) {
    connectByRef.set(t.merchantReference, [...(connectByRef.get(t.merchantReference) ?? []), t]);
  }
  const paytronixBooks = (await (await fetch(`${simUrls.paytronix}/_sim/paytronix/transactions`)).json()) as {
    transactions: Array<{
      posTransactionId?: string;
      transactionType: string;
      status: string;
      redeemedQuantity: string;
      addedQuantity: string;
      printedCardNumber: string;
    }>;
  };
  const paytronixByRef = new Map<string, (typeof paytronixBooks.transactions)[number][]>();
  for (const t of paytronixBooks.transactions) {
    if (!t.posTransactionId) continue;
    paytronixByRef.set(t.posTransactionId, [...(paytronixByRef.get(t.posTransactionId) ?? []), t]);
  }

  let missing = 0;
  const ourConnectRefs = new Set<string>();
  const ourPaytronixRefs = new Set<string>();
  for (const s of succeeded) {
    const payment = paymentById.get(s.paymentId);
    if (!payment) {
      missing++;
      problem(`payment ${s.paymentId} (${s.orderReference}) answered AUTHORIZED but not in the store`);
      continue;
    }
    if (
      payment.status !== 'AUTHORIZED' ||
      Number(payment.amount) !== s.amount ||
      payment.order_reference !== s.orderReference
    ) {
      problem(
        `payment ${s.paymentId}: store says ${payment.status} ${payment.amount} ${payment.order_reference}`,
      );
    }
    const ts = tendersOf.get(s.paymentId) ?? [];
    const gift = ts.find((t) => t.partner === 'paytronix' && t.method === 'giftcard');
    const card = ts.find((t) => t.partner === 'connect' && t.method === 'card');
    if (ts.length !== 2 || !gift || !card) {
      problem(`payment ${s.paymentId}: ${ts.length} tenders in the store`);
      continue;
    }
    if (gift.status !== 'AUTHORIZED' || Number(gift.amount) !== s.giftAmount) {
      problem(
        `payment ${s.paymentId}: gift card tender ${gift.status} ${gift.amount}, expected AUTHORIZED ${s.giftAmount}`,
      );
    }
    if (card.status !== 'AUTHORIZED' || Number(card.amount) !== s.cardAmount) {
      problem(
        `payment ${s.paymentId}: card tender ${card.status} ${card.amount}, expected AUTHORIZED ${s.cardAmount}`,
      );
    }
    // Connect knows our reference in its 30-character form
    ourConnectRefs.add(toConnectReference(card.reference));
    ourPaytronixRefs.add(gift.reference);
    const pl = legsOf.get(s.paymentId) ?? [];
    const captureLegs = pl.filter((l) => l.type === 'CAPTURE');
    const other = pl.filter((l) => l.type !== 'CAPTURE');
    if (other.length) problem(`payment ${s.paymentId}: ${other.length} void/refund legs, expected none`);
    if (s.captured) {
      const capturedOn = (id: string) =>
        captureLegs
          .filter((l) => l.partner_transaction_id === id && l.status === 'SUCCESS')
          .reduce((n, l) => n + Number(l.amount), 0);
      const ops = new Set(captureLegs.map((l) => `${l.op_status}:${l.op_amount}`));
      if (
        capturedOn(gift.id) !== s.giftAmount ||
        capturedOn(card.id) !== s.cardAmount ||
        ops.size !== 1 ||
        !ops.has(`SUCCESS:${s.amount}`)
      ) {
        problem(
          `payment ${s.paymentId}: capture legs ${JSON.stringify(captureLegs.map((l) => [l.status, l.amount]))} do not make ${s.amount}`,
        );
      }
    }

    // Connect: one payment under our card reference, authorized (and captured) for the card amount.
    const atConnect = connectByRef.get(toConnectReference(card.reference)) ?? [];
    if (atConnect.length !== 1) {
      problem(`payment ${s.paymentId}: ${atConnect.length} Connect payments under ${card.reference}`);
    } else {
      const c = atConnect[0];
      const capturedExpected = s.captured ? s.cardAmount : 0;
      if (
        c.amountAuthorized !== s.cardAmount ||
        c.amountCaptured !== capturedExpected ||
        c.amountCancelled !== 0 ||
        c.amountRefunded !== 0
      ) {
        problem(
          `payment ${s.paymentId}: Connect ${c.status} authorized ${c.amountAuthorized} captured ${c.amountCaptured} cancelled ${c.amountCancelled}, expected ${s.cardAmount}/${capturedExpected}/0`,
        );
      }
    }
    // Paytronix: one posted redeem under our gift card reference, for the gift card amount.
    const atPaytronix = paytronixByRef.get(gift.reference) ?? [];
    if (atPaytronix.length !== 1) {
      problem(`payment ${s.paymentId}: ${atPaytronix.length} Paytronix transactions under ${gift.reference}`);
    } else {
      const p = atPaytronix[0];
      if (
        p.transactionType !== 'addRedeem' ||
        p.status !== 'posted' ||
        p.redeemedQuantity !== cents(s.giftAmount) ||
        p.addedQuantity !== '0.00'
      ) {
        problem(
          `payment ${s.paymentId}: Paytronix ${p.transactionType} ${p.status} redeemed ${p.redeemedQuantity}, expected ${cents(s.giftAmount)}`,
        );
      }
    }
  }

  // Nothing at the partners that the generator did not see succeed.
  let connectOrphans = 0;
  for (const ref of connectByRef.keys()) if (!ourConnectRefs.has(ref)) connectOrphans++;
  let paytronixOrphans = 0;
  for (const ref of paytronixByRef.keys()) if (!ourPaytronixRefs.has(ref)) paytronixOrphans++;
  if (connectOrphans)
    problem(`${connectOrphans} Connect payments not belonging to a payment seen as succeeded`);
  if (paytronixOrphans)
    problem(`${paytronixOrphans} Paytronix transactions not belonging to a payment seen as succeeded`);

  // The gift card's balance: what it started with, minus every redeem we made.
  let balanceOk: boolean | null = null;
  if (giftCardInitialCents !== null) {
    const card = (await (await fetch(`${simUrls.paytronix}/_sim/paytronix/cards/${GIFT_CARD}`)).json()) as {
      balance: string;
    };
    const expected = giftCardInitialCents - succeeded.reduce((n, s) => n + s.giftAmount, 0);
    balanceOk = card.balance === cents(expected);
    if (!balanceOk) problem(`gift card balance ${card.balance}, expected ${cents(expected)}`);
  }

  return {
    checked: succeeded.length,
    mismatches,
    missing_in_store: missing,
    duplicates,
    unexpected_in_store: unexpected,
    connect_orphans: connectOrphans,
    paytronix_orphans: paytronixOrphans,
    gift_card_balance_ok: balanceOk,
    samples,
  };
}

/** The benchmark gift card's balance in cents (read before the load). */
export async function giftCardBalanceCents(paytronixUrl: string): Promise<number | null> {
  try {
    const card = (await (await fetch(`${paytronixUrl}/_sim/paytronix/cards/${GIFT_CARD}`)).json()) as {
      balance: string;
    };
    return Math.round(Number(card.balance) * 100);
  } catch {
    return null;
  }
}
