import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { loadConfig, type TenderConfig } from '@tender/config';
import { createPrismaClient, DataCipher, type PrismaClient } from '@tender/persistence';
import type { PartnerAdapter } from '@tender/partners';
import { createApiApp } from '../../apps/api/src/app';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createClient, createEntity, setPartnerAccount } from '../../apps/cli/src/provisioning';
import { DEMO_PARTNER_ACCOUNTS } from '../../apps/cli/src/demo';
import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import { createConnectSimulator, type ConnectSimulatorOptions } from '../../apps/simulators/src/connect';
import { createPurseSimulator, type PurseSimulatorOptions } from '../../apps/simulators/src/purse';
import {
  createPaytronixSimulator,
  type PaytronixSimulatorOptions,
} from '../../apps/simulators/src/paytronix';
import { createTenderClient, type TenderClient } from '@tender/client';
import { buildOpenApiDocument, type OpenApiDocument } from '../../apps/api/src/openapi/document';
import { TEST_DATA_ENCRYPTION_KEYS, TEST_DATABASE_URL, TEST_REDIS_URL } from './env';
import { documentedResponses } from './openapi';

let openApiDocument: OpenApiDocument | undefined;

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface StackOptions {
  /** Run the worker (partner jobs, relay) in this process. */
  worker?: boolean;
  /** Start the partner simulators. */
  simulators?: boolean;
  env?: Record<string, string>;
  adapters?: PartnerAdapter[];
  /** Extra options of the Connect simulator (latency, timeout hold…). */
  connect?: Partial<ConnectSimulatorOptions>;
  /** Extra options of the Paytronix simulator (latency, slow commits…). */
  paytronix?: Partial<PaytronixSimulatorOptions>;
  /** Extra options of the Purse simulator (webhook URL…). */
  purse?: Partial<PurseSimulatorOptions>;
  /** Set PUBLIC_URL to the API's own address (a free port picked first): browser tests follow its links. */
  publicUrl?: boolean;
}

/** A port free right now (the API binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The real stack for end-to-end tests, in one process: partner simulators on free ports, the API
 * on a free port, the worker, all against the test database and Redis under a queue prefix of
 * their own (so suites running in parallel never see each other's jobs). Provisions one entity
 * with partner accounts at the simulators and front- and back-office tokens.
 */
export class TestStack {
  config!: TenderConfig;
  prisma!: PrismaClient;
  /** The cipher of the stack's secrets at rest (DATA_ENCRYPTION_KEYS). */
  cipher!: DataCipher;
  api!: INestApplication;
  apiUrl!: string;
  worker?: INestApplicationContext;
  simulators: Record<'connect' | 'purse' | 'paytronix', RunningServer> = {} as never;
  entityId!: string;
  webhookSecret!: string;
  frontOffice!: string;
  backOffice!: string;
  private closers: Array<() => Promise<unknown>> = [];

  static async start(options: StackOptions = {}): Promise<TestStack> {
    const stack = new TestStack();
    await stack.boot(options);
    return stack;
  }

  private async boot(options: StackOptions): Promise<void> {
    const apiPort = options.publicUrl ? await freePort() : 0;
    this.config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      DATA_ENCRYPTION_KEYS: TEST_DATA_ENCRYPTION_KEYS,
      QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATABASE_POOL_SIZE: '5',
      API_WAIT_FOR_OUTCOME_MS: '8000',
      RECONCILE_SCHEDULE_MS: '300,500,1000,2000',
      PARTNER_TIMEOUT_MS: '3000',
      PARTNER_IN_FLIGHT_MARGIN_MS: '500',
      // Merchant receivers of the tests listen on loopback (test/security/ssrf.e2e-spec.ts turns it off).
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      ...(apiPort ? { PUBLIC_URL: `http://127.0.0.1:${apiPort}` } : {}),
      ...options.env,
    });
    this.prisma = createPrismaClient(this.config.DATABASE_URL, 3);
    this.cipher = new DataCipher(this.config.DATA_ENCRYPTION_KEYS);
    this.closers.push(() => this.prisma.$disconnect());

    if (options.simulators !== false) {
      // Captures and refunds settle 200 ms after they are requested (the simulator's default is 2 s):
      // the first reconcile check (300 ms) finds them settled.
      const connect = createConnectSimulator({
        timeoutDelayMs: 4000,
        settleDelayMs: 200,
        ...options.connect,
      });
      const purse = createPurseSimulator({ ...options.purse });
      const paytronix = createPaytronixSimulator({ ...options.paytronix });
      this.simulators = {
        connect: await listen(connect.app),
        purse: await listen(purse.app),
        paytronix: await listen(paytronix.app),
      };
      this.closers.push(async () => {
        await Promise.all(Object.values(this.simulators).map((s) => s.close()));
        // Purse and Paytronix close at once; Connect lets its held answers go first.
        purse.close();
        paytronix.close();
        await connect.close();
      });
    }

    this.api = await createApiApp(this.config);
    await this.api.listen(apiPort, '127.0.0.1');
    this.apiUrl = `http://127.0.0.1:${(this.api.getHttpServer().address() as AddressInfo).port}`;
    this.closers.push(() => this.api.close());

    if (options.worker) {
      this.worker = await NestFactory.createApplicationContext(
        WorkerModule.forRoot(this.config, options.adapters),
        { logger: false },
      );
      this.worker.enableShutdownHooks();
      this.closers.push(() => this.worker!.close());
    }
    this.closers.push(() => this.dropQueues());

    const entity = await createEntity(this.prisma, this.cipher, `test-${randomBytes(6).toString('hex')}`);
    this.entityId = entity.entity_id;
    this.webhookSecret = entity.webhook_secret;
    if (options.simulators !== false) {
      for (const account of DEMO_PARTNER_ACCOUNTS) {
        const endpoint = this.simulators[account.partner as keyof TestStack['simulators']].url;
        await setPartnerAccount(this.prisma, this.cipher, this.entityId, account.partner, {
          methods: account.methods,
          credentials: { ...account.credentials, endpoint },
          config: account.config,
        });
      }
    }
    this.frontOffice = await this.token(['front_office']);
    this.backOffice = await this.token(['back_office']);
  }

  /** A bearer token of a new client of this stack's entity (or of another entity). */
  async token(scopes: string[], entityId = this.entityId): Promise<string> {
    const client = await createClient(this.prisma, entityId, scopes);
    const response = await this.request('POST', '/oauth2/token', {
      body: {
        grant_type: 'client_credentials',
        client_id: client.client_id,
        client_secret: client.client_secret,
      },
    });
    if (response.status !== 200) throw new Error(`token: ${response.status} ${response.text}`);
    return response.body.access_token;
  }

  /**
   * A typed client of the API (@tender/client) sending `token`; every answer it gets is checked
   * against the OpenAPI document (status, media type, body schema, headers), or the call throws.
   */
  client(token?: string): TenderClient {
    const client = createTenderClient(this.apiUrl, { accessToken: token });
    client.use(documentedResponses((openApiDocument ??= buildOpenApiDocument())));
    return client;
  }

  async request<T = any>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(this.apiUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed as T };
  }

  /** The payment's first tender once it reached `status` (bounded wait). */
  waitForTender(paymentId: string, status = 'AUTHORIZED', timeoutMs = 15000) {
    return eventually(
      async () => {
        const tender = await this.prisma.partnerTransaction.findFirstOrThrow({
          where: { paymentId },
          orderBy: { position: 'asc' },
        });
        return tender.status === status ? tender : undefined;
      },
      timeoutMs,
      `tender of ${paymentId} ${status}`,
    );
  }

  /** JSON of a simulator's inspection API. */
  async sim<T = any>(
    partner: keyof TestStack['simulators'],
    path: string,
    method = 'GET',
    body?: unknown,
  ): Promise<T> {
    const response = await fetch(this.simulators[partner].url + path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await response.json()) as T;
  }

  private async dropQueues(): Promise<void> {
    const redis = new Redis(this.config.REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(
          cursor,
          'MATCH',
          `${this.config.QUEUE_PREFIX}:*`,
          'COUNT',
          1000,
        );
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
  }
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. For state, never for time. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** Waits until a tender's first partner call is in flight: its attempt counted, no answer recorded yet. */
export function callInFlight(stack: TestStack, tenderId: string): Promise<unknown> {
  return eventually(
    async () => {
      const row = await stack.prisma.partnerTransaction.findUniqueOrThrow({ where: { id: tenderId } });
      return row.attempts === 1 && row.status === 'PENDING' ? row : undefined;
    },
    15000,
    'a partner call in flight',
  );
}
