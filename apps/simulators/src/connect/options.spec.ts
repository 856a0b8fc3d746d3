import { CONNECT_TEST_INSTRUMENTS, resolveInstrument } from './instruments';
import { connectSimulatorOptionsFromEnv, resolveConnectOptions } from './options';

describe('connectSimulatorOptionsFromEnv', () => {
  it('defaults to nothing but the common settings', () => {
    const options = resolveConnectOptions(connectSimulatorOptionsFromEnv({}));
    expect(options).toMatchObject({
      merchantId: '1000',
      apiKeys: { 'tender-sim-key': 'tender-sim-secret' },
      webhookKeyId: 'tender-sim-webhook-key',
      webhookSecret: 'tender-sim-webhook-secret',
      dateSkewSeconds: 900,
      timeoutDelayMs: 15000,
      refundRequiresApproval: false,
      settleDelayMs: 2000,
      captureRejectRate: 0,
      failureRate: 0,
      latency: { kind: 'fixed', ms: 0 },
    });
    expect(options.webhookUrl).toBeUndefined();
  });

  it('settles only on request with CONNECT_SIM_SETTLE_DELAY_MS=-1, and reads the capture reject rate', () => {
    const options = resolveConnectOptions(
      connectSimulatorOptionsFromEnv({
        CONNECT_SIM_SETTLE_DELAY_MS: '-1',
        CONNECT_SIM_CAPTURE_REJECT_RATE: '0.25',
      }),
    );
    expect(options).toMatchObject({ settleDelayMs: -1, captureRejectRate: 0.25 });
    expect(() => connectSimulatorOptionsFromEnv({ CONNECT_SIM_SETTLE_DELAY_MS: '-2' })).toThrow(
      /SETTLE_DELAY/,
    );
    expect(() => connectSimulatorOptionsFromEnv({ CONNECT_SIM_CAPTURE_REJECT_RATE: '1.5' })).toThrow(
      /CAPTURE_REJECT_RATE/,
    );
    expect(() => resolveConnectOptions({ settleDelayMs: -5 })).toThrow(/settleDelayMs/);
    expect(() => resolveConnectOptions({ captureRejectRate: 2 })).toThrow(/captureRejectRate/);
  });

  it('reads the CONNECT_SIM_* variables', () => {
    const options = connectSimulatorOptionsFromEnv({
      CONNECT_SIM_MERCHANT_ID: '4321',
      CONNECT_SIM_API_KEYS: 'a:one,b:two:with:colons',
      CONNECT_SIM_API_KEY_ID: 'c',
      CONNECT_SIM_SECRET_API_KEY: 'three',
      CONNECT_SIM_WEBHOOK_KEY_ID: 'wk',
      CONNECT_SIM_WEBHOOK_SECRET: 'ws',
      CONNECT_SIM_DATE_SKEW_SECONDS: '60',
      CONNECT_SIM_TIMEOUT_DELAY_MS: '2500',
      CONNECT_SIM_SETTLE_DELAY_MS: '100',
      CONNECT_SIM_REFUND_REQUIRES_APPROVAL: 'true',
      CONNECT_SIM_LATENCY_MS: '20-80',
      CONNECT_SIM_FAILURE_RATE: '0.1',
      CONNECT_SIM_WEBHOOK_URL: 'http://127.0.0.1:3000/webhooks/connect',
      CONNECT_SIM_SNAPSHOT_FILE: '/tmp/connect.json',
    });
    expect(options).toMatchObject({
      merchantId: '4321',
      apiKeys: { a: 'one', b: 'two:with:colons', c: 'three' },
      webhookKeyId: 'wk',
      webhookSecret: 'ws',
      dateSkewSeconds: 60,
      timeoutDelayMs: 2500,
      settleDelayMs: 100,
      refundRequiresApproval: true,
      latency: { kind: 'uniform', min: 20, max: 80 },
      failureRate: 0.1,
      webhookUrl: 'http://127.0.0.1:3000/webhooks/connect',
      snapshotFile: '/tmp/connect.json',
    });
  });

  it('refuses malformed values', () => {
    expect(() => connectSimulatorOptionsFromEnv({ CONNECT_SIM_API_KEYS: 'nosecret' })).toThrow(
      /CONNECT_SIM_API_KEYS/,
    );
    expect(() => connectSimulatorOptionsFromEnv({ CONNECT_SIM_API_KEY_ID: 'x' })).toThrow(/both/);
    expect(() => connectSimulatorOptionsFromEnv({ CONNECT_SIM_TIMEOUT_DELAY_MS: 'soon' })).toThrow(
      /TIMEOUT_DELAY/,
    );
    expect(() => connectSimulatorOptionsFromEnv({ CONNECT_SIM_REFUND_REQUIRES_APPROVAL: 'maybe' })).toThrow();
  });
});

describe('test instruments', () => {
  it('has one entry per outcome, with unique tokens', () => {
    const tokens = CONNECT_TEST_INSTRUMENTS.map((i) => i.token);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(tokens).toEqual(
      expect.arrayContaining([
        'connect-approve',
        'connect-decline',
        'connect-challenge',
        'connect-timeout',
        'connect-error-once',
        'connect-refund-decline',
        'connect-capture-reject',
      ]),
    );
  });

  it('resolves tokens and card numbers; anything unknown is declined', () => {
    expect(resolveInstrument('connect-challenge', undefined)).toMatchObject({
      outcome: 'challenge',
      known: true,
    });
    expect(resolveInstrument('connect-capture-reject', undefined)).toMatchObject({
      outcome: 'capture-reject',
      known: true,
    });
    expect(resolveInstrument(undefined, 'connect-approve')).toMatchObject({
      outcome: 'approve',
      known: true,
    });
    expect(resolveInstrument(undefined, '4111 1111 1111 1234')).toEqual({
      given: '4111 1111 1111 1234',
      outcome: 'decline',
      known: false,
      last4: '1234',
    });
  });
});
