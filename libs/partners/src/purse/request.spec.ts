import { PartnerRejectedError, type AuthorizeRequest } from '../adapter';
import { purseCredentials } from './client';
import { createPaymentBody } from './request';

const ENTITY = '5e3a0862-7cc3-4427-92ba-9e1e9595f571';
const credentials = purseCredentials({
  endpoint: 'http://127.0.0.1:4102',
  clientId: 'tender-sim-purse',
  clientSecret: 'secret',
  entityId: ENTITY,
});

function request(overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
  return {
    account: { partner: 'purse', credentials: {}, config: {} },
    idempotencyKey: 'tender-t1-authorize',
    timeoutMs: 1000,
    reference: 'tnd-1',
    paymentId: 'pay-1',
    tenderId: 't1',
    method: 'card',
    amount: 4299,
    currency: 'EUR',
    instrument: { token: 'purse-approve' },
    captureMode: 'MANUAL',
    allowFutureUsage: false,
    ...overrides,
  };
}

describe('Purse create-payment body', () => {
  it('holds a v2 split entry, with our token in order.additional_data', () => {
    expect(createPaymentBody(request(), credentials)).toEqual({
      entity_id: ENTITY,
      amount: 4299,
      currency: 'EUR',
      capture_mode: 'MANUAL',
      allow_future_usage: false,
      order: { reference: 'tnd-1', additional_data: { payment_method_tokens: ['purse-approve'] } },
      split: [{ partner: 'dalenys', method: 'creditcard', amount: 4299 }],
    });
  });

  it('sends the challenge indicator v2 requires with allow_future_usage, and none without', () => {
    expect(createPaymentBody(request({ allowFutureUsage: true }), credentials)).toMatchObject({
      allow_future_usage: true,
      three_ds_authentication_options: { challenge_indicator: 'CHALLENGE_REQUESTED_BY_MERCHANT' },
    });
    expect(createPaymentBody(request(), credentials)).not.toHaveProperty('three_ds_authentication_options');
  });

  it('reuses a parent payment as v2 spells it, with no token', () => {
    const body = createPaymentBody(
      request({
        instrument: { partner_token: 'p' },
        parentPartnerToken: 'a1b2c3d4-abcd-1234-a1b2-123456abcdef',
      }),
      credentials,
    );
    expect(body.split).toEqual([{ amount: 4299, parent_payment_id: 'a1b2c3d4-abcd-1234-a1b2-123456abcdef' }]);
    expect(body.order).toEqual({ reference: 'tnd-1' });
  });

  it('keeps only the customer and browser fields and enum values v2 defines', () => {
    const body = createPaymentBody(
      request({
        customer: {
          reference: 'c1',
          type: 'COMPANY',
          gender: 'FEMALE',
          email: 'emily@example.org',
          nickname: 'em',
          account: {
            purchase_count_last_day: 0,
            authentication_method: 'GUEST',
            age_indicator: 'MORE_60_DAYS',
            change_indicator: 'LESS_30_DAYS',
            loyalty_tier: 'gold',
          },
        },
        browser: { user_agent: 'UA', color_depth: 24, locale: 'fra', fingerprint: 'x', referrer: null },
      }),
      credentials,
    );
    expect(body.customer).toEqual({
      reference: 'c1',
      gender: 'FEMALE',
      email: 'emily@example.org',
      account: { purchase_count_last_day: 0, age_indicator: 'MORE_60_DAYS' },
    });
    expect(body.browser).toEqual({ user_agent: 'UA', color_depth: 24, locale: 'fra' });
  });

  it('leaves out a customer or browser with nothing v2 defines', () => {
    const body = createPaymentBody(
      request({ customer: { type: 'COMPANY' }, browser: { other: 1 } }),
      credentials,
    );
    expect(body).not.toHaveProperty('customer');
    expect(body).not.toHaveProperty('browser');
  });

  it('is the same body for the same request (a re-send under the same key must match)', () => {
    expect(createPaymentBody(request(), credentials)).toEqual(createPaymentBody(request(), credentials));
  });

  it('refuses an account without the entity UUID Purse provides', () => {
    const withoutEntity = { ...credentials, entityId: undefined };
    expect(() => createPaymentBody(request(), withoutEntity)).toThrow(PartnerRejectedError);
    expect(() => createPaymentBody(request(), withoutEntity)).toThrow(/entityId/);
    expect(() => purseCredentials({ ...credentials, entityId: 'tender-sim-purse' })).toThrow(/entityId/);
  });
});
