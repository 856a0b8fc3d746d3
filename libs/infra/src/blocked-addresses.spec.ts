import { blockedAddressReason, isBlockedAddress } from './blocked-addresses';

describe('blocked webhook addresses (SSRF)', () => {
  const blocked: Array<[string, RegExp]> = [
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['0.0.0.0', /this network/],
    ['0.1.2.3', /this network/],
    ['10.0.0.1', /RFC 1918/],
    ['10.255.255.255', /RFC 1918/],
    ['172.16.0.1', /RFC 1918/],
    ['172.31.255.255', /RFC 1918/],
    ['192.168.1.1', /RFC 1918/],
    ['169.254.169.254', /metadata/],
    ['169.254.0.1', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['192.0.0.8', /IETF/],
    ['192.0.2.1', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['198.19.255.255', /benchmarking/],
    ['198.51.100.7', /documentation/],
    ['203.0.113.9', /documentation/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /broadcast/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['[::1]', /loopback/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['::127.0.0.1', /IPv4-compatible/],
    ['::ffff:127.0.0.1', /IPv4 in IPv6: loopback/],
    ['::ffff:7f00:1', /IPv4 in IPv6: loopback/],
    ['[::ffff:7f00:1]', /IPv4 in IPv6: loopback/],
    ['::ffff:10.1.2.3', /IPv4 in IPv6: private/],
    ['::ffff:a9fe:a9fe', /IPv4 in IPv6: link-local/], // 169.254.169.254
    ['::ffff:192.168.0.1', /IPv4 in IPv6: private/],
    ['::ffff:0.0.0.0', /IPv4 in IPv6: this network/],
    ['64:ff9b::7f00:1', /IPv4 in IPv6: loopback/],
    ['64:ff9b:1::1', /local-use NAT64/],
    ['2002:7f00:1::', /6to4: loopback/],
    ['2002:a9fe:a9fe::1', /6to4: link-local/],
    ['fc00::1', /unique local/],
    ['fd00:ec2::254', /unique local/], // AWS metadata over IPv6
    ['fdff:ffff::1', /unique local/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf::1', /link-local/],
    ['fec0::1', /site-local/],
    ['ff02::1', /multicast/],
    ['ff05::1:3', /multicast/],
    ['100::1', /discard/],
    ['2001:db8::1', /documentation/],
    ['2001:2::1', /benchmarking/],
    ['3fff::1', /documentation/],
    ['localhost', /not an IP/],
    ['', /not an IP/],
    ['2130706433', /not an IP/],
    ['0x7f000001', /not an IP/],
  ];
  it.each(blocked)('refuses %s', (address, reason) => {
    expect(blockedAddressReason(address)).toMatch(reason);
    expect(isBlockedAddress(address)).toBe(true);
  });

  const allowed = [
    '1.1.1.1',
    '8.8.8.8',
    '93.184.216.34',
    '9.255.255.255', // just below 10/8
    '11.0.0.0', // just above 10/8
    '100.63.255.255', // just below 100.64/10
    '100.128.0.0', // just above
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255', // just below multicast
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '[2a00:1450:4007:80b::200e]',
    '::ffff:8.8.8.8', // IPv4-mapped public
    '64:ff9b::808:808', // NAT64 of 8.8.8.8
    '2002:808:808::1', // 6to4 of 8.8.8.8
    'fbff:ffff::1', // just below fc00::/7
    'fe00::1', // between ULA and link-local
  ];
  it.each(allowed)('lets %s through', (address) => {
    expect(blockedAddressReason(address)).toBeUndefined();
    expect(isBlockedAddress(address)).toBe(false);
  });

  it('judges the numeric forms of 127.0.0.1 as loopback once a URL has normalised them', () => {
    for (const host of ['0x7f000001', '2130706433', '017700000001', '127.1', '0177.0.0.1', '127.0.1']) {
      const { hostname } = new URL(`http://${host}:8080/hook`);
      expect(hostname).toBe('127.0.0.1');
      expect(blockedAddressReason(hostname)).toMatch(/loopback/);
    }
    expect(blockedAddressReason(new URL('http://[0:0::1]/').hostname)).toMatch(/loopback/);
    expect(blockedAddressReason(new URL('http://[::ffff:127.0.0.1]/').hostname)).toMatch(/loopback/);
  });
});
