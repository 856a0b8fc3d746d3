import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP server that answers 200 to everything and records what it got. */
export class RecordingListener {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly requests: RecordedRequest[],
  ) {}

  /** Listens on `host` (and `port`, default a free one); rejects if the address is unavailable. */
  static async start(host = '127.0.0.1', port = 0): Promise<RecordingListener> {
    const requests: RecordedRequest[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        requests.push({ url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return new RecordingListener(server, (server.address() as AddressInfo).port, requests);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
