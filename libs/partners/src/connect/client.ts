import type { AxiosInstance } from 'axios';
import type {
  APIError,
  AmountOfMoney,
  ApproveRefundRequest,
  CancelPaymentResponse,
  CapturePaymentRequest,
  CaptureResponse,
  CapturesResponse,
  CreatePaymentRequest,
  CreatePaymentResponse,
  FindPaymentsResponse,
  PaymentErrorResponse,
  PaymentResponse,
  RefundErrorResponse,
  RefundRequest,
  RefundResponse,
  RefundsResponse,
} from 'connect-sdk-nodejs/lib/v1/model/domain';
import {
  PartnerProtocolError,
  PartnerRejectedError,
  UnknownOutcomeError,
  type PartnerAccountConfig,
} from '../adapter';
import { partnerRequest } from '../http';
import { rfc1123, serverMetaInfo, v1HmacAuthorization } from './signing';

/**
 * Wire access to the Connect Server API v1: credentials, signed requests, typed calls.
 *
 * Why axios and not `connect-sdk-nodejs`: the SDK builds one client per configuration (5.2.0's
 * `init()` returns a client bound to one key pair; older versions kept it module-global), so
 * per-entity credentials would mean one SDK client per account, created and cached by us anyway.
 * More decisively, it has no per-call deadline (only a socket idle timeout), hides the
 * `X-GCS-Idempotence-Request-Timestamp` replay marker behind its own call-context object, logs
 * through its own logger, and its error classes would have to be re-mapped to ours. Signing is
 * 60 lines (`signing.ts`, pinned to the published vectors), so we call the API with the shared
 * `partnerRequest()` (keep-alive agents, timeouts/resets/5xx → UnknownOutcomeError) instead. The
 * SDK is still used for its domain *types* (type-only imports, nothing at runtime), so field names
 * are the official ones.
 */

export type {
  APIError,
  AmountOfMoney,
  CancelPaymentResponse,
  CaptureResponse,
  CreatePaymentRequest,
  CreatePaymentResponse,
  PaymentErrorResponse,
  PaymentResponse,
  RefundErrorResponse,
  RefundResponse,
};

/** `partner_account.credentials` for Connect (the demo seed and the simulator defaults use these names). */
export interface ConnectCredentials {
  /** Scheme + host (+ port) without a path, e.g. `https://eu.api-ingenico.com` / `http://127.0.0.1:4101`. */
  endpoint: string;
  merchantId: string;
  apiKeyId: string;
  secretApiKey: string;
  webhookKeyId?: string;
  webhookSecret?: string;
  /** Sent in `X-GCS-ServerMetaInfo`. Default 'Tender'. */
  integrator: string;
}

function text(credentials: Record<string, unknown>, name: string, required: true): string;
function text(credentials: Record<string, unknown>, name: string, required: false): string | undefined;
function text(credentials: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = credentials[name];
  if (value === undefined || value === null || value === '') {
    if (required) throw new PartnerRejectedError(`connect account credentials: ${name} is missing`);
    return undefined;
  }
  // Never echo the value: it may be a secret.
  if (typeof value !== 'string')
    throw new PartnerRejectedError(`connect account credentials: ${name} must be a string`);
  return value;
}

/** Reads and checks the account credentials (a configuration error is permanent: PartnerRejectedError). */
export function connectCredentials(account: PartnerAccountConfig): ConnectCredentials {
  const raw = account.credentials ?? {};
  const endpoint = text(raw, 'endpoint', true);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new PartnerRejectedError('connect account credentials: endpoint is not a URL');
  }
  // The SDKs reject an endpoint with a path, user info, query or fragment (digest §1).
  if (
    !['http:', 'https:'].includes(url.protocol) ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw new PartnerRejectedError(
      'connect account credentials: endpoint must be scheme://host[:port] without a path',
    );
  }
  return {
    endpoint: `${url.protocol}//${url.host}`,
    merchantId: text(raw, 'merchantId', true),
    apiKeyId: text(raw, 'apiKeyId', true),
    secretApiKey: text(raw, 'secretApiKey', true),
    webhookKeyId: text(raw, 'webhookKeyId', false),
    webhookSecret: text(raw, 'webhookSecret', false),
    integrator: text(raw, 'integrator', false) ?? 'Tender',
  };
}

/** One HTTP answer from Connect, body parsed (undefined when empty or not JSON). */
export interface ConnectAnswer<T> {
  status: number;
  body: T | undefined;
  /** First characters of a non-JSON body, for error messages. */
  text?: string;
  /**
   * The answer carries `X-GCS-Idempotence-Request-Timestamp`: it is the replay of an earlier request
   * with the same idempotence key (or the 409 about one still running), not a new execution.
   */
  replayed: boolean;
  location?: string;
}

const IDEMPOTENCE_TIMESTAMP = 'x-gcs-idempotence-request-timestamp';

interface CallOptions {
  body?: unknown;
  idempotenceKey?: string;
  query?: Record<string, string | number | undefined>;
}

/** A Connect API client bound to one account and one per-call deadline. */
export class ConnectClient {
  constructor(
    private readonly http: AxiosInstance,
    readonly credentials: ConnectCredentials,
    private readonly timeoutMs: number,
  ) {}

  /**
   * A signed call. `resource` is the path below `/v1/{merchantId}` (e.g. `/payments/123/capture`),
   * segments already encoded with `segment()`. Throws UnknownOutcomeError on timeout / reset / 5xx;
   * every other status is returned for the caller to map.
   */
  async call<T>(
    method: 'GET' | 'POST',
    resource: string,
    options: CallOptions = {},
  ): Promise<ConnectAnswer<T>> {
    const { credentials } = this;
    let path = `/v1/${segment(credentials.merchantId)}${resource}`;
    const query = Object.entries(options.query ?? {}).filter(
      (entry): entry is [string, string | number] => entry[1] !== undefined,
    );
    if (query.length > 0) {
      path += `?${query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}`;
    }
    const headers: Record<string, string> = {
      Date: rfc1123(),
      'X-GCS-ServerMetaInfo': serverMetaInfo(credentials.integrator),
    };
    let data: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      data = JSON.stringify(options.body);
    }
    if (options.idempotenceKey !== undefined) headers['X-GCS-Idempotence-Key'] = options.idempotenceKey;
    headers.Authorization = v1HmacAuthorization(credentials.apiKeyId, credentials.secretApiKey, {
      method,
      contentType: headers['Content-Type'],
      date: headers.Date,
      headers,
      path,
    });

    let response;
    try {
      response = await partnerRequest<string>(this.http, {
        method,
        url: `${credentials.endpoint}${path}`,
        // Without a body no Content-Type is signed, so none may be sent: axios would add
        // `application/x-www-form-urlencoded` to a body-less POST unless told not to.
        headers: data === undefined ? { ...headers, 'Content-Type': false } : headers,
        data,
        timeout: this.timeoutMs,
        responseType: 'text',
        transformResponse: [(raw: unknown) => raw],
        validateStatus: () => true,
        maxRedirects: 0,
      });
    } catch (error) {
      if (error instanceof UnknownOutcomeError) {
        // Drop the axios error as cause: its config holds the signed headers and the body (card token).
        throw new UnknownOutcomeError(`connect ${error.message}`);
      }
      throw error;
    }

    const raw = typeof response.data === 'string' ? response.data : '';
    let body: T | undefined;
    let textBody: string | undefined;
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw) as T;
      } catch {
        textBody = raw.slice(0, 200);
      }
    }
    const header = (name: string): string | undefined => {
      // Node's HTTP client gives header values as strings (arrays only for set-cookie).
      const value: unknown = response.headers?.[name];
      return typeof value === 'string' ? value : undefined;
    };
    if (response.status < 200 || response.status >= 400) {
      return {
        status: response.status,
        body,
        text: textBody,
        replayed: header(IDEMPOTENCE_TIMESTAMP) !== undefined,
      };
    }
    if (response.status >= 300) {
      throw new PartnerProtocolError(`connect ${method} ${path}: unexpected HTTP ${response.status}`);
    }
    return {
      status: response.status,
      body,
      text: textBody,
      replayed: header(IDEMPOTENCE_TIMESTAMP) !== undefined,
      location: header('location'),
    };
  }

  // ---- typed calls (paths and methods: digest §4) ----------------------------------------------

  createPayment(body: CreatePaymentRequest, idempotenceKey: string) {
    return this.call<CreatePaymentResponse & PaymentErrorResponse>('POST', '/payments', {
      body,
      idempotenceKey,
    });
  }

  getPayment(paymentId: string) {
    return this.call<PaymentResponse>('GET', `/payments/${segment(paymentId)}`);
  }

  findPayments(merchantReference: string) {
    return this.call<FindPaymentsResponse>('GET', '/payments', { query: { merchantReference, limit: 100 } });
  }

  processChallenged(paymentId: string, idempotenceKey: string) {
    return this.call<PaymentResponse>('POST', `/payments/${segment(paymentId)}/processchallenged`, {
      idempotenceKey,
    });
  }

  capture(paymentId: string, body: CapturePaymentRequest, idempotenceKey: string) {
    return this.call<CaptureResponse>('POST', `/payments/${segment(paymentId)}/capture`, {
      body,
      idempotenceKey,
    });
  }

  captures(paymentId: string) {
    return this.call<CapturesResponse>('GET', `/payments/${segment(paymentId)}/captures`);
  }

  cancel(paymentId: string, idempotenceKey: string) {
    return this.call<CancelPaymentResponse>('POST', `/payments/${segment(paymentId)}/cancel`, {
      idempotenceKey,
    });
  }

  refund(paymentId: string, body: RefundRequest, idempotenceKey: string) {
    return this.call<RefundResponse & RefundErrorResponse>('POST', `/payments/${segment(paymentId)}/refund`, {
      body,
      idempotenceKey,
    });
  }

  refunds(paymentId: string) {
    return this.call<RefundsResponse>('GET', `/payments/${segment(paymentId)}/refunds`);
  }

  getRefund(refundId: string) {
    return this.call<RefundResponse>('GET', `/refunds/${segment(refundId)}`);
  }

  approveRefund(refundId: string, body: ApproveRefundRequest, idempotenceKey: string) {
    return this.call<undefined>('POST', `/refunds/${segment(refundId)}/approve`, { body, idempotenceKey });
  }
}

/** One path segment, percent-encoded (ids are digits and '-', but never trust that). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
