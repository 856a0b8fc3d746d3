import { SV_WALLET_CODE, type GiftCard, type PaytronixBooks, type SvTransaction } from './books';
import { formatCents, parseDecimal } from './money';
import { TxError, txSuccess, type Reply } from './replies';

/**
 * Transaction Service (stored value), `POST /rest/{release}/transaction/<name>.json`:
 *
 * - balanceInquiry  `{headerInfo, cardInfo}` → TransactionReply with svCurrentBalance.
 * - addRedeem       `{headerInfo, cardInfo, addWalletContents[], redeemWalletContents[], autoActivateCard?}`;
 *                   wallet entries `{walletCode: 1, quantity: "12.34"}`; value moves at once (no hold).
 *                   **No idempotency and no duplicate check**: the same redeem twice debits twice.
 * - voidAddRedeem   the original addRedeem body again (same headerInfo.posTransactionId, cardInfo and
 *                   wallet lists), or `pxTransactionId`; undoes the latest matching posted addRedeem.
 * - reverse         `{headerInfo, pxTransactionId | previousPosTransactionId | (pxAuthCode + cardInfo)}`;
 *                   full reversal only, of an addRedeem from the last 7 days; by previousPosTransactionId
 *                   the latest posted addRedeem with that id is reversed.
 * - transactionHistory `{headerInfo, posTransactionId?, cardInfo?, startDate?, endDate?}` → posted
 *                   journal entries; `posTransactionId` (top level, not the headerInfo one, which is the
 *                   history call's own check number) finds what a lost redeem did.
 */
export interface TxContext {
  now: Date;
  /** When set, headerInfo.merchantId must equal it. */
  merchantId?: number;
}

interface HeaderInfo {
  merchantId: number;
  storeCode: string;
  operatorId: string;
  senderId: string;
  programId: string;
  terminalId: string;
  posTransactionId: string;
  datetime?: string;
  posTransactionDatetime?: string;
}

type Body = Record<string, unknown>;

const REVERSE_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request's headerInfo; the digest's transcription (T) lists these fields as required. */
export function parseHeaderInfo(body: Body, ctx: TxContext): HeaderInfo {
  const header = body.headerInfo;
  if (!isObject(header)) throw new TxError('invalidInput', 'headerInfo is required');
  const pos = typeof header.posTransactionId === 'string' ? header.posTransactionId : undefined;
  const fail = (detail: string) => new TxError('invalidInput', detail);
  if (!Number.isInteger(header.merchantId)) throw fail('headerInfo.merchantId must be an integer');
  for (const field of ['storeCode', 'operatorId', 'senderId', 'terminalId', 'posTransactionId'] as const) {
    if (typeof header[field] !== 'string' || header[field].length === 0)
      throw fail(`headerInfo.${field} is required`);
  }
  if (pos !== undefined && pos.length > 255)
    throw fail('headerInfo.posTransactionId is longer than 255 characters');
  if (!['LP', 'SV', 'CH', 'PX'].includes(header.programId as string)) {
    throw fail('headerInfo.programId must be LP, SV, CH or PX');
  }
  if (ctx.merchantId !== undefined && header.merchantId !== ctx.merchantId) {
    throw new TxError('invalidMerchantId');
  }
  return header as unknown as HeaderInfo;
}

function cardNumberOf(body: Body): string {
  const cardInfo = body.cardInfo;
  if (!isObject(cardInfo) || typeof cardInfo.printedCardNumber !== 'string' || !cardInfo.printedCardNumber) {
    throw new TxError('invalidInput', 'cardInfo.printedCardNumber is required');
  }
  return cardInfo.printedCardNumber;
}

function findCard(books: PaytronixBooks, body: Body): GiftCard {
  const card = books.state.cards[cardNumberOf(body)];
  if (!card) throw new TxError('invalidCardNumber');
  return card;
}

function requireActive(card: GiftCard): void {
  if (card.status !== 'ACTIVE') throw new TxError('cardNotActive');
}

/** Total of a wallet list, cents; only the stored-value wallet (code 1) exists here. */
function walletTotal(body: Body, field: 'addWalletContents' | 'redeemWalletContents'): number {
  const list = body[field] ?? [];
  if (!Array.isArray(list)) throw new TxError('invalidInput', `${field} must be a list`);
  let total = 0;
  list.forEach((entry: unknown, index) => {
    if (!isObject(entry)) throw new TxError('invalidInput', `${field}[${index}] must be an object`);
    if (entry.walletCode !== SV_WALLET_CODE && entry.walletCode !== String(SV_WALLET_CODE)) {
      throw new TxError(
        'invalidWalletCode',
        `${field}[${index}].walletCode: only ${SV_WALLET_CODE} (stored value)`,
      );
    }
    const cents = parseDecimal(entry.quantity);
    if (cents === undefined || cents <= 0) {
      throw new TxError(
        'invalidAmount',
        `${field}[${index}].quantity must be a positive Decimal like "12.34"`,
      );
    }
    total += cents;
  });
  return total;
}

function wallets(cents: number): { walletCode: number; quantity: string }[] {
  return cents > 0 ? [{ walletCode: SV_WALLET_CODE, quantity: formatCents(cents) }] : [];
}

function cardPart(card: GiftCard, previousCents: number): Record<string, unknown> {
  return {
    printedCardNumber: card.printedCardNumber,
    maskedCardNumber: card.printedCardNumber.slice(-6),
    cardTemplateCode: card.cardTemplateCode,
    cardTemplateName: card.cardTemplateName,
    isRegistered: false,
    svriFlag: true,
    svPreviousBalance: formatCents(previousCents),
    svCurrentBalance: formatCents(card.balanceCents),
    svTransactionAmount: formatCents(card.balanceCents - previousCents),
  };
}

function transactionReply(transaction: SvTransaction, card: GiftCard): Reply {
  return {
    ...txSuccess(transaction.result === 'authorizedVariantSuccess'),
    posTransactionId: transaction.posTransactionId,
    ...cardPart(card, transaction.previousBalanceCents),
    pxTransactionId: transaction.pxTransactionId,
    pxAuthCode: transaction.pxAuthCode,
  };
}

interface WalletChange {
  name: string;
  /** 1 Add, 2 Subtract, 3 Void add, 4 Void subtract. */
  operationType: 1 | 2 | 3 | 4;
  walletCode: number;
  quantity: string;
}

function changedWalletContents(addedCents: number, redeemedCents: number, voiding: boolean): WalletChange[] {
  const change = (
    name: string,
    operationType: WalletChange['operationType'],
    cents: number,
  ): WalletChange => ({
    name,
    operationType,
    walletCode: SV_WALLET_CODE,
    quantity: formatCents(cents),
  });
  const changes: WalletChange[] = [];
  if (addedCents > 0) changes.push(change('Stored Value Earned', voiding ? 3 : 1, addedCents));
  if (redeemedCents > 0) changes.push(change('Stored Value Used', voiding ? 4 : 2, redeemedCents));
  return changes;
}

function headerFields(header: HeaderInfo) {
  return {
    posTransactionId: header.posTransactionId,
    posTransactionDatetime: header.posTransactionDatetime,
    storeCode: header.storeCode,
    terminalId: header.terminalId,
    operatorId: header.operatorId,
  };
}

export function balanceInquiry(books: PaytronixBooks, body: Body, ctx: TxContext): Reply {
  const header = parseHeaderInfo(body, ctx);
  const card = findCard(books, body);
  requireActive(card);
  const { pxTransactionId, pxAuthCode } = books.nextIds();
  return {
    ...txSuccess(),
    posTransactionId: header.posTransactionId,
    ...cardPart(card, card.balanceCents),
    pxTransactionId,
    pxAuthCode,
  };
}

export function addRedeem(books: PaytronixBooks, body: Body, ctx: TxContext): Reply {
  const header = parseHeaderInfo(body, ctx);
  const card = findCard(books, body);
  const addCents = walletTotal(body, 'addWalletContents');
  const redeemCents = walletTotal(body, 'redeemWalletContents');
  if (addCents === 0 && redeemCents === 0) {
    throw new TxError('invalidInput', 'addWalletContents or redeemWalletContents must hold a quantity');
  }
  if (card.status !== 'ACTIVE' && body.autoActivateCard === true) card.status = 'ACTIVE';
  requireActive(card);
  const available = card.balanceCents + addCents;
  let redeemed = redeemCents;
  if (redeemCents > available) {
    if (!card.partialRedeem || available === 0) {
      throw new TxError('insufficientBalance', undefined, {
        printedCardNumber: card.printedCardNumber,
        svCurrentBalance: formatCents(card.balanceCents),
      });
    }
    redeemed = available;
  }
  const previous = card.balanceCents;
  card.balanceCents = previous + addCents - redeemed;
  const transaction = books.post({
    ...books.nextIds(),
    type: 'addRedeem',
    result: redeemed < redeemCents ? 'authorizedVariantSuccess' : 'authorizedSuccess',
    datetime: ctx.now.toISOString(),
    printedCardNumber: card.printedCardNumber,
    ...headerFields(header),
    requestedAddCents: addCents,
    requestedRedeemCents: redeemCents,
    addedCents: addCents,
    redeemedCents: redeemed,
    previousBalanceCents: previous,
    balanceCents: card.balanceCents,
    status: 'posted',
  });
  return {
    ...transactionReply(transaction, card),
    addWalletContents: wallets(addCents),
    redeemWalletContents: wallets(redeemed),
    changedWalletContents: changedWalletContents(addCents, redeemed, false),
  };
}

/** Undoes a posted addRedeem (void or reverse): the card gets back what it gave and loses what it got. */
function undo(
  books: PaytronixBooks,
  original: SvTransaction,
  type: 'voidAddRedeem' | 'reverse',
  header: HeaderInfo,
  ctx: TxContext,
): { transaction: SvTransaction; card: GiftCard } {
  if (original.status !== 'posted') throw new TxError('alreadyReversed');
  const card = books.state.cards[original.printedCardNumber];
  const previous = card.balanceCents;
  const next = previous - original.addedCents + original.redeemedCents;
  if (next < 0) {
    throw new TxError(
      'insufficientBalance',
      'The value added by the original transaction was already spent',
      {
        svCurrentBalance: formatCents(previous),
      },
    );
  }
  card.balanceCents = next;
  const transaction = books.post({
    ...books.nextIds(),
    type,
    result: 'authorizedSuccess',
    datetime: ctx.now.toISOString(),
    printedCardNumber: card.printedCardNumber,
    ...headerFields(header),
    requestedAddCents: 0,
    requestedRedeemCents: 0,
    addedCents: original.redeemedCents,
    redeemedCents: original.addedCents,
    previousBalanceCents: previous,
    balanceCents: next,
    status: 'posted',
    originalPxTransactionId: original.pxTransactionId,
  });
  original.status = type === 'reverse' ? 'reversed' : 'voided';
  original.undoneByPxTransactionId = transaction.pxTransactionId;
  return { transaction, card };
}

export function voidAddRedeem(books: PaytronixBooks, body: Body, ctx: TxContext): Reply {
  const header = parseHeaderInfo(body, ctx);
  const card = findCard(books, body);
  const addCents = walletTotal(body, 'addWalletContents');
  const redeemCents = walletTotal(body, 'redeemWalletContents');
  let original: SvTransaction | undefined;
  if (body.pxTransactionId !== undefined) {
    original = books.transaction(body.pxTransactionId);
    if (
      original &&
      (original.type !== 'addRedeem' || original.printedCardNumber !== card.printedCardNumber)
    ) {
      original = undefined;
    }
  } else {
    const matching = books
      .byPosTransactionId(header.posTransactionId)
      .filter(
        (t) =>
          t.type === 'addRedeem' &&
          t.printedCardNumber === card.printedCardNumber &&
          t.requestedAddCents === addCents &&
          t.requestedRedeemCents === redeemCents,
      );
    original = matching.filter((t) => t.status === 'posted').pop() ?? matching.pop();
  }
  if (!original) throw new TxError('transactionNotFound');
  const { transaction, card: after } = undo(books, original, 'voidAddRedeem', header, ctx);
  return {
    ...transactionReply(transaction, after),
    addWalletContents: wallets(original.addedCents),
    redeemWalletContents: wallets(original.redeemedCents),
    changedWalletContents: changedWalletContents(original.addedCents, original.redeemedCents, true),
  };
}

export function reverse(books: PaytronixBooks, body: Body, ctx: TxContext): Reply {
  const header = parseHeaderInfo(body, ctx);
  let original: SvTransaction | undefined;
  if (body.pxTransactionId !== undefined) {
    original = books.transaction(body.pxTransactionId);
  } else if (typeof body.previousPosTransactionId === 'string') {
    const candidates = books
      .byPosTransactionId(body.previousPosTransactionId)
      .filter((t) => t.type === 'addRedeem');
    original = candidates.filter((t) => t.status === 'posted').pop() ?? candidates.pop();
  } else if (typeof body.pxAuthCode === 'string') {
    const cardNumber = cardNumberOf(body);
    original = Object.values(books.state.transactions)
      .filter((t) => t.pxAuthCode === body.pxAuthCode && t.printedCardNumber === cardNumber)
      .pop();
  } else {
    throw new TxError(
      'invalidInput',
      'pxTransactionId, previousPosTransactionId or pxAuthCode with cardInfo is required',
    );
  }
  if (!original || original.type !== 'addRedeem') throw new TxError('transactionNotFound');
  if (ctx.now.getTime() - Date.parse(original.datetime) > REVERSE_WINDOW_MS) {
    throw new TxError('reversePeriodExpired');
  }
  const { transaction, card } = undo(books, original, 'reverse', header, ctx);
  return transactionReply(transaction, card);
}

/** A journal entry as transactionHistory answers it. */
export function historyEntry(transaction: SvTransaction): Reply {
  return {
    result: transaction.result,
    pxTransactionId: transaction.pxTransactionId,
    pxAuthCode: transaction.pxAuthCode,
    transactionType: transaction.type,
    status: transaction.status,
    datetime: transaction.datetime,
    printedCardNumber: transaction.printedCardNumber,
    posTransactionId: transaction.posTransactionId,
    storeCode: transaction.storeCode,
    terminalId: transaction.terminalId,
    addedQuantity: formatCents(transaction.addedCents),
    redeemedQuantity: formatCents(transaction.redeemedCents),
    svTransactionAmount: formatCents(transaction.addedCents - transaction.redeemedCents),
    svPreviousBalance: formatCents(transaction.previousBalanceCents),
    svCurrentBalance: formatCents(transaction.balanceCents),
    ...(transaction.originalPxTransactionId !== undefined
      ? { originalPxTransactionId: transaction.originalPxTransactionId }
      : {}),
    ...(transaction.undoneByPxTransactionId !== undefined
      ? { undoneByPxTransactionId: transaction.undoneByPxTransactionId }
      : {}),
  };
}

function parseDate(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new TxError('invalidInput', `${field} must be yyyy-mm-dd`);
  }
  return value;
}

export function transactionHistory(books: PaytronixBooks, body: Body, ctx: TxContext): Reply {
  const header = parseHeaderInfo(body, ctx);
  const searched = typeof body.posTransactionId === 'string' ? body.posTransactionId : undefined;
  const card = body.cardInfo !== undefined ? findCard(books, body) : undefined;
  if (searched === undefined && !card) {
    throw new TxError('invalidInput', 'posTransactionId or cardInfo is required');
  }
  const startDate = parseDate(body.startDate, 'startDate');
  const endDate = parseDate(body.endDate, 'endDate');
  let entries =
    searched !== undefined ? books.byPosTransactionId(searched) : Object.values(books.state.transactions);
  if (card) entries = entries.filter((t) => t.printedCardNumber === card.printedCardNumber);
  if (startDate) entries = entries.filter((t) => t.datetime.slice(0, 10) >= startDate);
  if (endDate) entries = entries.filter((t) => t.datetime.slice(0, 10) <= endDate);
  return {
    ...txSuccess(),
    posTransactionId: header.posTransactionId,
    ...(card
      ? { printedCardNumber: card.printedCardNumber, svCurrentBalance: formatCents(card.balanceCents) }
      : {}),
    transactions: entries.sort((a, b) => a.pxTransactionId - b.pxTransactionId).map(historyEntry),
  };
}
