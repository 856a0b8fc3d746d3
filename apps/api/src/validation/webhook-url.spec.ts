import { webhookUrlError } from './webhook-url';

describe('webhook URL policy at request time', () => {
  const production = { requireHttps: true, allowPrivateNetworks: false };
  const development = { requireHttps: false, allowPrivateNetworks: true };

  it('requires https in production, naming webhook.url', () => {
    expect(webhookUrlError('http://shop.example.org/hook', production)).toEqual({
      field: 'webhook.url',
      code: 'https_required',
      message: 'must be an https URL',
    });
    expect(webhookUrlError('https://shop.example.org/hook', production)).toBeUndefined();
    expect(webhookUrlError('http://shop.example.org/hook', development)).toBeUndefined();
  });

  it('refuses loopback, private and metadata literals (any numeric form) and localhost unless allowed', () => {
    const policy = { requireHttps: false, allowPrivateNetworks: false };
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://017700000001/',
      'http://127.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://localhost:3000/',
      'http://api.localhost/',
    ]) {
      expect({ url, error: webhookUrlError(url, policy)?.code }).toEqual({
        url,
        error: 'webhook_address_not_allowed',
      });
      expect(webhookUrlError(url, development)).toBeUndefined();
    }
    expect(webhookUrlError('http://93.184.216.34/', policy)).toBeUndefined();
    expect(webhookUrlError('http://shop.example.org/', policy)).toBeUndefined(); // checked at delivery
  });
});
