import { purseSimulatorOptionsFromEnv } from './index';

describe('purseSimulatorOptionsFromEnv', () => {
  it('reads PURSE_SIM_* settings', () => {
    expect(
      purseSimulatorOptionsFromEnv({
        PURSE_SIM_FAILURE_RATE: '0.25',
        PURSE_SIM_LATENCY_MS: '20-80',
        PURSE_SIM_WEBHOOK_URL: 'http://127.0.0.1:3000/hooks/purse',
        PURSE_SIM_SNAPSHOT_FILE: '/tmp/purse.json',
        PURSE_SIM_ENTITY_ID: '8161163a-f227-466f-bc01-090a01e80165',
        PURSE_SIM_CLIENT_ID: 'id',
        PURSE_SIM_CLIENT_SECRET: 'secret',
        PURSE_SIM_TOKEN_TTL_SECONDS: '5',
        PURSE_SIM_WEBHOOK_SECRET: 'whsec',
      }),
    ).toEqual({
      failureRate: 0.25,
      latency: { kind: 'uniform', min: 20, max: 80 },
      webhookUrl: 'http://127.0.0.1:3000/hooks/purse',
      snapshotFile: '/tmp/purse.json',
      entityId: '8161163a-f227-466f-bc01-090a01e80165',
      clientId: 'id',
      clientSecret: 'secret',
      tokenTtlSeconds: 5,
      webhookSecret: 'whsec',
    });
  });

  it('leaves defaults to createPurseSimulator and refuses a bad TTL', () => {
    expect(purseSimulatorOptionsFromEnv({})).toMatchObject({ failureRate: 0, tokenTtlSeconds: undefined });
    expect(() => purseSimulatorOptionsFromEnv({ PURSE_SIM_TOKEN_TTL_SECONDS: '0' })).toThrow(/TOKEN_TTL/);
  });
});
