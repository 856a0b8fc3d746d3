import { paytronixSimulatorOptionsFromEnv } from './index';

describe('paytronixSimulatorOptionsFromEnv', () => {
  it('reads PAYTRONIX_SIM_* settings', () => {
    expect(
      paytronixSimulatorOptionsFromEnv({
        PAYTRONIX_SIM_FAILURE_RATE: '1',
        PAYTRONIX_SIM_LATENCY_MS: '50',
        PAYTRONIX_SIM_SNAPSHOT_FILE: '/tmp/px.json',
        PAYTRONIX_SIM_INTEGRATION_ID: 'int',
        PAYTRONIX_SIM_INTEGRATION_SECRET: 'int-secret',
        PAYTRONIX_SIM_USERNAME: 'user',
        PAYTRONIX_SIM_PASSWORD: 'pass',
        PAYTRONIX_SIM_MERCHANT_ID: '570',
        PAYTRONIX_SIM_PUBLIC_URL: 'http://localhost:4103',
      }),
    ).toEqual({
      failureRate: 1,
      latency: { kind: 'fixed', ms: 50 },
      webhookUrl: undefined,
      snapshotFile: '/tmp/px.json',
      integrationId: 'int',
      integrationSecret: 'int-secret',
      username: 'user',
      password: 'pass',
      merchantId: 570,
      publicUrl: 'http://localhost:4103',
    });
  });

  it('refuses a non-integer merchant id', () => {
    expect(() => paytronixSimulatorOptionsFromEnv({ PAYTRONIX_SIM_MERCHANT_ID: 'abc' })).toThrow(
      /MERCHANT_ID/,
    );
  });
});
