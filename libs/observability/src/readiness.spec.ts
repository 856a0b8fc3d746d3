import { readiness } from './readiness';

describe('readiness', () => {
  it('is ok when every check passed', () => {
    expect(
      readiness({
        postgres: { status: 'fulfilled', value: 1 },
        redis: { status: 'fulfilled', value: 'PONG' },
      }),
    ).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('says down, never the driver error (hosts, ports, user names)', () => {
    const result = readiness({
      postgres: {
        status: 'rejected',
        reason: new Error('connect ECONNREFUSED 10.1.2.3:5432 (user tender_admin)'),
      },
      redis: { status: 'fulfilled', value: 'PONG' },
    });
    expect(result).toEqual({ status: 'down', checks: { postgres: 'down', redis: 'ok' } });
    expect(JSON.stringify(result)).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|tender_admin/);
  });
});
