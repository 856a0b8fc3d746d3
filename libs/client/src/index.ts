import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './generated/openapi';

export type { components, operations, paths };

/** The request and response bodies of the API, by component name: `Schemas['Payment']`. */
export type Schemas = components['schemas'];

export type TenderClient = Client<paths>;

export interface TenderClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** An access token of POST /oauth2/token, sent as `Authorization: Bearer <token>`. */
  accessToken?: string;
}

/**
 * A typed client of the Tender API (openapi-fetch over the types generated from /openapi.json):
 * paths, parameters, bodies and answers are checked by TypeScript against the document. A call
 * resolves to `{ data, response }` for a 2xx and `{ error, response }` otherwise (the problem+json
 * or RFC 6749 error); it never throws on an HTTP status.
 */
export function createTenderClient(baseUrl: string, options: TenderClientOptions = {}): TenderClient {
  const { accessToken, ...clientOptions } = options;
  const client = createClient<paths>({ baseUrl, ...clientOptions });
  if (accessToken) {
    client.use({
      onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${accessToken}`);
      },
    });
  }
  return client;
}
