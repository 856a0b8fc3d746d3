import { AxiosError, AxiosHeaders } from 'axios';
import { Writable } from 'node:stream';
import { UnknownOutcomeError } from '@tender/partners';
import { addLogContext, getLogger, initLogging, setLogDestination, withLogContext } from './logger';
import { PinoNestLogger } from './nest-logger';

describe('logger', () => {
  const chunks: string[] = [];
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));

  beforeAll(() => {
    initLogging({ level: 'debug' });
    setLogDestination(
      new Writable({
        write(chunk, _encoding, done) {
          chunks.push(chunk.toString());
          done();
        },
      }),
    );
  });
  afterAll(() => setLogDestination(undefined));
  beforeEach(() => (chunks.length = 0));

  it('censors secret fields at any of the first levels of a logged object', () => {
    getLogger().info({
      password: 'p0',
      request: { headers: { authorization: 'Bearer abc', cookie: 'c=1', 'set-cookie': 's' } },
      split: [{ payment_method: { card_number: '6000000000000500' } }],
      account: { credentials: { secretApiKey: 'k' }, config: { mode: 'test' } },
      a: { b: { c: { token: 'deep' } } },
    });
    const text = chunks.join('');
    for (const secret of ['p0', 'Bearer abc', 'c=1', '6000000000000500', '"k"', 'deep']) {
      expect(text).not.toContain(secret);
    }
    expect(lines()[0].account.config).toEqual({ mode: 'test' });
  });

  it('censors partner card codes and tokens', () => {
    getLogger().info({
      tender: { instrument_summary: { cardRegCode: '4242-reg', printedCardNumber: '600000123456' } },
      stored: { partner_token: 'ptok-1', partnerToken: 'ptok-2', last4: '0500' },
    });
    const text = chunks.join('');
    for (const secret of ['4242-reg', '600000123456', 'ptok-1', 'ptok-2']) expect(text).not.toContain(secret);
    expect(lines()[0].stored.last4).toBe('0500');
  });

  it('censors the private members of JWKs, and only inside JWKs', () => {
    const rsa = { kty: 'RSA', kid: 'k1', n: 'modulus', e: 'AQAB', d: 'priv-d', p: 'priv-p', q: 'priv-q' };
    const crt = { dp: 'priv-dp', dq: 'priv-dq', qi: 'priv-qi' };
    const logged = {
      key: { ...rsa, ...crt },
      jwks: { keys: [{ kty: 'oct', k: 'priv-k' }] },
      page: { p: 2, q: 'search', d: '2026-01-01', k: 7 },
    };
    getLogger().info(logged, 'keys');
    const text = chunks.join('');
    for (const secret of ['priv-d', 'priv-p', 'priv-q', 'priv-dp', 'priv-dq', 'priv-qi', 'priv-k'])
      expect(text).not.toContain(secret);
    const [line] = lines();
    expect(line.key).toMatchObject({ kty: 'RSA', kid: 'k1', n: 'modulus', e: 'AQAB', d: '[redacted]' });
    expect(line.page).toEqual({ p: 2, q: 'search', d: '2026-01-01', k: 7 });
    expect(logged.key.d).toBe('priv-d'); // the caller's object is left alone
  });

  it('logs an HTTP client error without its request config, headers or credentials', () => {
    const config = {
      url: 'https://partner.example/pay',
      auth: { username: 'tender', password: 'tender-b2b' },
      headers: new AxiosHeaders({ Authorization: 'Basic dGVuZGVyOnRlbmRlci1iMmI=' }),
      data: '{"cardNumber":"6000000000000500"}',
    };
    const axiosError = new AxiosError('timeout of 10ms exceeded', 'ECONNABORTED', config as never);
    getLogger().warn({ err: new UnknownOutcomeError('partner POST /pay: timeout', axiosError) }, 'failed');
    getLogger().warn({ error: axiosError }, 'raw');
    const text = chunks.join('');
    expect(text).not.toMatch(/tender-b2b|dGVuZGVy|6000000000000500|"config"|"headers"/);
    expect(lines()[0].err).toMatchObject({
      type: 'UnknownOutcomeError',
      cause: { type: 'AxiosError', code: 'ECONNABORTED', message: 'timeout of 10ms exceeded' },
    });
  });

  it('adds the current log context to every line, across awaits', async () => {
    await withLogContext({ job_id: 'j1' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      addLogContext({ payment_id: 'p1' });
      getLogger('dispatch').info('inside');
    });
    getLogger().info('outside');
    const [inside, outside] = lines();
    expect(inside).toMatchObject({ context: 'dispatch', job_id: 'j1', payment_id: 'p1', msg: 'inside' });
    expect(outside.job_id).toBeUndefined();
  });

  it("routes Nest's logger through pino, with its context and levels", () => {
    const nest = new PinoNestLogger();
    nest.log('started', 'dispatch');
    nest.warn('careful', 'dispatch');
    nest.error('boom', 'Error: boom\n    at x (y.ts:1:1)', 'http');
    nest.log('Mapped {/x, GET} route', 'RouterExplorer');
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'info', context: 'dispatch', msg: 'started' }),
      expect.objectContaining({ level: 'warn', context: 'dispatch', msg: 'careful' }),
      expect.objectContaining({ level: 'error', context: 'http', msg: 'boom', stack: expect.any(String) }),
      expect.objectContaining({ level: 'debug', context: 'RouterExplorer' }),
    ]);
  });
});
