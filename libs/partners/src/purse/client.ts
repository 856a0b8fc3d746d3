import type { AxiosInstance, AxiosResponse } from 'axios';
import { z } from 'zod';
import { PartnerProtocolError, PartnerRejectedError, UnknownOutcomeError } from '../adapter';
import { partnerRequest } from '../http';

/**
 * Purse orchestration API v2 as a downstream partner: credentials, wire types and the calls.
 *
 * - OAuth2 client credentials (`POST /oauth2/token`, HTTP Basic client authentication); the token is
 *   cached per (endpoint, clientId) and refreshed before it expires; a `401 invalid_token` on a call
 *   drops it, fetches a new one and retries the call once (the refused call did nothing).
 * - `POST /v2/payments`, `GET /v2/payments/{id}`, `POST /v2/payments/{id}/captures|voids|refunds`,
 *   POSTs with `Idempotency-Key` (same key + same body → the stored answer is replayed).
 * - Problem bodies (`application/problem+json`): 400/403/404 → `PartnerRejectedError`,
 *   409 (idempotency violation: the key was used for another body) → `PartnerProtocolError` (we cannot
 *   tell what the first request did), 429/5xx/timeouts → `UnknownOutcomeError`.
 *
 * Nothing here logs; error messages carry ids and partner codes only, never secrets or tokens.
 */

// ---- credentials ------------------------------------------------------------------------------

const credentialsSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/ }),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  webhookSecret: z.string().min(1).optional(),
  /** Purse's `entity_id` of the merchant, a UUID Purse provides; needed to create payments. */
  entityId: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
    .optional(),
});

export type PurseCredentials = z.infer<typeof credentialsSchema>;

export function purseCredentials(raw: Record<string, unknown>): PurseCredentials {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new PartnerRejectedError(
      `invalid Purse account credentials (${fields})`,
      'invalid_account_credentials',
    );
  }
  return { ...parsed.data, endpoint: parsed.data.endpoint.replace(/\/+$/, '') };
}

// ---- wire types -------------------------------------------------------------------------------

const partnerTransactionSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  amount: z.int(),
  partner: z.string().nullish(),
  method: z.string().nullish(),
  partner_reference: z.string().nullish(),
  partner_status: z.string().nullish(),
  partner_status_description: z.string().nullish(),
  partner_token: z.string().nullish(),
  card: z.record(z.string(), z.unknown()).nullish(),
});

const operationSchema = z.looseObject({
  id: z.string(),
  amount: z.int(),
  status: z.string(),
  merchant_reference: z.string().nullish(),
  partner_transactions: z.array(partnerTransactionSchema).default([]),
});

const paymentSchema = z.looseObject({
  id: z.string().min(1),
  version: z.int().optional(),
  amount: z.int(),
  currency: z.string(),
  order_reference: z.string().nullish(),
  amounts: z
    .looseObject({
      total_authorized: z.int(),
      total_captured: z.int(),
      total_voided: z.int(),
      total_refunded: z.int(),
    })
    .optional(),
  authorization: z.looseObject({
    status: z.string(),
    partner_transactions: z.array(partnerTransactionSchema).default([]),
  }),
  captures: z.array(operationSchema).default([]),
  voids: z.array(operationSchema).default([]),
  refunds: z.array(operationSchema).default([]),
  redirection: z.looseObject({ href: z.string() }).nullish(),
});

const problemSchema = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  detail: z.string().optional(),
  invalid_params: z.array(z.looseObject({ name: z.string(), reason: z.string() })).optional(),
});

const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive(),
});

const oauthErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });

export type PursePartnerTransaction = z.infer<typeof partnerTransactionSchema>;
export type PurseOperation = z.infer<typeof operationSchema>;
export type PursePayment = z.infer<typeof paymentSchema>;
export type PurseOperationKind = 'capture' | 'void' | 'refund';

export const PURSE_OPERATION_PATHS: Record<PurseOperationKind, string> = {
  capture: 'captures',
  void: 'voids',
  refund: 'refunds',
};

/** `POST /v2/payments` body (one split entry: this tender). */
export interface PurseCreatePaymentBody {
  entity_id: string;
  amount: number;
  currency: string;
  capture_mode: 'MANUAL' | 'AUTOMATIC';
  allow_future_usage: boolean;
  three_ds_authentication_options?: { challenge_indicator: 'CHALLENGE_REQUESTED_BY_MERCHANT' };
  order: { reference: string; additional_data?: { payment_method_tokens: string[] } };
  split: PurseSplitEntry[];
  shopper_redirection_url?: string;
  customer?: Record<string, unknown>;
  browser?: Record<string, unknown>;
}

export type PurseSplitEntry =
  { partner: string; method: string; amount: number } | { amount: number; parent_payment_id: string };

/** `POST /v2/payments/{id}/captures|voids|refunds` body. */
export interface PurseOperationBody {
  amount: number;
  merchant_reference: string;
}

// ---- the client -------------------------------------------------------------------------------

interface CachedToken {
  accessToken: string;
  /** Epoch ms after which we fetch a new one (before the partner's expiry). */
  refreshAt: number;
}

export interface PurseAnswer {
  status: number;
  body: unknown;
  headers: Record<string, unknown>;
}

interface PurseCall {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  idempotencyKey?: string;
  timeoutMs: number;
}

/** Refresh margin: 10% of the token's lifetime, at most 60 s. */
function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs * 0.1);
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `partnerRequest`, minus the transport error as `cause`: its config holds tokens and secrets. */
async function send(
  http: AxiosInstance,
  config: Parameters<typeof partnerRequest>[1],
): Promise<AxiosResponse<unknown>> {
  try {
    return await partnerRequest<unknown>(http, {
      ...config,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
    });
  } catch (error) {
    if (error instanceof UnknownOutcomeError) throw new UnknownOutcomeError(`Purse ${error.message}`);
    throw error;
  }
}

export class PurseClient {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly http: AxiosInstance,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- API calls ------------------------------------------------------------------------------

  async createPayment(
    credentials: PurseCredentials,
    body: PurseCreatePaymentBody,
    idempotencyKey: string,
    timeoutMs: number,
  ): Promise<PursePayment> {
    const answer = await this.call(credentials, {
      method: 'POST',
      path: '/v2/payments',
      body,
      idempotencyKey,
      timeoutMs,
    });
    return expectPayment(answer, 'create payment');
  }

  /** The payment, or undefined when Purse has none with this id (404). */
  async getPayment(
    credentials: PurseCredentials,
    id: string,
    timeoutMs: number,
  ): Promise<PursePayment | undefined> {
    const answer = await this.call(credentials, {
      method: 'GET',
      path: `/v2/payments/${encodeURIComponent(id)}`,
      timeoutMs,
    });
    if (answer.status === 404) return undefined;
    return expectPayment(answer, `get payment ${id}`);
  }

  async postOperation(
    credentials: PurseCredentials,
    paymentId: string,
    kind: PurseOperationKind,
    body: PurseOperationBody,
    idempotencyKey: string,
    timeoutMs: number,
  ): Promise<PursePayment> {
    const answer = await this.call(credentials, {
      method: 'POST',
      path: `/v2/payments/${encodeURIComponent(paymentId)}/${PURSE_OPERATION_PATHS[kind]}`,
      body,
      idempotencyKey,
      timeoutMs,
    });
    return expectPayment(answer, `${kind} on payment ${paymentId}`);
  }

  /** Forgets every cached token (tests, credential rotation). */
  clearTokens(): void {
    this.tokens.clear();
  }

  // ---- authenticated transport ---------------------------------------------------------------

  private async call(credentials: PurseCredentials, call: PurseCall): Promise<PurseAnswer> {
    let token = await this.token(credentials, call.timeoutMs);
    let answer = await this.sendAuthenticated(credentials, call, token.accessToken);
    if (isInvalidToken(answer)) {
      // Expired or revoked before our own clock said so: the call was refused, nothing happened.
      this.dropToken(credentials, token);
      token = await this.token(credentials, call.timeoutMs);
      answer = await this.sendAuthenticated(credentials, call, token.accessToken);
      if (answer.status === 401) {
        throw new PartnerRejectedError('Purse refused a freshly issued access token', 'invalid_token', 401);
      }
    }
    return answer;
  }

  private async sendAuthenticated(
    credentials: PurseCredentials,
    call: PurseCall,
    accessToken: string,
  ): Promise<PurseAnswer> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${accessToken}`,
      Accept: 'application/json, application/problem+json',
    };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    if (call.idempotencyKey !== undefined) headers['Idempotency-Key'] = call.idempotencyKey;
    const response = await send(this.http, {
      method: call.method,
      url: `${credentials.endpoint}${call.path}`,
      headers,
      data: call.body !== undefined ? JSON.stringify(call.body) : undefined,
      timeout: call.timeoutMs,
    });
    return { status: response.status, body: parseJson(response.data), headers: { ...response.headers } };
  }

  // ---- OAuth2 token cache --------------------------------------------------------------------

  private cacheKey(credentials: PurseCredentials): string {
    return `${credentials.endpoint}\n${credentials.clientId}`;
  }

  private async token(credentials: PurseCredentials, timeoutMs: number): Promise<CachedToken> {
    const key = this.cacheKey(credentials);
    const cached = this.tokens.get(key);
    if (cached && cached.refreshAt > this.now()) return cached;
    // One token request per key at a time: concurrent calls share it.
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.fetchToken(credentials, timeoutMs).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return token;
  }

  private dropToken(credentials: PurseCredentials, token: CachedToken): void {
    const key = this.cacheKey(credentials);
    if (this.tokens.get(key)?.accessToken === token.accessToken) this.tokens.delete(key);
  }

  private async fetchToken(credentials: PurseCredentials, timeoutMs: number): Promise<CachedToken> {
    const requestedAt = this.now();
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64.
    const basic = Buffer.from(
      `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
    ).toString('base64');
    const response = await send(this.http, {
      method: 'POST',
      url: `${credentials.endpoint}/oauth2/token`,
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      data: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
      timeout: timeoutMs,
    });
    const body = parseJson(response.data);
    if (response.status === 200) {
      const token = tokenSchema.safeParse(body);
      if (!token.success || token.data.token_type.toLowerCase() !== 'bearer') {
        throw new PartnerProtocolError('Purse token endpoint answered an unusable token');
      }
      const lifetimeMs = token.data.expires_in * 1000;
      return {
        accessToken: token.data.access_token,
        refreshAt: requestedAt + lifetimeMs - refreshMarginMs(lifetimeMs),
      };
    }
    if (response.status === 429) throw new UnknownOutcomeError('Purse token endpoint: HTTP 429');
    const error = oauthErrorSchema.safeParse(body);
    const code = error.success ? error.data.error : `http_${response.status}`;
    const description =
      error.success && error.data.error_description ? `: ${error.data.error_description}` : '';
    throw new PartnerRejectedError(
      `Purse refused the client credentials (${code}${description})`,
      code,
      response.status,
    );
  }
}

function isInvalidToken(answer: PurseAnswer): boolean {
  if (answer.status !== 401) return false;
  const challenge = answer.headers['www-authenticate'];
  if (typeof challenge === 'string' && /invalid_token/i.test(challenge)) return true;
  const problem = problemSchema.safeParse(answer.body);
  return problem.success && /invalid-token$/.test(problem.data.type ?? '');
}

function expectPayment(answer: PurseAnswer, what: string): PursePayment {
  if (answer.status === 200 || answer.status === 201) {
    const payment = paymentSchema.safeParse(answer.body);
    if (!payment.success) {
      const fields = payment.error.issues.map((issue) => issue.path.join('.')).join(', ');
      throw new PartnerProtocolError(`Purse ${what}: unexpected payment body (${fields})`);
    }
    return payment.data;
  }
  throw purseError(answer, what);
}

/** Maps a non-2xx Purse answer to our error kinds. */
export function purseError(answer: PurseAnswer, what: string): Error {
  const problem = problemSchema.safeParse(answer.body);
  const slug =
    problem.success && problem.data.type ? problem.data.type.replace(/^urn:purse:problem:/, '') : undefined;
  const params =
    problem.success && problem.data.invalid_params?.length
      ? ` [${problem.data.invalid_params.map((p) => `${p.name}: ${p.reason}`).join('; ')}]`
      : '';
  const detail = `${problem.success ? (problem.data.detail ?? problem.data.title ?? '') : ''}${params}`;
  const message = `Purse ${what}: HTTP ${answer.status}${detail ? ` ${detail}` : ''}`;
  if (answer.status === 409) return new PartnerProtocolError(`${message} (Idempotency-Key conflict)`);
  if (answer.status === 429) return new UnknownOutcomeError(message);
  if (answer.status >= 400 && answer.status < 500) {
    return new PartnerRejectedError(message, slug ?? `http_${answer.status}`, answer.status);
  }
  return new PartnerProtocolError(`${message}: unexpected status`);
}
