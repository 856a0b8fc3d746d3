import { getV1HMACSignature } from 'connect-sdk-nodejs/lib/utils/authentication';
import {
  authorizationHeader,
  canonicalHeaderValue,
  parseAuthorization,
  stringToSign,
  v1HmacSignature,
  verifyV1Hmac,
  type SignableRequest,
} from './v1hmac';

const DATE = 'Fri, 06 Jun 2014 13:39:43 GMT';

describe('v1HMAC signing (digest §2.4 vectors)', () => {
  it('vector A: DELETE with content type and three x-gcs headers, sorted and canonicalised', () => {
    const request: SignableRequest = {
      method: 'delete',
      contentType: 'application/json',
      date: DATE,
      headers: [
        ['X-GCS-ServerMetaInfo', 'processed header value'],
        ['Accept', 'application/json'],
        ['X-GCS-ClientMetaInfo', '  processed\r\n   header value  '],
        ['User-Agent', 'not signed'],
        ['X-GCS-CustomerHeader', 'processed\n\theader value'],
      ],
      path: '/v1/9991/tokens/123456789',
    };
    expect(stringToSign(request)).toBe(
      'DELETE\napplication/json\nFri, 06 Jun 2014 13:39:43 GMT\n' +
        'x-gcs-clientmetainfo:processed header value\n' +
        'x-gcs-customerheader:processed header value\n' +
        'x-gcs-servermetainfo:processed header value\n' +
        '/v1/9991/tokens/123456789\n',
    );
    expect(v1HmacSignature('secretApiKey', stringToSign(request))).toBe(
      'VfnXpPBQQoHZivTcAg0JvOWkhnzlPnaCPKpTQn/uMJM=',
    );
  });

  it('vector B: GET without content type or x-gcs headers, full Authorization header', () => {
    const request: SignableRequest = {
      method: 'GET',
      date: DATE,
      headers: [['Date', DATE]],
      path: '/v1/9991/tokens/123456789',
    };
    expect(stringToSign(request)).toBe('GET\n\nFri, 06 Jun 2014 13:39:43 GMT\n/v1/9991/tokens/123456789\n');
    expect(authorizationHeader('EC36A74A98D21', '6Kj5HT0MQKC6D8eb7W3lTg71kVKVDSt1', request)).toBe(
      'GCS v1HMAC:EC36A74A98D21:9ond5EIN05dBXJGCLRK5om9pxHsyrh/12pZJ7bvmwNM=',
    );
  });

  it('vector C: POST refund with idempotence key and server meta info', () => {
    const serverMeta = Buffer.from(
      JSON.stringify({
        platformIdentifier: 'Linux/Node.js',
        sdkIdentifier: 'TenderConnectAdapter/v1',
        sdkCreator: 'Tender',
        integrator: 'Tender',
      }),
    ).toString('base64');
    const request: SignableRequest = {
      method: 'POST',
      contentType: 'application/json',
      date: DATE,
      headers: [
        ['X-GCS-ServerMetaInfo', serverMeta],
        ['X-GCS-Idempotence-Key', '7f1b4c82-9e3a-4e5b-93b0-2ad1c6c47a11'],
      ],
      path: '/v1/1234/payments/000000123400000012340000100001/refund',
    };
    expect(v1HmacSignature('secretApiKey', stringToSign(request))).toBe(
      'g8rthvP7YBi0nb2JBGGOP3y19cf8h68c7CiHfiULra0=',
    );
  });

  it('agrees with the official Node SDK signer', () => {
    const headers = [
      { key: 'X-GCS-Idempotence-Key', value: 'abc-123' },
      { key: 'X-GCS-ServerMetaInfo', value: 'eyJ4IjoxfQ==' },
    ];
    const path = '/v1/1000/payments?merchantReference=order-1&limit=10';
    const sdk = getV1HMACSignature('POST', 'application/json', DATE, headers, path, 's3cr3t');
    const ours = v1HmacSignature(
      's3cr3t',
      stringToSign({
        method: 'POST',
        contentType: 'application/json',
        date: DATE,
        headers: headers.map((h) => [h.key, h.value] as const),
        path,
      }),
    );
    expect(ours).toBe(sdk);
  });

  it('canonicalises folded header values (the line break and following blanks become one space)', () => {
    expect(canonicalHeaderValue(' a\r\n  b\n\tc ')).toBe('a b c');
    expect(canonicalHeaderValue('a \n b')).toBe('a  b');
    expect(canonicalHeaderValue(undefined)).toBe('');
  });

  it('parses the Authorization header, key ids may contain ":"', () => {
    expect(parseAuthorization('GCS v1HMAC:key:with:colons:abc+/=')).toEqual({
      authorizationType: 'v1HMAC',
      apiKeyId: 'key:with:colons',
      signature: 'abc+/=',
    });
    expect(parseAuthorization('Bearer xyz')).toBeUndefined();
    expect(parseAuthorization(undefined)).toBeUndefined();
  });
});

describe('verifyV1Hmac', () => {
  const apiKeys = { 'key-1': 'secret-1' };
  const now = new Date('2014-06-06T13:39:43Z');
  const base: SignableRequest = {
    method: 'POST',
    contentType: 'application/json',
    date: DATE,
    headers: [['X-GCS-ServerMetaInfo', 'e30=']],
    path: '/v1/1000/payments',
  };
  const verify = (authorization: string | undefined, request: SignableRequest = base, at: Date = now) =>
    verifyV1Hmac(authorization, request, { apiKeys, now: at, dateSkewSeconds: 900 });

  it('accepts a correctly signed request', () => {
    expect(verify(authorizationHeader('key-1', 'secret-1', base))).toEqual({ ok: true, apiKeyId: 'key-1' });
  });

  it.each([
    ['missing header', undefined, base, now, 'missing Authorization'],
    ['malformed header', 'GCS nothing', base, now, 'malformed'],
    ['wrong type', 'GCS v2HMAC:key-1:abc=', base, now, 'unsupported authorization type'],
    ['unknown key id', authorizationHeader('key-2', 'secret-1', base), base, now, 'unknown API key id'],
    ['wrong secret', authorizationHeader('key-1', 'secret-2', base), base, now, 'signature mismatch'],
    [
      'skewed Date',
      authorizationHeader('key-1', 'secret-1', base),
      base,
      new Date(now.getTime() + 901_000),
      'Date',
    ],
    [
      'tampered path',
      authorizationHeader('key-1', 'secret-1', base),
      { ...base, path: '/v1/1000/payments/1' },
      now,
      'mismatch',
    ],
    [
      'tampered x-gcs header',
      authorizationHeader('key-1', 'secret-1', base),
      { ...base, headers: [['X-GCS-ServerMetaInfo', 'e31=']] as const },
      now,
      'mismatch',
    ],
    [
      'missing Date',
      authorizationHeader('key-1', 'secret-1', base),
      { ...base, date: '' },
      now,
      'missing Date',
    ],
    [
      'duplicated x-gcs header',
      authorizationHeader('key-1', 'secret-1', base),
      {
        ...base,
        headers: [
          ['X-GCS-ServerMetaInfo', 'e30='],
          ['x-gcs-servermetainfo', 'e30='],
        ] as const,
      },
      now,
      'duplicate',
    ],
  ] as Array<[string, string | undefined, SignableRequest, Date, string]>)(
    'rejects %s',
    (_name, authorization, request, at, reason) => {
      const result = verify(authorization, request, at);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.reason).toContain(reason);
    },
  );
});
