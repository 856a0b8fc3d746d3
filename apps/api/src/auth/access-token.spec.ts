import {
  InvalidAccessTokenError,
  issueAccessToken,
  signClaims,
  toAuthenticatedClient,
  verifyAccessToken,
} from './access-token';

const SECRET = 'a-test-signing-secret-of-at-least-32-chars';
const input = { clientId: 'cli_x', entityId: 'ent-1', scopes: ['back_office'] as const, ttlSeconds: 600 };

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidAccessTokenError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('access tokens', () => {
  it('round-trips the claims', () => {
    const { token, claims } = issueAccessToken(SECRET, input);
    expect(verifyAccessToken(SECRET, token)).toEqual(claims);
    expect(claims).toMatchObject({ iss: 'tender', sub: 'cli_x', ent: 'ent-1', scope: 'back_office' });
    expect(claims.exp - claims.iat).toBe(600);
    expect(toAuthenticatedClient(claims)).toEqual({
      clientId: 'cli_x',
      entityId: 'ent-1',
      scopes: ['back_office'],
    });
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
  });

  it('expires at exp', () => {
    const now = Date.UTC(2030, 0, 1);
    const { token } = issueAccessToken(SECRET, { ...input, now });
    expect(reason(() => verifyAccessToken(SECRET, token, now + 599_000))).toBeUndefined();
    expect(reason(() => verifyAccessToken(SECRET, token, now + 600_000))).toBe('expired');
  });

  it('refuses another key, a modified payload, other algorithms and garbage', () => {
    const { token, claims } = issueAccessToken(SECRET, input);
    expect(reason(() => verifyAccessToken(`${SECRET}!`, token))).toBe('bad_signature');
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, scope: 'front_office back_office' })).toString(
      'base64url',
    );
    expect(reason(() => verifyAccessToken(SECRET, `${h}.${forged}.${s}`))).toBe('bad_signature');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
    expect(reason(() => verifyAccessToken(SECRET, `${none}.${forged}.`))).toBe('malformed');
    const plainJwt = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    expect(reason(() => verifyAccessToken(SECRET, `${plainJwt}.${token.split('.')[1]}.${s}`))).toBe(
      'malformed',
    );
    for (const garbage of ['', 'a.b', 'a.b.c.d', '!!.??.**', 'x'.repeat(5000)]) {
      expect(reason(() => verifyAccessToken(SECRET, garbage))).toBe('malformed');
    }
  });

  it('requires the claims', () => {
    const now = Math.floor(Date.now() / 1000);
    const { sub: _sub, ...withoutSub } = {
      iss: 'tender',
      sub: 'c',
      ent: 'e',
      scope: 's',
      iat: now,
      exp: now + 60,
      jti: 'j',
    };
    expect(reason(() => verifyAccessToken(SECRET, signClaims(SECRET, withoutSub)))).toBe('invalid_claims');
    const otherIssuer = { ...withoutSub, sub: 'c', iss: 'someone' };
    expect(reason(() => verifyAccessToken(SECRET, signClaims(SECRET, otherIssuer)))).toBe('invalid_claims');
  });
});
