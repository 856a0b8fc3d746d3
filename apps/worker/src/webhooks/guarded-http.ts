import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { BLOCKED_ADDRESS_CODE } from '@tender/infra/webhook-delivery-errors';
import { blockedAddressReason } from '@tender/infra/blocked-addresses';

/** Resolves every address of a host name (dns.lookup with `all: true`); injectable for tests. */
export type ResolveAll = (
  hostname: string,
  callback: (error: Error | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolveAll: ResolveAll = (hostname, callback) =>
  dnsLookup(hostname, { all: true }, (error, addresses) => callback(error, addresses ?? []));

/** A connection refused because its address is not a public one (see blocked-addresses.ts). */
export class BlockedAddressError extends Error {
  readonly code = BLOCKED_ADDRESS_CODE;
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`webhook address refused (${reason})`);
  }
}

/**
 * A `lookup` for sockets that refuses a host name when ANY of its addresses is blocked: the check
 * runs on the resolved addresses the socket then connects to, so DNS rebinding (a name answering
 * 127.0.0.1 at delivery time) is refused too.
 */
export function guardedLookup(resolveAll: ResolveAll = systemResolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname, (error, resolved) => {
      if (error) return callback(error, '');
      const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
      const addresses = resolved.filter((a) => !family || a.family === family);
      const blocked = addresses.map((a) => blockedAddressReason(a.address)).find((reason) => reason);
      if (blocked || addresses.length === 0) {
        return callback(new BlockedAddressError(hostname, blocked ?? 'no address'), '');
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string | string[]>;
  body: string;
  timeoutMs: number;
}

/**
 * POSTs merchant webhooks. Unless private networks are allowed (development, tests), every
 * connection goes through `guardedLookup`, and a URL whose host is an IP literal (for which Node
 * skips `lookup`) is checked before connecting; the WHATWG URL parser has already normalised the
 * numeric forms (`0x7f000001`, `2130706433`, `127.1`…) to dotted quads. Redirects are not followed.
 * Resolves with the answer's status (its body is not read); rejects with the socket's error.
 */
export class WebhookHttpClient {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(
    private readonly allowPrivateNetworks: boolean,
    resolveAll?: ResolveAll,
  ) {
    const lookup = allowPrivateNetworks ? undefined : guardedLookup(resolveAll);
    this.agents = { http: new http.Agent({ lookup }), https: new https.Agent({ lookup }) };
  }

  post(request: WebhookRequest): Promise<number> {
    return new Promise((resolve, reject) => {
      const url = new URL(request.url);
      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') return reject(new Error('not an http(s) URL'));
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const literalBlocked = isIP(host) && !this.allowPrivateNetworks && blockedAddressReason(host);
      if (literalBlocked) return reject(new BlockedAddressError(host, literalBlocked));

      const req = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      });
      const timer = setTimeout(() => {
        const timeout = new Error(`no answer within ${request.timeoutMs} ms`);
        timeout.name = 'TimeoutError';
        req.destroy(timeout);
      }, request.timeoutMs);
      req.on('response', (res) => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
        res.destroy(); // the body is never read, nor shown
      });
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(request.body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
