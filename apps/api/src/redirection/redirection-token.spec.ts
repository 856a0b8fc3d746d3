import { redirectionClaims, redirectionUrl, REDIRECTION_TOKEN_TTL_SECONDS } from './redirection-token';
import { statusPage } from './redirection.controller';

describe('redirectionUrl', () => {
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

  it('adds the token as a query parameter', () => {
    expect(redirectionUrl('https://shop.example.org/done', token)).toBe(
      `https://shop.example.org/done?purse-redirection-data=${token}`,
    );
  });

  it('keeps existing parameters byte for byte, and the fragment', () => {
    expect(redirectionUrl('https://shop.example.org/done?cart=42&q=a%20b+c&flag#step-3', token)).toBe(
      `https://shop.example.org/done?cart=42&q=a%20b+c&flag&purse-redirection-data=${token}#step-3`,
    );
    expect(redirectionUrl('https://shop.example.org/done?#x', token)).toBe(
      `https://shop.example.org/done?purse-redirection-data=${token}#x`,
    );
  });

  it('replaces a purse-redirection-data already in the URL', () => {
    expect(
      redirectionUrl(
        'https://shop.example.org/?purse-redirection-data=forged&a=1&purse%2Dredirection%2Ddata=x',
        token,
      ),
    ).toBe(`https://shop.example.org/?a=1&purse-redirection-data=${token}`);
  });

  it('gives a URL that URL parsers read the token from', () => {
    const url = new URL(redirectionUrl('https://shop.example.org/done?cart=42#top', token));
    expect(url.searchParams.get('purse-redirection-data')).toBe(token);
    expect(url.searchParams.get('cart')).toBe('42');
    expect(url.hash).toBe('#top');
  });
});

describe('redirection claims', () => {
  it('say who, how much and how it went, for 10 minutes', () => {
    const now = Date.parse('2026-03-02T10:00:00.900Z');
    const claims = redirectionClaims(
      {
        id: 'p-1',
        entityId: 'e-1',
        clientSessionId: null,
        status: 'AUTHORIZED',
        amount: BigInt(4299),
        currency: 'EUR',
      },
      now,
    );
    expect(claims).toEqual({
      iss: 'tender',
      sub: 'p-1',
      aud: 'e-1',
      payment_id: 'p-1',
      entity_id: 'e-1',
      status: 'AUTHORIZED',
      amount: 4299,
      currency: 'EUR',
      iat: 1772445600,
      exp: 1772445600 + 600,
      jti: expect.any(String),
    });
    expect(REDIRECTION_TOKEN_TTL_SECONDS).toBe(600);
    expect(
      redirectionClaims({
        id: 'p',
        entityId: 'e',
        clientSessionId: 's',
        status: 'PENDING',
        amount: 1,
        currency: 'EUR',
      }),
    ).toMatchObject({ client_session_id: 's' });
  });
});

describe('status page', () => {
  it('says the status and nothing else, escaped', () => {
    expect(statusPage('AUTHORIZED')).toContain('Your payment was accepted.');
    expect(statusPage('<b>')).toContain('&lt;b&gt;');
  });
});
