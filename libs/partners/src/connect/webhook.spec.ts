import { WebhookVerificationError, type PartnerAccountConfig } from '../adapter';
import { toConnectReference } from './references';
import { verifyConnectWebhook, webhookSignature } from './webhook';

const account = (keyId = 'wh-key', secret = 'wh-secret'): PartnerAccountConfig => ({
  partner: 'connect',
  credentials: { webhookKeyId: keyId, webhookSecret: secret },
  config: {},
});

function signed(body: string, secret = 'wh-secret', keyId = 'wh-key') {
  return { 'x-gcs-signature': webhookSignature(body, secret), 'x-gcs-keyid': keyId };
}

function expectRejection(fn: () => unknown, status: 400 | 401) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).status).toBe(status);
    return;
  }
  throw new Error('expected a WebhookVerificationError');
}

describe('Connect webhook verification', () => {
  it('matches the SDK test vector (digest §8.1), byte for byte', () => {
    const event = {
      apiVersion: 'v1',
      id: '8ee793f6-4553-4749-85dc-f2ef095c5ab0',
      created: '2017-02-02T11:24:14.040+0100',
      merchantId: '20000',
      type: 'payment.paid',
      payment: {
        id: '00000200000143570012',
        paymentOutput: {
          amountOfMoney: { amount: 1000, currencyCode: 'EUR' },
          references: { paymentReference: '200001681810' },
          paymentMethod: 'bankTransfer',
          bankTransferPaymentMethodSpecificOutput: { paymentProductId: 11 },
        },
        status: 'PAID',
        statusOutput: {
          isCancellable: false,
          statusCategory: 'COMPLETED',
          statusCode: 1000,
          statusCodeChangeDateTime: '20170202112414',
          isAuthorized: true,
        },
      },
    };
    const body = JSON.stringify(event, null, 2);
    expect(webhookSignature(body, 'hello+world')).toBe('2S7doBj/GnJnacIjSJzr5fxGM5xmfQyFAwxv1I53ZEk=');
    expect(webhookSignature(`${body}\n`, 'hello+world')).toBe('iD0beEVLCQJBn/WfBeAaLpahd8Z6msSEbJguxEa+BXU=');

    const verified = verifyConnectWebhook(
      Buffer.from(body),
      { 'X-GCS-Signature': '2S7doBj/GnJnacIjSJzr5fxGM5xmfQyFAwxv1I53ZEk=', 'X-GCS-KeyId': 'dummy-key-id' },
      account('dummy-key-id', 'hello+world'),
    );
    expect(verified).toEqual({
      eventId: '8ee793f6-4553-4749-85dc-f2ef095c5ab0',
      type: 'payment.paid',
      partnerReference: '00000200000143570012',
      payload: event,
    });
  });

  it('returns the payment id and our merchantReference for a payment event', () => {
    const body = JSON.stringify({
      apiVersion: 'v1',
      id: 'e1',
      type: 'payment.pending_approval',
      payment: { id: 'P1', paymentOutput: { references: { merchantReference: 'tender-ref' } } },
    });
    expect(verifyConnectWebhook(Buffer.from(body), signed(body), account())).toEqual(
      expect.objectContaining({ eventId: 'e1', partnerReference: 'P1', reference: 'tender-ref' }),
    );
  });

  it('decodes the compact merchantReference of a payment event back to our tender reference', () => {
    const tender = '0192f1c2a3b47c8d9e0f112233445566';
    const body = JSON.stringify({
      id: 'e4',
      type: 'payment.captured',
      payment: { id: 'P2', paymentOutput: { references: { merchantReference: toConnectReference(tender) } } },
    });
    expect(verifyConnectWebhook(Buffer.from(body), signed(body), account())).toEqual(
      expect.objectContaining({ eventId: 'e4', partnerReference: 'P2', reference: tender }),
    );
  });

  it('returns the refund id and our leg reference (decoded) for a refund event', () => {
    const leg = '0192f1c2a3b47c8d9e0f112233445566';
    const body = JSON.stringify({
      id: 'e2',
      type: 'refund.refund_requested',
      refund: {
        id: 'R1',
        refundOutput: { references: { merchantReference: toConnectReference(leg) } },
      },
    });
    expect(verifyConnectWebhook(Buffer.from(body), signed(body), account())).toEqual(
      expect.objectContaining({
        eventId: 'e2',
        type: 'refund.refund_requested',
        partnerReference: 'R1',
        reference: leg,
      }),
    );
  });

  it('rejects a tampered body, a wrong key id, a wrong secret and missing headers with 401', () => {
    const body = JSON.stringify({ id: 'e3', type: 'payment.captured', payment: { id: 'P' } });
    const headers = signed(body);
    expectRejection(() => verifyConnectWebhook(Buffer.from(body.replace('P', 'Q')), headers, account()), 401);
    expectRejection(
      () => verifyConnectWebhook(Buffer.from(body), { ...headers, 'x-gcs-keyid': 'other' }, account()),
      401,
    );
    expectRejection(
      () => verifyConnectWebhook(Buffer.from(body), signed(body, 'not-the-secret'), account()),
      401,
    );
    expectRejection(
      () => verifyConnectWebhook(Buffer.from(body), { 'x-gcs-keyid': 'wh-key' }, account()),
      401,
    );
    expectRejection(
      () =>
        verifyConnectWebhook(Buffer.from(body), { 'x-gcs-signature': headers['x-gcs-signature'] }, account()),
      401,
    );
    expectRejection(
      () =>
        verifyConnectWebhook(Buffer.from(body), headers, { partner: 'connect', credentials: {}, config: {} }),
      401,
    );
  });

  it('rejects a correctly signed body that is not a JSON event with 400', () => {
    for (const body of [
      '{not json',
      '[1,2]',
      JSON.stringify({ type: 'x' }),
      JSON.stringify({ id: 'e', type: 't', apiVersion: 'v2' }),
    ]) {
      expectRejection(() => verifyConnectWebhook(Buffer.from(body), signed(body), account()), 400);
    }
  });
});
