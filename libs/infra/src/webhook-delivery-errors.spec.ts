import {
  BLOCKED_ADDRESS_CODE,
  coarseDeliveryError,
  httpStatusError,
  presentableDeliveryError,
} from './webhook-delivery-errors';

const errno = (code: string, message = `connect ${code} 10.0.0.5:6379`) =>
  Object.assign(new Error(message), { code });

describe('coarse webhook delivery errors', () => {
  it.each([
    [errno(BLOCKED_ADDRESS_CODE), 'blocked_address'],
    [errno('ECONNREFUSED'), 'connect_refused'],
    [errno('ENOTFOUND'), 'dns_failure'],
    [errno('EAI_AGAIN'), 'dns_failure'],
    [errno('ETIMEDOUT'), 'timeout'],
    [Object.assign(new Error('x'), { name: 'TimeoutError' }), 'timeout'],
    [errno('ECONNRESET'), 'connection_reset'],
    [errno('EPIPE'), 'connection_reset'],
    [errno('EHOSTUNREACH'), 'unreachable'],
    [errno('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls_error'],
    [errno('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls_error'],
    [errno('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls_error'],
    [new TypeError('fetch failed', { cause: errno('ECONNREFUSED') }), 'connect_refused'],
    [new Error('something odd at 10.0.0.5'), 'network_error'],
    ['a string', 'network_error'],
    [undefined, 'network_error'],
  ])('%s → %s', (error, code) => {
    expect(coarseDeliveryError(error)).toBe(code);
  });

  it('gives HTTP answers by class', () => {
    expect([301, 404, 500, 503].map(httpStatusError)).toEqual([
      'http_3xx',
      'http_4xx',
      'http_5xx',
      'http_5xx',
    ]);
  });

  it('shows stored codes as is and never echoes raw messages recorded before', () => {
    expect(presentableDeliveryError(null)).toBeNull();
    expect(presentableDeliveryError('blocked_address')).toBe('blocked_address');
    expect(presentableDeliveryError('http_4xx')).toBe('http_4xx');
    expect(presentableDeliveryError('endpoint disabled')).toBe('endpoint disabled');
    expect(presentableDeliveryError('fetch failed: ECONNREFUSED 10.0.0.5:6379')).toBe('network_error');
    expect(presentableDeliveryError('fetch failed: other side closed 10.1.2.3')).toBe('network_error');
  });
});
