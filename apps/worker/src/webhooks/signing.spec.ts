import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { standardWebhookHeaders } from './signing';

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

describe('Standard Webhooks signing', () => {
  const body = JSON.stringify({
    id: 'evt',
    type: 'PAYMENT_AUTHORIZATION',
    data: { amount: 1000, note: 'é' },
  });
  const id = '0190a8e4-0000-7000-8000-000000000001';

  it('is verified by the standardwebhooks library', () => {
    const key = secret();
    const headers = standardWebhookHeaders([key], id, new Date(), body);
    expect(new Webhook(key).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('is the documented HMAC: v1,base64(HMAC-SHA256(base64-decoded key, "id.timestamp.body"))', () => {
    const key = secret();
    const at = new Date('2026-01-02T03:04:05.678Z');
    const headers = standardWebhookHeaders([key], id, at, body);
    const expected = createHmac('sha256', Buffer.from(key.slice('whsec_'.length), 'base64'))
      .update(`${id}.${Math.floor(at.getTime() / 1000)}.${body}`)
      .digest('base64');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('signs with every active secret, each verifying on its own; a tampered body verifies with none', () => {
    const [current, previous, other] = [secret(), secret(), secret()];
    const headers = standardWebhookHeaders([current, previous], id, new Date(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(other).verify(body, headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(current).verify(body.replace('1000', '9000'), headers)).toThrow();
  });
});
