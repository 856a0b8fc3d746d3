import type { z } from 'zod';
import type { Scope } from '@tender/auth';
import type { RateLimitKind } from '../rate-limits';
import type { ResponseSchemaName } from './response-schemas';

/** What the OpenAPI document says about one endpoint (see routes.ts). */
export type HttpMethod = 'get' | 'post';
export type Tag =
  | 'OAuth2'
  | 'Client sessions'
  | 'Payments'
  | 'Webhooks'
  | 'Shopper redirection'
  | 'Checkout'
  | 'Discovery'
  | 'Health'
  | 'Operations';
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

export interface HeaderDoc {
  description: string;
  schema?: Record<string, unknown>;
}

export interface RouteResponse {
  status: number;
  description: string;
  /** JSON body (application/json), by component name. */
  schema?: ResponseSchemaName;
  /** Other media types, without a schema (HTML pages, files). */
  mediaType?: string | readonly string[];
  headers?: Record<string, HeaderDoc>;
  example?: unknown;
}

export interface RequestBodyDoc {
  /** The zod schema the controller parses the body with (or, when `unparsed`, a documentation-only schema). */
  schema: z.ZodType;
  /** The handler reads the body itself (no zod validation, so no `validation_error`). */
  unparsed?: boolean;
  /** Its component name. */
  name: string;
  required: boolean;
  mediaTypes?: readonly string[];
  example?: unknown;
}

export interface ParameterDoc {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description: string;
  schema: Record<string, unknown>;
}

export interface RouteSpec {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI template: `/v2/payments/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: Tag;
  /** Any ONE of these scopes is enough (like `@Scopes`); null: public, no token. */
  scopes: readonly Scope[] | null;
  /** The `@RateLimit` of the handler: it may answer 429 with `Retry-After`. */
  rateLimit?: RateLimitKind;
  /** Descriptions of the path parameters that are UUIDs. */
  pathParams?: Record<string, string>;
  /** Other parameters (a path parameter that is not a UUID, query, headers of the route). */
  parameters?: readonly ParameterDoc[];
  /** Takes `Cache-Control: max-age=N` (GET payment). */
  cacheControl?: boolean;
  requestBody?: RequestBodyDoc;
  /** Successful answers; the first is the one `@HttpCode` (or Nest's default) sets. */
  responses: readonly [RouteResponse, ...RouteResponse[]];
  /** problem+json answers specific to this route, with the codes they carry. */
  errors?: Partial<Record<ProblemStatus, string>>;
  /** The token endpoint: 400/401 are RFC 6749 errors, not problems. */
  oauthErrors?: boolean;
  /** Security requirements other than OAuth2 scopes (alternatives; `{}` = none needed). */
  security?: ReadonlyArray<Record<string, string[]>>;
}
