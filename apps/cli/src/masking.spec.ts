import { DEMO_PARTNER_ACCOUNTS } from './demo';
import { MASK, maskCredentials } from './masking';

describe('maskCredentials', () => {
  it('masks secrets and unknown keys, keeps endpoints, ids and user names', () => {
    expect(
      maskCredentials({
        endpoint: 'http://x',
        merchantId: 7,
        apiKeyId: 'k',
        secretApiKey: 's',
        apiKey: 'k2',
        webhookSecret: 'w',
        integration: { username: 'u', password: 'p' },
        somethingElse: 'hidden',
        tokens: ['a', 'b'],
        nothing: null,
      }),
    ).toEqual({
      endpoint: 'http://x',
      merchantId: 7,
      apiKeyId: 'k',
      secretApiKey: MASK,
      apiKey: MASK,
      webhookSecret: MASK,
      integration: { username: 'u', password: MASK },
      somethingElse: MASK,
      tokens: [MASK, MASK],
      nothing: null,
    });
  });

  it('never shows a secret of the demo accounts', () => {
    const printed = JSON.stringify(
      DEMO_PARTNER_ACCOUNTS.map((account) => maskCredentials(account.credentials)),
    );
    for (const secret of [
      'tender-sim-secret',
      'tender-sim-webhook-secret',
      'tender-sim-purse-secret',
      'tender-b2b',
    ]) {
      expect(printed).not.toContain(`"${secret}"`);
    }
    expect(printed).toContain('http://127.0.0.1:4103');
  });
});
