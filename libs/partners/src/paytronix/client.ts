import type { AxiosInstance, AxiosResponse } from 'axios';
import { z } from 'zod';
import { PartnerProtocolError, PartnerRejectedError, UnknownOutcomeError } from '../adapter';
import { partnerRequest } from '../http';

/**
 * Paytronix wire API: credentials, wire types and the calls.
 *
 * - URL: `{endpoint}/rest/{release}/{service}/{endpoint}.json`, release pinned per account (default 25.33).
 * - Auth: every call `Authorization: Basic base64(integration username:password)`, plus the b2b
 *   fields `authentication: "b2b", username, password` in the JSON body (POST) or the query (GET).
 * - Every outcome is HTTP 200 with a `result` in the body. Transaction Service results:
 *   authorizedSuccess / authorizedVariantSuccess / denied / userDataError / failure. Payment Service:
 *   success / invalidInputs / failure. Classification is in mapping.ts.
 * - `pxTransactionId` is a 64-bit integer: replies are parsed so that it (and the other journal ids)
 *   become exact decimal strings, and we send it back as a JSON integer written from that string.
 * - Nothing here logs; a transport error is re-thrown without its cause (whose config holds the
 *   credentials and card numbers).
 */

// ---- credentials ------------------------------------------------------------------------------

const login = z.object({ username: z.string().min(1), password: z.string().min(1) });

const credentialsSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/ }),
  merchantId: z.int(),
  integration: login,
  b2b: login,
  /** Payment Service processor of the hosted checkout (method `card`). */
  ccProcessorId: z.int().optional(),
  storeCode: z.string().min(1).default('WEB'),
  /** Stored-value wallet (merchant-configured; 1 on most programs). */
  walletCode: z.int().default(1),
  release: z
    .string()
    .regex(/^\d+\.\d+$/)
    .default('25.33'),
  terminalId: z.string().min(1).default('0'),
  operatorId: z.string().min(1).default('0'),
  senderId: z.string().min(1).default('POS'),
  /** The program's currency, when set: requests in another currency are refused before any call. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
});

export type PaytronixCredentials = z.infer<typeof credentialsSchema>;

export function paytronixCredentials(raw: Record<string, unknown>): PaytronixCredentials {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new PartnerRejectedError(
      `invalid Paytronix account credentials (${fields})`,
      'invalid_account_credentials',
    );
  }
  return { ...parsed.data, endpoint: parsed.data.endpoint.replace(/\/+$/, '') };
}

// ---- wire types -------------------------------------------------------------------------------

/** Decimal: a string "12.34" (numbers tolerated), kept as text for exact conversion. */
const decimal = z.union([z.string(), z.number()]).transform((value) => String(value));
const id = z.union([z.string(), z.number()]).transform((value) => String(value));

const walletEntrySchema = z.looseObject({ walletCode: z.union([z.int(), z.string()]), quantity: decimal });
const changedWalletSchema = walletEntrySchema.extend({ operationType: z.int() });

export const historyEntrySchema = z.looseObject({
  result: z.string(),
  pxTransactionId: id,
  pxAuthCode: z.string().optional(),
  transactionType: z.string(),
  status: z.string().optional(),
  datetime: z.string().optional(),
  printedCardNumber: z.string().optional(),
  posTransactionId: z.string().optional(),
  addedQuantity: decimal.optional(),
  redeemedQuantity: decimal.optional(),
  originalPxTransactionId: id.optional(),
});

export const txReplySchema = z.looseObject({
  result: z.string(),
  responseCode: z.int().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  posTransactionId: z.string().optional(),
  pxTransactionId: id.optional(),
  pxAuthCode: z.string().optional(),
  printedCardNumber: z.string().optional(),
  maskedCardNumber: z.string().optional(),
  svTransactionAmount: decimal.optional(),
  svCurrentBalance: decimal.optional(),
  addWalletContents: z.array(walletEntrySchema).optional(),
  redeemWalletContents: z.array(walletEntrySchema).optional(),
  changedWalletContents: z.array(changedWalletSchema).optional(),
  transactions: z.array(historyEntrySchema).optional(),
});

export const paymentIntentSchema = z.looseObject({
  id: z.string().min(1),
  amount: decimal,
  status: z.string(),
  chargeInfo: z
    .looseObject({
      cardType: z.string().optional(),
      lastFour: z.string().optional(),
      expDate: z.string().optional(),
      processorReferenceNumber: z.string().optional(),
    })
    .optional(),
});

export const paymentReplySchema = z.looseObject({
  result: z.string(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  errorsByField: z.record(z.string(), z.array(z.string())).optional(),
  checkoutSession: z
    .looseObject({ id: z.string().min(1), paymentIntent: z.string().min(1), redirectUrl: z.string().min(1) })
    .optional(),
  paymentIntent: paymentIntentSchema.optional(),
});

export type TxReply = z.infer<typeof txReplySchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type PaymentReply = z.infer<typeof paymentReplySchema>;
export type PaymentIntent = z.infer<typeof paymentIntentSchema>;

export type TxEndpoint = 'addRedeem' | 'voidAddRedeem' | 'reverse' | 'transactionHistory' | 'balanceInquiry';
export type PaymentEndpoint =
  'createCheckoutSession' | 'paymentIntent' | 'capturePaymentIntent' | 'cancelPaymentIntent';

export interface HeaderInfo {
  merchantId: number;
  storeCode: string;
  operatorId: string;
  senderId: string;
  programId: 'SV';
  terminalId: string;
  posTransactionId: string;
  datetime: string;
}

export interface WalletContent {
  walletCode: number;
  quantity: string;
}

/** A 64-bit integer we send back exactly as Paytronix gave it (a JSON number, never rounded). */
export class Int64 {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new PartnerProtocolError(`not an integer id: ${digits}`);
  }

  toJSON(): string {
    return `__int64:${this.digits}__`;
  }
}

// ---- JSON with exact 64-bit ids ---------------------------------------------------------------

const ID_FIELDS = /("(?:pxTransactionId|originalPxTransactionId|undoneByPxTransactionId)"\s*:\s*)(-?\d+)/g;

/** JSON.parse, with the journal ids quoted first so that none loses precision above 2^53. */
export function parseExactJson(text: string): unknown {
  return JSON.parse(text.replace(ID_FIELDS, '$1"$2"')) as unknown;
}

export function stringifyExactJson(body: unknown): string {
  return JSON.stringify(body).replace(/"__int64:(-?\d+)__"/g, '$1');
}

// ---- the client -------------------------------------------------------------------------------

export class PaytronixClient {
  constructor(private readonly http: AxiosInstance) {}

  header(credentials: PaytronixCredentials, posTransactionId: string): HeaderInfo {
    return {
      merchantId: credentials.merchantId,
      storeCode: credentials.storeCode,
      operatorId: credentials.operatorId,
      senderId: credentials.senderId,
      programId: 'SV',
      terminalId: credentials.terminalId,
      posTransactionId: posTransactionId.slice(0, 255),
      datetime: new Date().toISOString(),
    };
  }

  /** `POST transaction/<name>.json`; the parsed reply, whatever its result. */
  async transaction(
    credentials: PaytronixCredentials,
    name: TxEndpoint,
    body: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<TxReply> {
    const response = await this.send(credentials, {
      method: 'POST',
      url: this.url(credentials, `transaction/${name}.json`),
      data: stringifyExactJson({ ...this.b2b(credentials), ...body }),
      timeout: timeoutMs,
    });
    return parseReply(response, txReplySchema, `transaction/${name}`);
  }

  /** Payment Service call (POST with a JSON body, GET with query parameters). */
  async payment(
    credentials: PaytronixCredentials,
    name: PaymentEndpoint,
    fields: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<PaymentReply> {
    const get = name === 'paymentIntent';
    const query = (): Record<string, string> =>
      Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, String(value)]));
    const response = await this.send(credentials, {
      method: get ? 'GET' : 'POST',
      url: this.url(credentials, `payment/${name}.json`),
      ...(get
        ? { params: { ...this.b2b(credentials), ...query() } }
        : { data: JSON.stringify({ ...this.b2b(credentials), ...fields }) }),
      timeout: timeoutMs,
    });
    return parseReply(response, paymentReplySchema, `payment/${name}`);
  }

  private url(credentials: PaytronixCredentials, path: string): string {
    return `${credentials.endpoint}/rest/${credentials.release}/${path}`;
  }

  private b2b(credentials: PaytronixCredentials): Record<string, string> {
    return { authentication: 'b2b', username: credentials.b2b.username, password: credentials.b2b.password };
  }

  private async send(
    credentials: PaytronixCredentials,
    config: Omit<Parameters<typeof partnerRequest>[1], 'headers'>,
  ): Promise<AxiosResponse<unknown>> {
    const basic = Buffer.from(
      `${credentials.integration.username}:${credentials.integration.password}`,
    ).toString('base64');
    try {
      return await partnerRequest<unknown>(this.http, {
        ...config,
        headers: {
          Authorization: `Basic ${basic}`,
          Accept: 'application/json',
          ...(config.data !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
      });
    } catch (error) {
      if (error instanceof UnknownOutcomeError) throw new UnknownOutcomeError(`Paytronix ${error.message}`);
      throw error;
    }
  }
}

function parseReply<S extends z.ZodType>(
  response: AxiosResponse<unknown>,
  schema: S,
  what: string,
): z.infer<S> {
  if (response.status === 404) {
    throw new PartnerRejectedError(`Paytronix ${what}: no such endpoint (HTTP 404)`, 'unknown_endpoint', 404);
  }
  if (response.status === 401 || response.status === 403) {
    // Refused before anything was done: a configuration failure for an operator, never an unknown outcome.
    const code = /"errorCode"\s*:\s*"([\w.]+)"/.exec(typeof response.data === 'string' ? response.data : '');
    throw new PartnerRejectedError(
      `Paytronix ${what}: our credentials were refused (HTTP ${response.status})`,
      code?.[1] ?? 'authentication_failed',
      response.status,
    );
  }
  if (response.status !== 200) {
    // Paytronix answers every outcome with 200: anything else says nothing about what happened.
    throw new UnknownOutcomeError(`Paytronix ${what}: HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = typeof response.data === 'string' ? parseExactJson(response.data) : undefined;
  } catch {
    body = undefined;
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new PartnerProtocolError(`Paytronix ${what}: unexpected reply (${fields})`);
  }
  return parsed.data;
}
