import { randomBytes } from 'node:crypto';
import { DataCipher, isEncrypted } from './encryption';
import {
  credentialsAreSealed,
  instrumentWithoutPin,
  openCredentials,
  openInstrument,
  openWebhookHeaders,
  openWebhookSecret,
  sealCredentials,
  sealInstrument,
  sealWebhookHeaders,
  sealWebhookSecret,
  webhookHeadersAreSealed,
} from './stored-secrets';

const OLD_KEY = { id: 'old', key: randomBytes(32) };
const OLD = new DataCipher([OLD_KEY]);
const cipher = new DataCipher([{ id: 'new', key: randomBytes(32) }, OLD_KEY]);

const CONNECT = {
  endpoint: 'http://127.0.0.1:4100',
  merchantId: 'tender-sim',
  apiKeyId: 'tender-sim-key',
  secretApiKey: 'tender-sim-secret',
  webhookKeyId: 'tender-sim-webhook-key',
  webhookSecret: 'tender-sim-webhook-secret',
  integrator: 'Tender',
  b2b: { username: 'tender', password: 'hunter2', retries: 3, nothing: null },
  tags: ['a', 'b'],
};

describe('partner credentials at rest', () => {
  it('encrypts the secret leaves only, keeping identifiers in clear (queryable)', () => {
    const sealed = sealCredentials(cipher, CONNECT);
    const text = JSON.stringify(sealed);
    for (const secret of ['tender-sim-secret', 'tender-sim-webhook-secret', 'hunter2']) {
      expect(text).not.toContain(secret);
    }
    expect(sealed).toMatchObject({
      endpoint: CONNECT.endpoint,
      merchantId: CONNECT.merchantId,
      apiKeyId: CONNECT.apiKeyId,
      webhookKeyId: CONNECT.webhookKeyId,
      b2b: { username: 'tender', nothing: null },
    });
    expect(isEncrypted(sealed.secretApiKey)).toBe(true);
    expect(isEncrypted((sealed.b2b as Record<string, unknown>).retries)).toBe(true);
    expect(openCredentials(cipher, sealed)).toEqual(CONNECT);
    expect(credentialsAreSealed(cipher, sealed)).toBe(true);
  });

  it('reads credentials stored in clear, and tells they need sealing', () => {
    expect(openCredentials(cipher, CONNECT)).toEqual(CONNECT);
    expect(openCredentials(cipher, null)).toEqual({});
    expect(credentialsAreSealed(cipher, CONNECT)).toBe(false);
  });

  it('re-seals values of an older key under the current one', () => {
    const old = sealCredentials(OLD, CONNECT);
    expect(credentialsAreSealed(cipher, old)).toBe(false);
    const resealed = sealCredentials(cipher, old);
    expect(credentialsAreSealed(cipher, resealed)).toBe(true);
    expect(openCredentials(cipher, resealed)).toEqual(CONNECT);
  });
});

describe('instruments and webhook secrets at rest', () => {
  it('encrypts the whole instrument', () => {
    const instrument = { card_number: '6000000000000001', pin: '1234' };
    const sealed = sealInstrument(cipher, instrument)!;
    expect(sealed).not.toContain('6000000000000001');
    expect(openInstrument(cipher, sealed)).toEqual(instrument);
    expect(openInstrument(cipher, instrument)).toEqual(instrument); // stored in clear before
    expect(sealInstrument(cipher, null)).toBeNull();
    expect(openInstrument(cipher, null)).toBeUndefined();
    expect(openInstrument(cipher, sealInstrument(OLD, instrument))).toEqual(instrument);
  });

  it('erases a PIN, keeping the rest encrypted', () => {
    const sealed = sealInstrument(cipher, { card_number: '6000000000000001', pin: '1234' });
    const erased = instrumentWithoutPin(cipher, sealed)!;
    expect(cipher.isCurrent(erased)).toBe(true);
    expect(openInstrument(cipher, erased)).toEqual({ card_number: '6000000000000001' });
    expect(instrumentWithoutPin(cipher, erased)).toBeUndefined();
    expect(instrumentWithoutPin(cipher, null)).toBeUndefined();
  });

  it('encrypts the webhook secret, bound to its column', () => {
    const sealed = sealWebhookSecret(cipher, 'whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(openWebhookSecret(cipher, sealed)).toBe('whsec_abc');
    expect(openWebhookSecret(cipher, 'whsec_abc')).toBe('whsec_abc');
    expect(() => openInstrument(cipher, sealed)).toThrow(
      /partner_transaction\.instrument: decryption failed/,
    );
  });
});

describe('merchant webhook header values at rest', () => {
  const webhook = {
    url: 'https://merchant.example/hook',
    headers: [
      { name: 'authorization', values: ['Bearer sk_live_1'] },
      { name: 'x-two', values: ['a', 'b'] },
    ],
  };

  it('encrypts the values of a webhook config and of a headers list, names and URL in clear', () => {
    const sealed = sealWebhookHeaders(cipher, webhook);
    expect(JSON.stringify(sealed)).not.toContain('sk_live_1');
    expect(sealed.url).toBe(webhook.url);
    expect(sealed.headers.map((h) => h.name)).toEqual(['authorization', 'x-two']);
    expect(webhookHeadersAreSealed(cipher, sealed)).toBe(true);
    expect(openWebhookHeaders(cipher, sealed)).toEqual(webhook);
    // Copied as they are into merchant_event.headers: the list opens with the same binding.
    expect(openWebhookHeaders(cipher, sealed.headers)).toEqual(webhook.headers);
    expect(sealWebhookHeaders(cipher, sealed)).toEqual(sealed); // already current: unchanged
  });

  it('reads values in clear, re-seals old keys, and leaves other shapes alone', () => {
    expect(openWebhookHeaders(cipher, webhook)).toEqual(webhook);
    expect(webhookHeadersAreSealed(cipher, webhook)).toBe(false);
    const old = sealWebhookHeaders(OLD, webhook);
    expect(webhookHeadersAreSealed(cipher, old)).toBe(false);
    expect(openWebhookHeaders(cipher, sealWebhookHeaders(cipher, old))).toEqual(webhook);
    for (const other of [null, undefined, { url: 'x' }, [{ name: 'n' }]]) {
      expect(sealWebhookHeaders(cipher, other)).toEqual(other);
      expect(webhookHeadersAreSealed(cipher, other)).toBe(true);
    }
  });
});
