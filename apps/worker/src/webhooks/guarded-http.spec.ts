import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@tender/config';
import { coarseDeliveryError } from '@tender/infra/webhook-delivery-errors';
import { BlockedAddressError, guardedLookup, WebhookHttpClient, type ResolveAll } from './guarded-http';

/** A resolver answering fixed addresses per host name: what a hostile DNS zone would say. */
const zone =
  (records: Record<string, string[]>): ResolveAll =>
  (hostname, callback) => {
    const addresses = records[hostname];
    if (!addresses) return callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };

describe('guarded webhook HTTP client (SSRF)', () => {
  let server: Server;
  let port: number;
  let received: string[];

  beforeAll(async () => {
    received = [];
    server = createServer((req, res) => {
      received.push(`${req.headers.host} ${req.url}`);
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (received = []));

  const records = {
    'rebound.example': ['127.0.0.1'],
    'metadata.example': ['169.254.169.254'],
    'mixed.example': ['93.184.216.34', '10.0.0.5'],
    'mapped.example': ['::ffff:127.0.0.1'],
  };
  const post = (client: WebhookHttpClient, url: string) =>
    client.post({ url, headers: { 'x-a': ['1'] }, body: '{}', timeoutMs: 2000 });

  it('is off by default: WEBHOOK_ALLOW_PRIVATE_NETWORKS defaults to false, production included', () => {
    const production = {
      TOKEN_SIGNING_SECRET: 'a-production-secret-of-at-least-32-bytes!',
      DATA_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
    };
    expect(loadConfig(production)).toMatchObject({
      NODE_ENV: 'production',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: false,
    });
    expect(loadConfig({ NODE_ENV: 'development' }).WEBHOOK_ALLOW_PRIVATE_NETWORKS).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'test', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }).WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    ).toBe(true);
    expect(() => loadConfig({ NODE_ENV: 'test', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'yes' })).toThrow(
      /WEBHOOK_ALLOW_PRIVATE_NETWORKS/,
    );
  });

  it('refuses host names resolving to loopback, metadata, private or mapped addresses, at connect time', async () => {
    const client = new WebhookHttpClient(false, zone(records));
    for (const host of Object.keys(records)) {
      const error = await post(client, `http://${host}:${port}/hook`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BlockedAddressError);
      expect(coarseDeliveryError(error)).toBe('blocked_address');
    }
    expect(received).toEqual([]);
    client.close();
  });

  it('refuses IP literals in every numeric form before connecting (Node skips lookup for them)', async () => {
    const client = new WebhookHttpClient(false, zone({}));
    const hosts = [
      '127.0.0.1',
      '0x7f000001',
      '2130706433',
      '017700000001',
      '127.1',
      '[::1]',
      '[::ffff:7f00:1]',
    ];
    for (const host of hosts) {
      const error = await post(client, `http://${host}:${port}/hook`).catch((e: unknown) => e);
      expect({ host, code: coarseDeliveryError(error) }).toEqual({ host, code: 'blocked_address' });
    }
    expect(received).toEqual([]);
    client.close();
  });

  it('refuses localhost through the system resolver', async () => {
    const client = new WebhookHttpClient(false);
    const error = await post(client, `http://localhost:${port}/hook`).catch((e: unknown) => e);
    expect(coarseDeliveryError(error)).toBe('blocked_address');
    expect(received).toEqual([]);
    client.close();
  });

  it('reaches the same listener when private networks are allowed (so the refusals above are real)', async () => {
    const client = new WebhookHttpClient(true, zone(records));
    expect(await post(client, `http://127.0.0.1:${port}/literal`)).toBe(204);
    expect(await post(client, `http://localhost:${port}/name`)).toBe(204);
    expect(received).toEqual([`127.0.0.1:${port} /literal`, `localhost:${port} /name`]);
    client.close();
  });

  it('lets a public address through the lookup, honouring the family asked for', (done) => {
    const lookup = guardedLookup(zone({ 'public.example': ['93.184.216.34', '2606:2800:220:1::1'] }));
    lookup('public.example', { all: true }, (error, addresses) => {
      expect(error).toBeNull();
      expect(addresses).toHaveLength(2);
      lookup('public.example', { family: 6 }, (error6, address, family) => {
        expect([error6, address, family]).toEqual([null, '2606:2800:220:1::1', 6]);
        lookup('nowhere.example', {}, (missing) => {
          expect(coarseDeliveryError(missing)).toBe('dns_failure');
          done();
        });
      });
    });
  });
});
