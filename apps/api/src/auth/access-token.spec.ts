import { createHash, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import {
  CLOCK_TOLERANCE_SECONDS,
  InvalidAccessTokenError,
  issueAccessToken,
  signClaims,
  toAuthenticatedClient,
  verifyAccessToken,
} from './access-token';
import { accessTokenKeys, keyId } from './token-keys';

const SECRET = 'a-test-signing-secret-of-at-least-32-chars';
const PREVIOUS = 'the-previous-signing-secret-of-32-chars!';
const keys = accessTokenKeys([SECRET]);
const input = { clientId: 'cli_x', entityId: 'ent-1', scopes: ['back_office'] as const, ttlSeconds: 600 };

async function reason(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InvalidAccessTokenError) return error.reason;
    throw error;
  }
  return undefined;
}

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());

function validClaims(now = Math.floor(Date.now() / 1000)) {
  return { iss: 'tender', sub: 'c', ent: 'e', scope: 'back_office', iat: now, exp: now + 60, jti: 'j' };
}

describe('access tokens', () => {
  it('round-trips the claims, with a kid derived from the secret', async () => {
    const { token, claims } = await issueAccessToken(keys, input);
    expect(await verifyAccessToken(keys, token)).toEqual(claims);
    expect(claims).toMatchObject({ iss: 'tender', sub: 'cli_x', ent: 'ent-1', scope: 'back_office' });
    expect(claims.exp - claims.iat).toBe(600);
    expect(toAuthenticatedClient(claims)).toEqual({
      clientId: 'cli_x',
      entityId: 'ent-1',
      scopes: ['back_office'],
    });
    const kid = createHash('sha256').update(SECRET).digest('base64url').slice(0, 8);
    expect(keyId(SECRET)).toBe(kid);
    expect(headerOf(token)).toEqual({ alg: 'HS256', typ: 'at+jwt', kid });
  });

  it('expires at exp (give or take the clock tolerance)', async () => {
    const now = Date.UTC(2030, 0, 1);
    const { token } = await issueAccessToken(keys, { ...input, now });
    const tolerance = CLOCK_TOLERANCE_SECONDS * 1000;
    expect(await reason(verifyAccessToken(keys, token, now + 599_000))).toBeUndefined();
    expect(await reason(verifyAccessToken(keys, token, now + 600_000 + tolerance))).toBe('expired');
    // Not yet issued: a token from the future is refused too.
    expect(await reason(verifyAccessToken(keys, token, now - tolerance - 1000))).toBe('invalid_claims');
  });

  it('refuses another secret, a modified payload, an unknown kid', async () => {
    const { token, claims } = await issueAccessToken(keys, input);
    const [h, , s] = token.split('.');
    const escalated = segment({ ...claims, scope: 'front_office back_office' });
    expect(await reason(verifyAccessToken(keys, `${h}.${escalated}.${s}`))).toBe('bad_signature');
    // Another secret under our kid: the signature fails; under its own kid: the key is unknown.
    const otherSecret = `${SECRET}!`;
    expect(
      await reason(
        verifyAccessToken(keys, await signClaims(otherSecret, validClaims(), { kid: keyId(SECRET) })),
      ),
    ).toBe('bad_signature');
    expect(await reason(verifyAccessToken(keys, await signClaims(otherSecret, validClaims())))).toBe(
      'unknown_key',
    );
    const { kid: _kid, ...withoutKid } = headerOf(token);
    expect(await reason(verifyAccessToken(keys, `${segment(withoutKid)}.${token.split('.')[1]}.${s}`))).toBe(
      'unknown_key',
    );
  });

  it('pins HS256: no alg none, no RS256 (whatever the key), no other type', async () => {
    const { token } = await issueAccessToken(keys, input);
    const [, payload, s] = token.split('.');
    const kid = keyId(SECRET);
    const none = `${segment({ alg: 'none', typ: 'at+jwt', kid })}.${payload}.`;
    expect(await reason(verifyAccessToken(keys, none))).toBe('unsupported_algorithm');
    const hs512 = await signClaims(SECRET, validClaims(), { alg: 'HS512' });
    expect(await reason(verifyAccessToken(keys, hs512))).toBe('unsupported_algorithm');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs256 = await new SignJWT(validClaims())
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid })
      .sign(privateKey);
    expect(await reason(verifyAccessToken(keys, rs256))).toBe('unsupported_algorithm');
    // The HS256 signature relabelled RS256 (key confusion) is refused on the header alone.
    const relabelled = `${segment({ alg: 'RS256', typ: 'at+jwt', kid })}.${payload}.${s}`;
    expect(await reason(verifyAccessToken(keys, relabelled))).toBe('unsupported_algorithm');
    const plainJwt = await signClaims(SECRET, validClaims(), { typ: 'JWT' });
    expect(await reason(verifyAccessToken(keys, plainJwt))).toBe('invalid_claims');
    for (const garbage of ['', 'a.b', 'a.b.c.d', '!!.??.**', 'x'.repeat(5000)]) {
      expect(await reason(verifyAccessToken(keys, garbage))).toBe('malformed');
    }
  });

  it('requires the claims, the issuer, and honours nbf', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { sub: _sub, ...withoutSub } = validClaims(now);
    expect(await reason(verifyAccessToken(keys, await signClaims(SECRET, withoutSub)))).toBe(
      'invalid_claims',
    );
    const { iat: _iat, ...withoutIat } = validClaims(now);
    expect(await reason(verifyAccessToken(keys, await signClaims(SECRET, withoutIat)))).toBe(
      'invalid_claims',
    );
    const otherIssuer = { ...validClaims(now), iss: 'someone' };
    expect(await reason(verifyAccessToken(keys, await signClaims(SECRET, otherIssuer)))).toBe(
      'invalid_claims',
    );
    const notBefore = { ...validClaims(now), nbf: now + 60 };
    expect(await reason(verifyAccessToken(keys, await signClaims(SECRET, notBefore)))).toBe('invalid_claims');
    const noScope = { ...validClaims(now), scope: 5 };
    expect(await reason(verifyAccessToken(keys, await signClaims(SECRET, noScope)))).toBe('invalid_claims');
    // A token older than the longest lifetime is refused whatever its exp says.
    const ancient = { ...validClaims(now), iat: now - 2 * 86_400, exp: now + 60 };
    expect(await reason(verifyAccessToken(keys, await signClaims(SECRET, ancient)))).toBe('expired');
    expect(await reason(verifyAccessToken(keys, await signClaims(SECRET, validClaims(now))))).toBeUndefined();
  });

  it('during a rotation signs with the first secret and verifies with both', async () => {
    const rotating = accessTokenKeys([SECRET, PREVIOUS]);
    const old = await issueAccessToken(accessTokenKeys([PREVIOUS]), input);
    const fresh = await issueAccessToken(rotating, input);
    expect(headerOf(fresh.token).kid).toBe(keyId(SECRET));
    expect(await verifyAccessToken(rotating, old.token)).toEqual(old.claims);
    expect(await verifyAccessToken(rotating, fresh.token)).toEqual(fresh.claims);
    expect(await verifyAccessToken(keys, fresh.token)).toEqual(fresh.claims);
    expect(await reason(verifyAccessToken(keys, old.token))).toBe('unknown_key');
  });
});
