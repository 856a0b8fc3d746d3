import {
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  type PartnerAccountConfig,
} from '../adapter';
import { createPaymentBody } from './payment-requests';
import { connectCredentials, type ConnectAnswer } from './client';
import {
  authorizationResult,
  captureResult,
  isRefundRefused,
  refundResult,
  throwCommonErrors,
  voidResultFromCancel,
} from './mapping';
import { fromConnectReference, toConnectIdempotenceKey, toConnectReference } from './references';

const money = (amount: number, currencyCode = 'EUR') => ({ amount, currencyCode });
const payment = (status: string, extra: Record<string, unknown> = {}) => ({
  id: 'P1',
  paymentOutput: {
    amountOfMoney: money(1000),
    references: { merchantReference: 'ref-1' },
    cardPaymentMethodSpecificOutput: {
      paymentProductId: 3,
      token: 'tok-1',
      authorisationCode: '123456',
      card: { cardNumber: '545454******5454', expiryDate: '0830' },
    },
  },
  status,
  statusOutput: { statusCode: 600, statusCategory: 'PENDING_MERCHANT', isAuthorized: true },
  ...extra,
});
const expected = { amount: 1000, currency: 'EUR', reference: 'ref-1' };
const answer = (status: number, body: unknown): ConnectAnswer<unknown> => ({ status, body, replayed: false });

describe('Connect status mapping', () => {
  it.each([
    ['PENDING_APPROVAL', 'AUTHORIZED'],
    ['PENDING_CAPTURE', 'AUTHORIZED'],
    ['CAPTURE_REQUESTED', 'AUTHORIZED'],
    ['PENDING_FRAUD_APPROVAL', 'PENDING_FRAUD_APPROVAL'],
    ['REDIRECTED', 'REQUIRES_ACTION'],
    ['REJECTED', 'REFUSED'],
    ['CANCELLED', 'CANCELLED'],
  ])('payment %s → %s', (status, outcome) => {
    expect(authorizationResult(payment(status), expected).outcome).toBe(outcome);
  });

  it('keeps the payment id, the status code, masked card data and the token of an authorization', () => {
    const result = authorizationResult(payment('PENDING_APPROVAL'), expected);
    expect(result).toEqual(
      expect.objectContaining({
        outcome: 'AUTHORIZED',
        partnerReference: 'P1',
        partnerStatus: '600',
        partnerStatusDescription: 'PENDING_APPROVAL',
        amount: 1000,
        currency: 'EUR',
        partnerToken: 'tok-1',
        card: {
          bin: '545454',
          last_four_digits: '5454',
          expiry_month: 8,
          expiry_year: 2030,
          payment_product_id: 3,
          selected_network: 'MASTERCARD',
        },
      }),
    );
    expect(result.additionalData).toEqual(
      expect.objectContaining({ connectStatus: 'PENDING_APPROVAL', authorisationCode: '123456' }),
    );
    expect(JSON.stringify(result.additionalData)).not.toContain('tok-1');
  });

  it('gives a redirect URL for a merchantAction and no token on a refusal', () => {
    const redirected = authorizationResult(payment('REDIRECTED'), expected, {
      merchantAction: { actionType: 'REDIRECT', redirectData: { redirectURL: 'https://acs.example/3ds' } },
    });
    expect(redirected).toEqual(
      expect.objectContaining({ outcome: 'REQUIRES_ACTION', redirectUrl: 'https://acs.example/3ds' }),
    );
    const refused = authorizationResult(
      payment('REJECTED', {
        statusOutput: {
          statusCode: 100,
          errors: [{ code: '430330', id: 'NOT_AUTHORISED', message: 'NOT AUTHORISED' }],
        },
      }),
      expected,
    );
    expect(refused).toEqual(
      expect.objectContaining({
        outcome: 'REFUSED',
        partnerStatus: '100',
        partnerStatusDescription: 'REJECTED: 430330 NOT_AUTHORISED: NOT AUTHORISED',
      }),
    );
    expect(refused.partnerToken).toBeUndefined();
  });

  it('treats CREATED / AUTHORIZATION_REQUESTED as not decided yet and an unknown status as a protocol error', () => {
    expect(() => authorizationResult(payment('CREATED'), expected)).toThrow(UnknownOutcomeError);
    expect(() => authorizationResult(payment('AUTHORIZATION_REQUESTED'), expected)).toThrow(
      UnknownOutcomeError,
    );
    expect(() =>
      authorizationResult(payment('SOMETHING_NEW', { statusOutput: { isAuthorized: false } }), expected),
    ).toThrow(PartnerProtocolError);
  });

  it('refuses an answer whose amount, currency or reference is not what we asked', () => {
    expect(() => authorizationResult(payment('PENDING_APPROVAL'), { ...expected, amount: 999 })).toThrow(
      PartnerProtocolError,
    );
    expect(() => authorizationResult(payment('PENDING_APPROVAL'), { ...expected, currency: 'USD' })).toThrow(
      PartnerProtocolError,
    );
    expect(() =>
      authorizationResult(payment('PENDING_APPROVAL'), { ...expected, reference: 'other' }),
    ).toThrow(PartnerProtocolError);
    expect(() =>
      captureResult({ id: 'C', captureOutput: { amountOfMoney: money(10) }, status: 'CAPTURED' }, 11, 'EUR'),
    ).toThrow(PartnerProtocolError);
    expect(() =>
      refundResult(
        { id: 'R', refundOutput: { amountOfMoney: money(10, 'USD') }, status: 'REFUNDED' },
        10,
        'EUR',
      ),
    ).toThrow(PartnerProtocolError);
  });

  it.each([
    ['CAPTURE_REQUESTED', 'PENDING'],
    ['CAPTURED', 'SUCCESS'],
    ['PAID', 'SUCCESS'],
    ['REJECTED_CAPTURE', 'FAILED'],
    ['CANCELLED', 'FAILED'],
    ['REVERSED', 'FAILED'],
  ])('capture %s → %s', (status, outcome) => {
    expect(
      captureResult({ id: 'C', captureOutput: { amountOfMoney: money(10) }, status }, 10, 'EUR').outcome,
    ).toBe(outcome);
  });

  it('keeps the capture id and status code of a pending capture', () => {
    const pending = captureResult(
      {
        id: 'C',
        captureOutput: { amountOfMoney: money(10) },
        status: 'CAPTURE_REQUESTED',
        statusOutput: { statusCode: 800 },
      },
      10,
      'EUR',
    );
    expect(pending).toEqual({
      outcome: 'PENDING',
      partnerReference: 'C',
      partnerStatus: '800',
      partnerStatusDescription: 'CAPTURE_REQUESTED',
      amount: 10,
      currency: 'EUR',
    });
  });

  it.each([
    ['REFUND_REQUESTED', 'PENDING'],
    ['REFUNDED', 'SUCCESS'],
    ['CAPTURED', 'SUCCESS'],
    ['PENDING_APPROVAL', 'PENDING'],
    ['CREATED', 'PENDING'],
    ['REJECTED', 'FAILED'],
    ['REJECTED_CAPTURE', 'FAILED'],
    ['CANCELLED', 'FAILED'],
  ])('refund %s → %s', (status, outcome) => {
    expect(
      refundResult({ id: 'R', refundOutput: { amountOfMoney: money(10) }, status }, 10, 'EUR').outcome,
    ).toBe(outcome);
  });

  it.each([
    ['CANCELLED', 'SUCCESS'],
    ['CAPTURE_REQUESTED', 'SUCCESS'],
    ['CAPTURED', 'SUCCESS'],
    ['PENDING_CAPTURE', 'PENDING'],
    ['REJECTED', 'FAILED'],
  ])('payment %s in the answer to our cancel → %s', (status, outcome) => {
    expect(voidResultFromCancel(payment(status), 400, 'EUR').outcome).toBe(outcome);
  });
});

describe('Connect error mapping', () => {
  it('1409 on a 409 is an unknown outcome; another 409 code is not', () => {
    expect(() => throwCommonErrors(answer(409, { errorId: 'x', errors: [{ code: '1409' }] }), 'x')).toThrow(
      UnknownOutcomeError,
    );
    expect(() =>
      throwCommonErrors(answer(409, { errorId: 'x', errors: [{ code: '1410' }] }), 'x'),
    ).not.toThrow();
  });

  it('400 and 403 are permanent rejections carrying the Connect code', () => {
    try {
      throwCommonErrors(
        answer(400, {
          errors: [{ code: '21000020', message: 'bad', propertyName: 'order.amountOfMoney.amount' }],
        }),
        'create',
      );
      throw new Error('not thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(PartnerRejectedError);
      expect((error as PartnerRejectedError).partnerStatus).toBe('21000020');
      expect((error as PartnerRejectedError).httpStatus).toBe(400);
      expect((error as Error).message).toContain('order.amountOfMoney.amount');
    }
    expect(() => throwCommonErrors(answer(403, { errors: [{ code: '9002' }] }), 'x')).toThrow(
      PartnerRejectedError,
    );
    expect(() => throwCommonErrors(answer(429, undefined), 'x')).toThrow(UnknownOutcomeError);
  });

  it("recognizes [002]'s refund refusal (404, code 300240) and nothing else", () => {
    const refusal = {
      errorId: 'x',
      errors: [{ code: '300240', message: 'GET_ORDERSTATUS ORDER NOT FOUND' }],
    };
    expect(isRefundRefused(answer(404, refusal))).toBe(true);
    expect(isRefundRefused(answer(400, refusal))).toBe(false);
    expect(isRefundRefused(answer(404, { errorId: 'x', errors: [{ code: '400300' }] }))).toBe(false);
    expect(isRefundRefused(answer(404, undefined))).toBe(false);
  });
});

describe('Connect references and request body', () => {
  const ids = [
    '0192f1c2-a3b4-7c8d-9e0f-112233445566',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
  ];

  it('fits a 32-hex tender or leg reference into the 30-character merchantReference, losslessly', () => {
    for (const ref of ids.map((id) => id.replace(/-/g, ''))) {
      const connect = toConnectReference(ref);
      expect(connect).toMatch(/^r[0-9a-z]{25}$/);
      expect(toConnectReference(ref)).toBe(connect);
      expect(fromConnectReference(connect)).toBe(ref);
    }
    expect(toConnectReference('short-ref')).toBe('short-ref');
    expect(fromConnectReference('short-ref')).toBe('short-ref');
    const other = toConnectReference('x'.repeat(40));
    expect(other).toHaveLength(30);
    expect(toConnectReference('x'.repeat(40))).toBe(other);
    // a short reference that looks compact is hashed, so decoding never turns it into another one
    const lookalike = `r${'0'.repeat(25)}`;
    expect(toConnectReference(lookalike)).not.toBe(lookalike);
    expect(toConnectReference(lookalike)).toHaveLength(30);
  });

  it('maps distinct 32-hex references to distinct merchantReferences', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i += 1) {
      const hex = (BigInt(i) * 0x9e3779b97f4a7c15f39cc0605cedc834n).toString(16).padStart(32, '0').slice(-32);
      const connect = toConnectReference(hex);
      expect(fromConnectReference(connect)).toBe(hex);
      seen.add(connect);
    }
    expect(seen.size).toBe(2000);
  });

  it("derives Connect idempotence keys of at most 40 ASCII characters from the dispatcher's keys", () => {
    const id = ids[0];
    const authorize = toConnectIdempotenceKey(`tender-${id}-authorize`);
    expect(authorize).toBe(`${toConnectReference(id.replace(/-/g, '')).slice(1)}-authorize`);
    expect(authorize).toHaveLength(35);
    // deterministic: a re-run sends the same key
    expect(toConnectIdempotenceKey(`tender-${id}-authorize`)).toBe(authorize);

    // the steps the adapter uses with each operation
    const steps: Record<string, Array<string | undefined>> = {
      authorize: [undefined, 'pc'],
      capture: [undefined],
      void: [undefined],
      refund: [undefined, 'approve', 'r1', 'r4'],
    };
    const keys = ids.flatMap((uuid) =>
      Object.entries(steps).flatMap(([operation, list]) =>
        list.map((step) => toConnectIdempotenceKey(`tender-${uuid}-${operation}`, step)),
      ),
    );
    for (const key of keys) {
      expect(key.length).toBeLessThanOrEqual(40);
      expect(key).toMatch(/^[\x21-\x7e]+$/);
      expect(key.startsWith('h-')).toBe(false); // all of ours keep the lossless form
    }
    expect(new Set(keys).size).toBe(keys.length);
    expect(toConnectIdempotenceKey(`tender-${id}-refund`, 'r1')).toMatch(/^[0-9a-z]{25}-refund-r1$/);
  });

  it('hashes any other key into 40 characters, apart from the compact form', () => {
    const key = toConnectIdempotenceKey('some-other-client-key-that-is-far-too-long-for-connect');
    expect(key).toMatch(/^h-[0-9a-f]{38}$/);
    expect(toConnectIdempotenceKey('some-other-client-key-that-is-far-too-long-for-connect')).toBe(key);
    expect(toConnectIdempotenceKey('short')).toMatch(/^h-[0-9a-f]{38}$/);
    expect(toConnectIdempotenceKey('short', 'pc')).not.toBe(toConnectIdempotenceKey('short'));
    expect(toConnectIdempotenceKey('tender-not-a-uuid-authorize')).toMatch(/^h-/);
  });

  const base = {
    account: { partner: 'connect', credentials: {}, config: {} },
    idempotencyKey: 'k',
    timeoutMs: 1000,
    reference: 'ref-1',
    paymentId: 'pay',
    tenderId: 'ten',
    method: 'card',
    amount: 1000,
    currency: 'EUR',
    instrument: { token: 'connect-approve' },
    captureMode: 'MANUAL' as const,
    allowFutureUsage: false,
  };

  it('builds a manual-capture pre-authorization with our reference, the token of the instrument or of the parent', () => {
    const body = createPaymentBody(base);
    expect(body).toEqual({
      order: {
        amountOfMoney: { amount: 1000, currencyCode: 'EUR' },
        references: { merchantReference: 'ref-1' },
      },
      cardPaymentMethodSpecificInput: {
        token: 'connect-approve',
        requiresApproval: true,
        authorizationMode: 'PRE_AUTHORIZATION',
      },
    });
    expect(createPaymentBody(base)).toEqual(body); // deterministic: the idempotent re-POST must be identical
    const mit = createPaymentBody({
      ...base,
      instrument: { partner_token: 'tok-parent' },
      parentPartnerToken: 'tok-parent',
    });
    expect(mit.cardPaymentMethodSpecificInput).toEqual(
      expect.objectContaining({ token: 'tok-parent', unscheduledCardOnFileRequestor: 'merchantInitiated' }),
    );
    expect(() => createPaymentBody({ ...base, instrument: {} })).toThrow(PartnerRejectedError);
    const ours = '0192f1c2a3b47c8d9e0f112233445566';
    expect(createPaymentBody({ ...base, reference: ours }).order?.references?.merchantReference).toBe(
      toConnectReference(ours),
    );
  });

  it('checks the credentials without echoing them', () => {
    const account = (credentials: Record<string, unknown>): PartnerAccountConfig => ({
      partner: 'connect',
      credentials,
      config: {},
    });
    const good = {
      endpoint: 'http://127.0.0.1:4101/',
      merchantId: '1000',
      apiKeyId: 'k',
      secretApiKey: 'super-secret',
    };
    expect(connectCredentials(account(good))).toEqual(
      expect.objectContaining({ endpoint: 'http://127.0.0.1:4101', integrator: 'Tender' }),
    );
    expect(() => connectCredentials(account({ ...good, endpoint: 'http://host/v1' }))).toThrow(
      PartnerRejectedError,
    );
    try {
      connectCredentials(account({ ...good, secretApiKey: 42 }));
    } catch (error) {
      expect((error as Error).message).not.toContain('42');
    }
    expect(() => connectCredentials(account({ ...good, apiKeyId: undefined }))).toThrow(
      /apiKeyId is missing/,
    );
  });
});
