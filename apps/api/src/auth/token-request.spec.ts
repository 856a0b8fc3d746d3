import { OAuthError } from './oauth-error';
import { parseTokenRequest } from './token-request';

const basic = (raw: string) => `Basic ${Buffer.from(raw).toString('base64')}`;

function failure(
  authorization: string | undefined,
  body: unknown,
): Pick<OAuthError, 'error' | 'status'> | undefined {
  try {
    parseTokenRequest(authorization, body);
  } catch (error) {
    if (error instanceof OAuthError) return { error: error.error, status: error.status };
    throw error;
  }
  return undefined;
}

describe('parseTokenRequest', () => {
  const grant = { grant_type: 'client_credentials' };

  it('reads form-urlencoded Basic credentials (RFC 6749 §2.3.1)', () => {
    expect(parseTokenRequest(basic('cli_a%3Ab:s%2Bc+d'), grant)).toEqual({
      credentials: { clientId: 'cli_a:b', clientSecret: 's+c d', viaBasic: true },
      scope: undefined,
    });
    expect(
      parseTokenRequest(basic('id:secret:with:colons'), { ...grant, scope: ' ' }).credentials.clientSecret,
    ).toBe('secret:with:colons');
  });

  it('reads body credentials and the scope', () => {
    expect(
      parseTokenRequest(undefined, { ...grant, client_id: 'i', client_secret: 's', scope: 'back_office' }),
    ).toEqual({
      credentials: { clientId: 'i', clientSecret: 's', viaBasic: false },
      scope: 'back_office',
    });
  });

  it.each([
    [undefined, {}, 'invalid_request', 400],
    [undefined, [], 'invalid_request', 400],
    [undefined, { grant_type: 'password' }, 'unsupported_grant_type', 400],
    [undefined, { grant_type: ['client_credentials', 'client_credentials'] }, 'invalid_request', 400],
    [undefined, grant, 'invalid_client', 401],
    [undefined, { ...grant, client_id: 'i' }, 'invalid_client', 400],
    ['Bearer abc', grant, 'invalid_client', 401],
    [basic('nocolon'), grant, 'invalid_client', 401],
    [basic('%E0%A4%A:x'), grant, 'invalid_client', 401],
    [basic('i:s'), { ...grant, client_secret: 's' }, 'invalid_request', 400],
    [basic('i:s'), { ...grant, client_id: 'other' }, 'invalid_request', 400],
    [undefined, { ...grant, client_id: 'i', client_secret: 5 }, 'invalid_request', 400],
  ])('%s %j → %s %d', (authorization, body, error, status) => {
    expect(failure(authorization, body)).toEqual({ error, status });
  });
});
