import { createHmac } from 'node:crypto';
import { getV1HMACSignature } from 'connect-sdk-nodejs/lib/utils/authentication';
import {
  canonicalHeaderValue,
  rfc1123,
  serverMetaInfo,
  v1HmacAuthorization,
  v1HmacSignature,
  v1HmacStringToSign,
} from './signing';

const DATE = 'Fri, 06 Jun 2014 13:39:43 GMT';

describe('Connect v1HMAC signing (seed digest §2.4 vectors)', () => {
  it('vector A: DELETE with Content-Type and three x-gcs headers, sorted and folded', () => {
    const request = {
      method: 'delete',
      contentType: 'application/json',
      date: DATE,
      headers: {
        'X-GCS-ServerMetaInfo': 'processed header value',
        Accept: 'application/json',
        'x-gcs-clientmetainfo': '  processed\r\n   header value ',
        'User-Agent': 'never signed',
        'X-GCS-CustomerHeader': 'processed\n\theader value',
        Date: DATE,
        'Content-Type': 'application/json',
      },
      path: '/v1/9991/tokens/123456789',
    };
    expect(v1HmacStringToSign(request)).toBe(
      'DELETE\napplication/json\nFri, 06 Jun 2014 13:39:43 GMT\n' +
        'x-gcs-clientmetainfo:processed header value\n' +
        'x-gcs-customerheader:processed header value\n' +
        'x-gcs-servermetainfo:processed header value\n' +
        '/v1/9991/tokens/123456789\n',
    );
    expect(v1HmacSignature('secretApiKey', v1HmacStringToSign(request))).toBe(
      'VfnXpPBQQoHZivTcAg0JvOWkhnzlPnaCPKpTQn/uMJM=',
    );
    expect(v1HmacAuthorization('apiKeyId', 'secretApiKey', request)).toBe(
      'GCS v1HMAC:apiKeyId:VfnXpPBQQoHZivTcAg0JvOWkhnzlPnaCPKpTQn/uMJM=',
    );
  });

  it('vector B: GET without Content-Type nor x-gcs headers, whole Authorization header', () => {
    const request = { method: 'GET', date: DATE, headers: { Date: DATE }, path: '/v1/9991/tokens/123456789' };
    expect(v1HmacStringToSign(request)).toBe(
      'GET\n\nFri, 06 Jun 2014 13:39:43 GMT\n/v1/9991/tokens/123456789\n',
    );
    expect(v1HmacAuthorization('EC36A74A98D21', '6Kj5HT0MQKC6D8eb7W3lTg71kVKVDSt1', request)).toBe(
      'GCS v1HMAC:EC36A74A98D21:9ond5EIN05dBXJGCLRK5om9pxHsyrh/12pZJ7bvmwNM=',
    );
  });

  it('vector C: POST refund with X-GCS-Idempotence-Key and X-GCS-ServerMetaInfo', () => {
    const meta =
      'eyJwbGF0Zm9ybUlkZW50aWZpZXIiOiJMaW51eC9Ob2RlLmpzIiwic2RrSWRlbnRpZmllciI6IlRlbmRlckNvbm5lY3RBZGFwdGVyL3YxIiwic2RrQ3JlYXRvciI6IlRlbmRlciIsImludGVncmF0b3IiOiJUZW5kZXIifQ==';
    expect(Buffer.from(meta, 'base64').toString('utf8')).toBe(
      '{"platformIdentifier":"Linux/Node.js","sdkIdentifier":"TenderConnectAdapter/v1","sdkCreator":"Tender","integrator":"Tender"}',
    );
    const request = {
      method: 'POST',
      contentType: 'application/json',
      date: DATE,
      // insertion order deliberately not sorted
      headers: {
        'X-GCS-ServerMetaInfo': meta,
        'X-GCS-Idempotence-Key': '7f1b4c82-9e3a-4e5b-93b0-2ad1c6c47a11',
      },
      path: '/v1/1234/payments/000000123400000012340000100001/refund',
    };
    expect(v1HmacStringToSign(request)).toBe(
      'POST\napplication/json\nFri, 06 Jun 2014 13:39:43 GMT\n' +
        'x-gcs-idempotence-key:7f1b4c82-9e3a-4e5b-93b0-2ad1c6c47a11\n' +
        `x-gcs-servermetainfo:${meta}\n` +
        '/v1/1234/payments/000000123400000012340000100001/refund\n',
    );
    expect(v1HmacSignature('secretApiKey', v1HmacStringToSign(request))).toBe(
      'g8rthvP7YBi0nb2JBGGOP3y19cf8h68c7CiHfiULra0=',
    );
  });

  it('agrees with the official Node SDK on an already sorted request (independent cross-check)', () => {
    const headers = { 'X-GCS-Idempotence-Key': 'k-1', 'X-GCS-ServerMetaInfo': serverMetaInfo('Tender') };
    const path = '/v1/1000/payments?merchantReference=abc&limit=100';
    const ours = v1HmacSignature(
      's3cr3t',
      v1HmacStringToSign({ method: 'GET', contentType: 'application/json', date: DATE, headers, path }),
    );
    const sdk = getV1HMACSignature(
      'GET',
      'application/json',
      DATE,
      Object.entries(headers).map(([key, value]) => ({ key, value })),
      path,
      's3cr3t',
    );
    expect(ours).toBe(sdk);
  });

  it('signs the query string and the raw (percent-encoded) path as sent', () => {
    const base = { method: 'GET', date: DATE, headers: {} };
    const a = v1HmacStringToSign({ ...base, path: '/v1/1000/payments?merchantReference=a%20b' });
    expect(a.endsWith('/v1/1000/payments?merchantReference=a%20b\n')).toBe(true);
    expect(v1HmacSignature('k', a)).not.toBe(
      v1HmacSignature('k', v1HmacStringToSign({ ...base, path: '/v1/1000/payments?merchantReference=a b' })),
    );
  });

  it('ignores undefined headers and lower-cases names ASCII-only', () => {
    const s = v1HmacStringToSign({
      method: 'post',
      contentType: 'application/json',
      date: DATE,
      headers: { 'X-GCS-IDEMPOTENCE-KEY': 'K', 'X-GCS-Other': undefined },
      path: '/p',
    });
    expect(s).toBe(`POST\napplication/json\n${DATE}\nx-gcs-idempotence-key:K\n/p\n`);
  });

  it('folds multi-line header values into one space and trims', () => {
    expect(canonicalHeaderValue(' a\r\n   b\n\tc ')).toBe('a b c');
    expect(canonicalHeaderValue(undefined)).toBe('');
    expect(canonicalHeaderValue(null)).toBe('');
  });

  it('uses the UTF-8 secret as HMAC key, not its base64 decoding', () => {
    const expected = createHmac('sha256', Buffer.from('c2VjcmV0', 'utf8')).update('x').digest('base64');
    expect(v1HmacSignature('c2VjcmV0', 'x')).toBe(expected);
  });

  it('formats Date as RFC 1123 GMT and the server meta info as Base64 JSON with the integrator', () => {
    expect(rfc1123(new Date(Date.UTC(2014, 5, 6, 13, 39, 43)))).toBe(DATE);
    const meta = JSON.parse(Buffer.from(serverMetaInfo('Acme'), 'base64').toString('utf8'));
    expect(meta).toEqual(
      expect.objectContaining({
        integrator: 'Acme',
        sdkCreator: 'Tender',
        sdkIdentifier: 'TenderConnectAdapter/v1',
      }),
    );
  });
});
