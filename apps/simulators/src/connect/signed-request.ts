import { authorizationHeader, rfc1123Date } from './v1hmac';

/**
 * Builds the headers a Connect client sends (Date, Content-Type, X-GCS-ServerMetaInfo, optional
 * X-GCS-Idempotence-Key, Authorization), for raw HTTP calls to the simulator from tests and the
 * benchmark without the SDK. `signedPath` lets a test sign one path and send another.
 */
export interface SignedRequestInit {
  method: string;
  /** Raw path + query as it will be sent, e.g. `/v1/1000/payments`. */
  path: string;
  body?: unknown;
  apiKeyId: string;
  secretApiKey: string;
  idempotenceKey?: string;
  date?: Date | string;
  /** Sent as is; `X-GCS-*` ones are signed. */
  extraHeaders?: Record<string, string>;
  signedPath?: string;
}

export function signedRequest(init: SignedRequestInit): { headers: Record<string, string>; body?: string } {
  const headers: Record<string, string> = {
    Date: typeof init.date === 'string' ? init.date : rfc1123Date(init.date ?? new Date()),
    'X-GCS-ServerMetaInfo': Buffer.from(
      JSON.stringify({
        platformIdentifier: 'Node.js',
        sdkIdentifier: 'TenderSimClient/v1',
        sdkCreator: 'Tender',
        integrator: 'Tender',
      }),
    ).toString('base64'),
    ...init.extraHeaders,
  };
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  }
  if (init.idempotenceKey) headers['X-GCS-Idempotence-Key'] = init.idempotenceKey;
  headers.Authorization = authorizationHeader(init.apiKeyId, init.secretApiKey, {
    method: init.method,
    contentType: headers['Content-Type'],
    date: headers.Date,
    headers: Object.entries(headers),
    path: init.signedPath ?? init.path,
  });
  return { headers, body };
}
