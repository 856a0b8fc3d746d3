import { SnapshotStore } from '../common/snapshot-store';
import { FIRST_PX_TRANSACTION_ID, initialPaytronixState, PaytronixBooks, type PaytronixState } from './books';
import { TxError } from './replies';
import { addRedeem, balanceInquiry, reverse, transactionHistory, voidAddRedeem } from './stored-value';

const now = new Date('2025-05-01T12:00:00Z');
const ctx = { now };

function header(posTransactionId: string) {
  return {
    merchantId: 10101010,
    storeCode: 'WEB',
    operatorId: '0',
    senderId: 'POS',
    programId: 'SV',
    terminalId: '0',
    posTransactionId,
  };
}

function redeemBody(card: string, quantity: string, pos = 'pos-1') {
  return {
    headerInfo: header(pos),
    cardInfo: { printedCardNumber: card },
    addWalletContents: [],
    redeemWalletContents: [{ walletCode: 1, quantity }],
  };
}

function error(fn: () => unknown): TxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TxError) return e;
    throw e;
  }
  throw new Error('expected a TxError');
}

describe('Paytronix stored value', () => {
  let books: PaytronixBooks;
  const balance = (card: string) => books.state.cards[card].balanceCents;

  beforeEach(() => {
    books = new PaytronixBooks(new SnapshotStore<PaytronixState>(() => initialPaytronixState()));
  });

  it('reads the balance as a Decimal string', () => {
    const reply = balanceInquiry(
      books,
      { headerInfo: header('b1'), cardInfo: { printedCardNumber: '6000000000000100' } },
      ctx,
    );
    expect(reply).toMatchObject({
      result: 'authorizedSuccess',
      responseCode: 200,
      svCurrentBalance: '100.00',
      posTransactionId: 'b1',
    });
  });

  it('debits on every redeem, with no duplicate check', () => {
    const first = addRedeem(books, redeemBody('6000000000000100', '12.34'), ctx);
    const second = addRedeem(books, redeemBody('6000000000000100', '12.34'), ctx);
    expect(first).toMatchObject({
      svPreviousBalance: '100.00',
      svCurrentBalance: '87.66',
      svTransactionAmount: '-12.34',
    });
    expect(second).toMatchObject({ svCurrentBalance: '75.32' });
    expect(second.pxTransactionId).toBe(FIRST_PX_TRANSACTION_ID + 1);
    expect(first.changedWalletContents).toEqual([
      { name: 'Stored Value Used', operationType: 2, walletCode: 1, quantity: '12.34' },
    ]);
    expect(books.byPosTransactionId('pos-1')).toHaveLength(2);
  });

  it('denies a redeem above the balance and leaves the card alone', () => {
    const e = error(() => addRedeem(books, redeemBody('6000000000000100', '100.01'), ctx));
    expect(e.reply('pos-1')).toMatchObject({
      result: 'denied',
      responseCode: 300,
      errorCode: 'transaction.insufficient_balance',
      svCurrentBalance: '100.00',
    });
    expect(balance('6000000000000100')).toBe(10000);
  });

  it('takes what is there on the partial-redeem card (authorizedVariantSuccess)', () => {
    const reply = addRedeem(books, redeemBody('6000000000000250', '30.00'), ctx);
    expect(reply).toMatchObject({
      result: 'authorizedVariantSuccess',
      responseCode: 201,
      svCurrentBalance: '0.00',
      redeemWalletContents: [{ walletCode: 1, quantity: '25.00' }],
    });
  });

  it('refuses inactive, unknown cards, other wallets and bad quantities', () => {
    expect(error(() => addRedeem(books, redeemBody('6000000000009999', '1.00'), ctx)).errorCode).toBe(
      'transaction.card_not_in_required_state',
    );
    expect(error(() => addRedeem(books, redeemBody('1234', '1.00'), ctx)).errorCode).toBe(
      'transaction.invalid_card_number',
    );
    expect(error(() => addRedeem(books, redeemBody('6000000000000100', '1.001'), ctx)).errorCode).toBe(
      'transaction.invalid_amount',
    );
    const otherWallet = {
      ...redeemBody('6000000000000100', '1.00'),
      redeemWalletContents: [{ walletCode: 3, quantity: '1' }],
    };
    expect(error(() => addRedeem(books, otherWallet, ctx)).errorCode).toBe('transaction.invalid_wallet_code');
    const noHeader = { ...redeemBody('6000000000000100', '1.00'), headerInfo: { merchantId: 1 } };
    expect(error(() => addRedeem(books, noHeader, ctx)).reply()).toMatchObject({
      result: 'userDataError',
      errorCode: 'transaction.invalid_input',
    });
  });

  it('voids the latest matching redeem when sent the same body again', () => {
    addRedeem(books, redeemBody('6000000000000100', '10.00'), ctx);
    addRedeem(books, redeemBody('6000000000000100', '10.00'), ctx);
    const voided = voidAddRedeem(books, redeemBody('6000000000000100', '10.00'), ctx);
    expect(voided).toMatchObject({
      result: 'authorizedSuccess',
      svCurrentBalance: '90.00',
      changedWalletContents: [{ operationType: 4, quantity: '10.00' }],
    });
    const [firstRedeem, secondRedeem] = books.byPosTransactionId('pos-1');
    expect(firstRedeem.status).toBe('posted');
    expect(secondRedeem.status).toBe('voided');
    voidAddRedeem(books, redeemBody('6000000000000100', '10.00'), ctx);
    expect(balance('6000000000000100')).toBe(10000);
    expect(error(() => voidAddRedeem(books, redeemBody('6000000000000100', '10.00'), ctx)).errorCode).toBe(
      'transaction.already_reversed',
    );
    expect(error(() => voidAddRedeem(books, redeemBody('6000000000000100', '9.00'), ctx)).errorCode).toBe(
      'transaction.transaction_not_found',
    );
  });

  it('reverses by pxTransactionId or previous posTransactionId, within 7 days, once', () => {
    const redeem = addRedeem(books, redeemBody('6000000000000500', '50.00', 'r1'), ctx);
    const reversed = reverse(
      books,
      { headerInfo: header('rev-1'), pxTransactionId: String(redeem.pxTransactionId) },
      ctx,
    );
    expect(reversed).toMatchObject({
      result: 'authorizedSuccess',
      svCurrentBalance: '500.00',
      svTransactionAmount: '50.00',
    });
    expect(
      error(() =>
        reverse(books, { headerInfo: header('rev-2'), pxTransactionId: redeem.pxTransactionId }, ctx),
      ).errorCode,
    ).toBe('transaction.already_reversed');

    addRedeem(books, redeemBody('6000000000000500', '20.00', 'r2'), ctx);
    reverse(books, { headerInfo: header('rev-3'), previousPosTransactionId: 'r2' }, ctx);
    expect(balance('6000000000000500')).toBe(50000);

    addRedeem(books, redeemBody('6000000000000500', '20.00', 'r3'), ctx);
    const later = { now: new Date(now.getTime() + 7 * 24 * 3600 * 1000 + 1) };
    expect(
      error(() => reverse(books, { headerInfo: header('rev-4'), previousPosTransactionId: 'r3' }, later))
        .errorCode,
    ).toBe('transaction.reverse_period_expired');
    expect(
      error(() => reverse(books, { headerInfo: header('rev-5'), previousPosTransactionId: 'nope' }, ctx))
        .errorCode,
    ).toBe('transaction.transaction_not_found');
  });

  it('cannot void an add whose value was spent', () => {
    const add = {
      headerInfo: header('a1'),
      cardInfo: { printedCardNumber: '6000000000000000' },
      addWalletContents: [{ walletCode: 1, quantity: '10.00' }],
      redeemWalletContents: [],
    };
    addRedeem(books, add, ctx);
    addRedeem(books, redeemBody('6000000000000000', '5.00', 'spend'), ctx);
    expect(error(() => voidAddRedeem(books, add, ctx)).errorCode).toBe('transaction.insufficient_balance');
  });

  it('finds history by posTransactionId and by card', () => {
    addRedeem(books, redeemBody('6000000000000100', '1.00', 'h1'), ctx);
    addRedeem(books, redeemBody('6000000000000500', '2.00', 'h2'), ctx);
    const byPos = transactionHistory(books, { headerInfo: header('q1'), posTransactionId: 'h1' }, ctx);
    expect(byPos.transactions).toEqual([
      expect.objectContaining({
        posTransactionId: 'h1',
        redeemedQuantity: '1.00',
        transactionType: 'addRedeem',
      }),
    ]);
    const byCard = transactionHistory(
      books,
      { headerInfo: header('q2'), cardInfo: { printedCardNumber: '6000000000000500' } },
      ctx,
    );
    expect(byCard.transactions).toEqual([expect.objectContaining({ posTransactionId: 'h2' })]);
    expect(
      (
        transactionHistory(books, { headerInfo: header('q3'), posTransactionId: 'never' }, ctx)
          .transactions as unknown[]
      ).length,
    ).toBe(0);
  });
});
