import { createHmac } from 'node:crypto';
import { signPurseWebhook, verifyPurseWebhook } from './webhooks';

describe('Purse webhook signature', () => {
  const body = '{"id":"evt_1","type":"PAYMENT_CAPTURE"}';

  it('is HMAC-SHA256 over "<t>.<raw body>" in t=…,v1=… form', () => {
    const expected = createHmac('sha256', 'secret').update(`1700000000.${body}`).digest('hex');
    expect(signPurseWebhook('secret', body, 1700000000)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies a good signature and refuses a tampered body, a wrong secret or an old timestamp', () => {
    const header = signPurseWebhook('secret', body, 1700000000);
    expect(verifyPurseWebhook('secret', body, header, 1700000010)).toBe(true);
    expect(verifyPurseWebhook('secret', `${body} `, header, 1700000010)).toBe(false);
    expect(verifyPurseWebhook('other', body, header, 1700000010)).toBe(false);
    expect(verifyPurseWebhook('secret', body, header, 1700001000)).toBe(false);
    expect(verifyPurseWebhook('secret', body, undefined)).toBe(false);
  });
});
