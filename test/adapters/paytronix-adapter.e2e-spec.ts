import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import {
  createPaytronixSimulator,
  PAYTRONIX_SIM_DEFAULTS,
  type PaytronixSimulator,
  type PaytronixSimulatorOptions,
} from '../../apps/simulators/src/paytronix';
import {
  createPartnerHttpClient,
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  type AuthorizeRequest,
  type OperationRequest,
  type PartnerAccountConfig,
} from '../../libs/partners/src';
import { PaytronixAdapter } from '../../libs/partners/src/paytronix';
import { parseExactJson, stringifyExactJson, Int64 } from '../../libs/partners/src/paytronix/client';

interface JournalEntry {
  transactionType: string;
  status: string;
  result: string;
  posTransactionId: string;
  pxTransactionId: number;
  addedQuantity: string;
  redeemedQuantity: string;
}

interface SimTransactions {
  transactions: JournalEntry[];
  declines: { errorCode: string; posTransactionId?: string }[];
  paymentIntents: { id: string; status: string; checkoutSessionId: string }[];
}

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${++sequence}`;

const CARD_100 = '6000000000000100';
const CARD_500 = '6000000000000500';
const CARD_EMPTY = '6000000000000000';
const CARD_INACTIVE = '6000000000009999';
const CARD_PARTIAL_25 = '6000000000000250';

describe('PaytronixAdapter against the Paytronix simulator (e2e)', () => {
  let sim: PaytronixSimulator;
  let server: RunningServer;
  const adapter = new PaytronixAdapter();

  async function start(options: PaytronixSimulatorOptions = {}) {
    sim = createPaytronixSimulator(options);
    server = await listen(sim.app);
  }

  async function stop() {
    sim.close();
    await server.close();
  }

  beforeEach(() => start());
  afterEach(stop);

  const account = (overrides: Record<string, unknown> = {}): PartnerAccountConfig => ({
    partner: 'paytronix',
    credentials: {
      endpoint: server.url,
      merchantId: 1,
      integration: {
        username: PAYTRONIX_SIM_DEFAULTS.integrationId,
        password: PAYTRONIX_SIM_DEFAULTS.integrationSecret,
      },
      b2b: { username: PAYTRONIX_SIM_DEFAULTS.username, password: PAYTRONIX_SIM_DEFAULTS.password },
      ccProcessorId: 1,
      storeCode: 'WEB',
      walletCode: 1,
      ...overrides,
    },
    config: {},
  });

  function giftCardRequest(
    cardNumber: string,
    amount: number,
    overrides: Partial<AuthorizeRequest> = {},
  ): AuthorizeRequest {
    const reference = unique('tnd');
    return {
      account: account(),
      idempotencyKey: `tender-${reference}-authorize`,
      timeoutMs: 5000,
      reference,
      paymentId: unique('pay'),
      tenderId: reference,
      method: 'giftcard',
      amount,
      currency: 'USD',
      instrument: { card_number: cardNumber },
      captureMode: 'MANUAL',
      allowFutureUsage: false,
      ...overrides,
    };
  }

  function cardRequest(amount: number, overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
    return giftCardRequest('', amount, {
      method: 'card',
      instrument: {},
      returnUrl: 'https://shop.example/return',
      ...overrides,
    });
  }

  function operation(
    authorization: AuthorizeRequest,
    partnerReference: string,
    amount: number,
    tender: Partial<OperationRequest['tender']> = {},
  ): OperationRequest {
    const reference = unique('leg');
    return {
      account: authorization.account,
      idempotencyKey: `tender-${reference}-op`,
      timeoutMs: 5000,
      reference,
      amount,
      currency: authorization.currency,
      tender: {
        tenderId: authorization.tenderId,
        reference: authorization.reference,
        method: authorization.method,
        partnerReference,
        authorizedAmount: authorization.amount,
        currency: authorization.currency,
        capturedBefore: 0,
        refundedBefore: 0,
        ...tender,
      },
    };
  }

  async function journal(reference: string): Promise<SimTransactions> {
    const response = await fetch(
      `${server.url}/_sim/paytronix/transactions?reference=${encodeURIComponent(reference)}`,
    );
    return (await response.json()) as SimTransactions;
  }

  async function balance(cardNumber: string): Promise<string> {
    return (
      (await (await fetch(`${server.url}/_sim/paytronix/cards/${cardNumber}`)).json()) as { balance: string }
    ).balance;
  }

  async function shopper(choice: 'complete' | 'cancel', checkoutSessionId: string): Promise<void> {
    const response = await fetch(`${server.url}/_sim/paytronix/checkout/${checkoutSessionId}/${choice}`, {
      method: 'POST',
    });
    expect(response.status).toBe(200);
  }

  describe('gift card: authorize', () => {
    it('redeems the amount at once and keeps pxTransactionId as a string', async () => {
      const request = giftCardRequest(CARD_100, 2550);
      const result = await adapter.authorize(request);
      expect(result).toMatchObject({
        outcome: 'AUTHORIZED',
        amount: 2550,
        currency: 'USD',
        partnerStatus: 'authorizedSuccess',
        card: { last_four_digits: '0100' },
      });
      expect(result.partnerReference).toMatch(/^\d+$/);
      expect(result.additionalData).toMatchObject({
        pxTransactionId: result.partnerReference,
        posTransactionId: request.reference,
      });
      expect(JSON.stringify(result)).not.toContain(CARD_100);
      expect(await balance(CARD_100)).toBe('74.50');
      const { transactions } = await journal(request.reference);
      expect(transactions).toEqual([
        expect.objectContaining({
          transactionType: 'addRedeem',
          redeemedQuantity: '25.50',
          status: 'posted',
        }),
      ]);
    });

    it('answers denied and userDataError as REFUSED with errorCode / errorMessage', async () => {
      expect(await adapter.authorize(giftCardRequest(CARD_EMPTY, 100))).toMatchObject({
        outcome: 'REFUSED',
        partnerStatus: 'transaction.insufficient_balance',
        partnerStatusDescription: 'Insufficient stored value balance',
      });
      expect(await adapter.authorize(giftCardRequest(CARD_INACTIVE, 100))).toMatchObject({
        outcome: 'REFUSED',
        partnerStatus: 'transaction.card_not_in_required_state',
      });
      expect(await adapter.authorize(giftCardRequest('6000000000001234', 100))).toMatchObject({
        outcome: 'REFUSED',
        partnerStatus: 'transaction.invalid_card_number',
      });
    });

    it('reverses a partial redemption (authorizedVariantSuccess) and answers REFUSED', async () => {
      const request = giftCardRequest(CARD_PARTIAL_25, 3000);
      const result = await adapter.authorize(request);
      expect(result).toMatchObject({ outcome: 'REFUSED', partnerStatus: 'authorizedVariantSuccess' });
      expect(result.partnerStatusDescription).toContain('25.00 of 30.00');
      expect(await balance(CARD_PARTIAL_25)).toBe('25.00');
      const { transactions } = await journal(request.reference);
      expect(transactions).toEqual([
        expect.objectContaining({
          transactionType: 'addRedeem',
          result: 'authorizedVariantSuccess',
          status: 'reversed',
        }),
      ]);
      // A later lookup agrees: the tender is refused, nothing is held.
      expect(await adapter.fetchAuthorization(request)).toMatchObject({
        outcome: 'REFUSED',
        partnerStatus: 'authorizedVariantSuccess',
      });
      // Within the balance, the same card is an ordinary approval.
      expect(await adapter.authorize(giftCardRequest(CARD_PARTIAL_25, 2000))).toMatchObject({
        outcome: 'AUTHORIZED',
      });
    });

    it('maps failure results: system errors are UnknownOutcomeError, authentication errors PartnerRejectedError', async () => {
      const wrongB2b = account({ b2b: { username: 'tender', password: 'nope' } });
      const rejected = await adapter
        .authorize(giftCardRequest(CARD_100, 100, { account: wrongB2b }))
        .catch((e: unknown) => e);
      expect(rejected).toBeInstanceOf(PartnerRejectedError);
      expect(rejected).toMatchObject({
        partnerStatus: 'authentication.invalid_b2b_credentials',
        httpStatus: 401,
      });
      expect((rejected as Error).message).not.toContain('nope');
      const wrongIntegration = account({ integration: { username: 'tender-sim', password: 'nope' } });
      await expect(
        adapter.authorize(giftCardRequest(CARD_100, 100, { account: wrongIntegration })),
      ).rejects.toMatchObject({
        name: 'PartnerRejectedError',
        partnerStatus: 'authentication.invalid_integration_credentials',
      });
      await stop();
      await start({ failureRate: 1 });
      const unknown = await adapter.authorize(giftCardRequest(CARD_100, 100)).catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(UnknownOutcomeError);
      expect((unknown as Error).message).toContain('transaction.server_error');
    });

    it('refuses currencies Paytronix cannot carry before sending anything', async () => {
      await expect(
        adapter.authorize(giftCardRequest(CARD_100, 100, { currency: 'JPY' })),
      ).rejects.toBeInstanceOf(PartnerRejectedError);
      const pinned = giftCardRequest(CARD_100, 100, {
        account: account({ currency: 'USD' }),
        currency: 'EUR',
      });
      await expect(adapter.authorize(pinned)).rejects.toMatchObject({
        partnerStatus: 'unsupported_currency',
      });
      await expect(adapter.authorize(giftCardRequest('12', 100))).rejects.toBeInstanceOf(
        PartnerRejectedError,
      );
      expect((await journal(pinned.reference)).declines).toHaveLength(0);
      expect(await balance(CARD_100)).toBe('100.00');
    });
  });

  describe('gift card: lost answers (no idempotency key)', () => {
    it('finds a debit whose answer was lost by posTransactionId: exactly one debit', async () => {
      const request = giftCardRequest(CARD_100, 1000);
      const lost = await adapter.authorize(request); // as if the answer never arrived
      const found = await adapter.fetchAuthorization(request);
      expect(found).toMatchObject({ outcome: 'AUTHORIZED', amount: 1000, currency: 'USD' });
      expect(found.partnerReference).toBe(lost.partnerReference);
      const { transactions } = await journal(request.reference);
      expect(transactions.filter((t) => t.transactionType === 'addRedeem')).toHaveLength(1);
      expect(await balance(CARD_100)).toBe('90.00');
      expect(await adapter.fetchAuthorization(giftCardRequest(CARD_100, 1000))).toEqual({
        outcome: 'NOT_FOUND',
      });
    });

    it('settles a timed-out redeem: UnknownOutcomeError, then found once by lookup', async () => {
      await stop();
      await start({ latency: { kind: 'fixed', ms: 300 } });
      const request = giftCardRequest(CARD_100, 1500);
      const error = await adapter.authorize({ ...request, timeoutMs: 100 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownOutcomeError);
      expect((error as Error).message).not.toContain(CARD_100);
      expect((error as Error).message).not.toContain(PAYTRONIX_SIM_DEFAULTS.password);
      expect((error as UnknownOutcomeError).cause).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 400)); // the simulator still debits
      const found = await adapter.fetchAuthorization({ ...request, timeoutMs: 3000 });
      expect(found).toMatchObject({ outcome: 'AUTHORIZED', amount: 1500 });
      const { transactions } = await journal(request.reference);
      expect(transactions).toHaveLength(1);
      expect(await balance(CARD_100)).toBe('85.00');
    });

    it('refuses a debit whose amount is not the one asked', async () => {
      const request = giftCardRequest(CARD_100, 1000);
      await adapter.authorize(request);
      await expect(adapter.fetchAuthorization({ ...request, amount: 1200 })).rejects.toBeInstanceOf(
        PartnerProtocolError,
      );
      await expect(
        adapter.fetchAuthorization({ ...request, instrument: { card_number: CARD_EMPTY } }),
      ).rejects.toBeInstanceOf(PartnerProtocolError);
    });
  });

  describe('gift card: operations', () => {
    it('captures without a call, releases part, refunds, each found again by the leg reference', async () => {
      const request = giftCardRequest(CARD_500, 10000);
      const { partnerReference } = await adapter.authorize(request);
      const release = operation(request, partnerReference!, 2000);
      const released = await adapter.void(release);
      expect(released).toMatchObject({ outcome: 'SUCCESS', amount: 2000, currency: 'USD' });
      expect(await balance(CARD_500)).toBe('420.00');

      const capture = operation(request, partnerReference!, 8000);
      expect(await adapter.capture(capture)).toMatchObject({ outcome: 'SUCCESS', amount: 8000 });
      expect(await adapter.fetchOperation('capture', capture)).toMatchObject({
        outcome: 'SUCCESS',
        amount: 8000,
      });

      const refund = operation(request, partnerReference!, 3000, { capturedBefore: 8000 });
      const refunded = await adapter.refund(refund);
      expect(refunded).toMatchObject({ outcome: 'SUCCESS', amount: 3000 });
      expect(await balance(CARD_500)).toBe('450.00');

      expect(await adapter.fetchOperation('void', release)).toMatchObject({
        outcome: 'SUCCESS',
        amount: 2000,
        partnerReference: released.partnerReference,
      });
      expect(await adapter.fetchOperation('refund', refund)).toMatchObject({
        outcome: 'SUCCESS',
        amount: 3000,
      });
      expect(await adapter.fetchOperation('refund', operation(request, partnerReference!, 100))).toEqual({
        outcome: 'NOT_FOUND',
      });
      await expect(adapter.fetchOperation('refund', { ...refund, amount: 3100 })).rejects.toBeInstanceOf(
        PartnerProtocolError,
      );
      // One journal entry per leg reference, and the tender's debit untouched.
      expect((await journal(release.reference)).transactions).toHaveLength(1);
      expect((await journal(refund.reference)).transactions).toHaveLength(1);
      expect((await journal(request.reference)).transactions[0].status).toBe('posted');
    });

    it('voids the whole debit by reversing it; the lookup then says CANCELLED', async () => {
      const request = giftCardRequest(CARD_100, 4000);
      const { partnerReference } = await adapter.authorize(request);
      const voidLeg = operation(request, partnerReference!, 4000);
      expect(await adapter.void(voidLeg)).toMatchObject({ outcome: 'SUCCESS', amount: 4000 });
      expect(await balance(CARD_100)).toBe('100.00');
      const { transactions } = await journal(voidLeg.reference);
      expect(transactions).toEqual([
        expect.objectContaining({ transactionType: 'reverse', addedQuantity: '40.00' }),
      ]);
      expect(await adapter.fetchOperation('void', voidLeg)).toMatchObject({
        outcome: 'SUCCESS',
        amount: 4000,
      });
      expect(await adapter.fetchAuthorization({ ...request, partnerReference })).toMatchObject({
        outcome: 'CANCELLED',
      });
      // Reversing twice is refused by Paytronix: a decline of the operation, not an exception.
      expect(await adapter.void(operation(request, partnerReference!, 4000))).toMatchObject({
        outcome: 'FAILED',
        partnerStatus: 'transaction.already_reversed',
      });
    });

    it('settles a void whose answer was lost by lookup, giving back only once', async () => {
      const request = giftCardRequest(CARD_100, 3000);
      const { partnerReference } = await adapter.authorize(request);
      const release = operation(request, partnerReference!, 1000);
      await adapter.void(release); // answer "lost"
      const found = await adapter.fetchOperation('void', release);
      expect(found).toMatchObject({ outcome: 'SUCCESS', amount: 1000 });
      expect((await journal(release.reference)).transactions).toHaveLength(1);
      expect(await balance(CARD_100)).toBe('80.00');
    });

    it('answers a declined give-back as FAILED, never an exception', async () => {
      const request = giftCardRequest(CARD_100, 3000);
      const { partnerReference } = await adapter.authorize(request);
      sim.state.cards[CARD_100].status = 'INACTIVE';
      expect(
        await adapter.refund(operation(request, partnerReference!, 1000, { capturedBefore: 3000 })),
      ).toMatchObject({ outcome: 'FAILED', partnerStatus: 'transaction.card_not_in_required_state' });
    });
  });

  describe('hosted checkout card', () => {
    it('sends the shopper to the hosted page, then authorizes, captures in full and finds the capture', async () => {
      const request = cardRequest(4250);
      const created = await adapter.authorize(request);
      expect(created).toMatchObject({ outcome: 'REQUIRES_ACTION' });
      expect(created.redirectUrl).toMatch(new RegExp(`^${server.url}/checkout/cs_sim_`));
      expect(created.partnerReference).toMatch(/^pi_sim_/);
      const checkoutSessionId = created.additionalData?.checkoutSessionId as string;
      const session = (await (
        await fetch(`${server.url}/_sim/paytronix/checkout-sessions/${checkoutSessionId}`)
      ).json()) as {
        amount: string;
        successUrl: string;
      };
      expect(session).toMatchObject({ amount: '42.50', successUrl: 'https://shop.example/return' });

      const lookup = { ...request, partnerReference: created.partnerReference };
      expect(await adapter.fetchAuthorization(lookup)).toMatchObject({ outcome: 'REQUIRES_ACTION' });
      await shopper('complete', checkoutSessionId);
      expect(await adapter.fetchAuthorization(lookup)).toMatchObject({
        outcome: 'AUTHORIZED',
        amount: 4250,
        currency: 'USD',
        partnerStatus: 'REQUIRES_CAPTURE',
        card: { last_four_digits: '4242', selected_network: 'VISA' },
      });

      const partial = operation(request, created.partnerReference!, 4000);
      await expect(adapter.capture(partial)).rejects.toMatchObject({
        name: 'PartnerRejectedError',
        partnerStatus: 'partial_capture_not_supported',
      });
      const capture = operation(request, created.partnerReference!, 4250);
      expect(await adapter.fetchOperation('capture', capture)).toEqual({ outcome: 'NOT_FOUND' });
      expect(await adapter.capture(capture)).toMatchObject({
        outcome: 'SUCCESS',
        amount: 4250,
        partnerStatus: 'SUCCEEDED',
      });
      // A capture re-sent after a lost answer: Paytronix refuses (invalid status), the intent says it is done.
      expect(await adapter.capture(capture)).toMatchObject({ outcome: 'SUCCESS', amount: 4250 });
      expect(await adapter.fetchOperation('capture', capture)).toMatchObject({ outcome: 'SUCCESS' });
      expect(await adapter.fetchOperation('void', capture)).toMatchObject({ outcome: 'FAILED' });
      await expect(
        adapter.refund({ ...capture, tender: { ...capture.tender, capturedBefore: 4250 } }),
      ).rejects.toMatchObject({
        name: 'PartnerRejectedError',
        partnerStatus: 'refund_not_supported',
      });
    });

    it('answers REFUSED when the shopper cancels, CANCELLED after a void', async () => {
      const cancelled = cardRequest(1000);
      const first = await adapter.authorize(cancelled);
      await shopper('cancel', first.additionalData?.checkoutSessionId as string);
      expect(
        await adapter.fetchAuthorization({ ...cancelled, partnerReference: first.partnerReference }),
      ).toMatchObject({
        outcome: 'REFUSED',
        partnerStatus: 'CANCELED',
      });

      const voided = cardRequest(1000);
      const second = await adapter.authorize(voided);
      await shopper('complete', second.additionalData?.checkoutSessionId as string);
      const voidLeg = operation(voided, second.partnerReference!, 1000);
      expect(await adapter.void(voidLeg)).toMatchObject({ outcome: 'SUCCESS', partnerStatus: 'CANCELED' });
      expect(await adapter.fetchOperation('void', voidLeg)).toMatchObject({ outcome: 'SUCCESS' });
      expect(
        await adapter.fetchAuthorization({ ...voided, partnerReference: second.partnerReference }),
      ).toMatchObject({
        outcome: 'CANCELLED',
      });
      const intents = (await journal(second.partnerReference!)).paymentIntents;
      expect(intents).toEqual([expect.objectContaining({ status: 'CANCELED' })]);
    });

    it('looks up nothing without an intent id, NOT_FOUND for an unknown one, and checks the amount', async () => {
      const request = cardRequest(1000);
      expect(await adapter.fetchAuthorization(request)).toEqual({ outcome: 'NOT_FOUND' });
      expect(await adapter.fetchAuthorization({ ...request, partnerReference: 'pi_sim_nope' })).toEqual({
        outcome: 'NOT_FOUND',
      });
      const created = await adapter.authorize(request);
      await shopper('complete', created.additionalData?.checkoutSessionId as string);
      await expect(
        adapter.fetchAuthorization({ ...request, amount: 1001, partnerReference: created.partnerReference }),
      ).rejects.toBeInstanceOf(PartnerProtocolError);
      await expect(
        adapter.authorize(cardRequest(1000, { account: account({ ccProcessorId: undefined }) })),
      ).rejects.toBeInstanceOf(PartnerRejectedError);
    });

    it('maps an injected failure to UnknownOutcomeError', async () => {
      await stop();
      await start({ failureRate: 1 });
      const error = await adapter.authorize(cardRequest(1000)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownOutcomeError);
      expect((error as Error).message).toContain('create_checkout_session.server_error');
    });
  });

  describe('64-bit journal ids', () => {
    it('parses and sends pxTransactionId without losing precision', () => {
      const parsed = parseExactJson('{"pxTransactionId": 9223372036854775807, "amount": 1}') as Record<
        string,
        unknown
      >;
      expect(parsed).toEqual({ pxTransactionId: '9223372036854775807', amount: 1 });
      expect(stringifyExactJson({ pxTransactionId: new Int64('9223372036854775807') })).toBe(
        '{"pxTransactionId":9223372036854775807}',
      );
    });

    it('keeps a big id from a real reply exact', async () => {
      const http = createPartnerHttpClient();
      http.interceptors.response.use((response) => {
        if (typeof response.data === 'string') {
          response.data = response.data.replace(
            /"pxTransactionId":\d+/,
            '"pxTransactionId":9007199254740993',
          );
        }
        return response;
      });
      const result = await new PaytronixAdapter({ http }).authorize(giftCardRequest(CARD_100, 100));
      expect(result.partnerReference).toBe('9007199254740993');
    });
  });
});
