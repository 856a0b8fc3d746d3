import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Middleware } from 'openapi-fetch';
import type { OpenApiDocument } from '../../apps/api/src/openapi/document';

/**
 * The OpenAPI document checked with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1, with
 * ajv-formats):
 *
 * - {@link checkOpenApiDocument}: every component schema compiles in strict mode (an unknown keyword,
 *   a `$ref` that does not resolve or a `required` naming an undeclared property is a problem),
 *   every example is valid against its schema, and the OpenAPI rules JSON Schema cannot express
 *   hold (unique operationIds, declared tags, path templates and path parameters agree, security
 *   names declared schemes and scopes, parameter and header `$ref`s resolve);
 * - {@link responseProblems}: a real answer against what the document says of it (status, media
 *   type, body, `X-Request-Id`, `Retry-After` on a 429), and {@link documentedResponses}, an
 *   openapi-fetch middleware that throws on any call whose answer differs from the document.
 */

type Loose = any;

const SCHEMAS_BASE = 'https://tender.dev/schemas/';
const COMPONENT_REF = '#/components/schemas/';
const validators = new WeakMap<object, Ajv2020>();

/** `{ $ref: '#/components/schemas/X' }` → `{ $ref: '<SCHEMAS_BASE>X' }`, at any depth. */
function absoluteRefs(node: Loose): Loose {
  if (Array.isArray(node)) return node.map(absoluteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string'
        ? value.replace(COMPONENT_REF, SCHEMAS_BASE)
        : absoluteRefs(value),
    ]),
  );
}

/** ajv with every component schema of the document added under its own `$id`. */
function ajvOf(doc: OpenApiDocument): Ajv2020 {
  let ajv = validators.get(doc);
  if (!ajv) {
    ajv = new Ajv2020({ strict: true, strictRequired: true, allErrors: true });
    addFormats(ajv);
    for (const [name, schema] of Object.entries(doc.components.schemas))
      ajv.addSchema({ ...absoluteRefs(schema), $id: SCHEMAS_BASE + name });
    validators.set(doc, ajv);
  }
  return ajv;
}

/** A validator of `schema`, a schema of the document (its `$ref`s point at components). */
function compile(doc: OpenApiDocument, schema: Loose): ValidateFunction {
  return ajvOf(doc).compile(absoluteRefs(schema));
}

const describe = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((error) => `$${error.instancePath.replace(/\//g, '.')}: ${error.message}`);

/** Errors of `value` against `schema` (a schema of the document), `[]` when valid. */
export function validateAgainst(doc: OpenApiDocument, schema: Loose, value: unknown): string[] {
  const validate = compile(doc, schema);
  return validate(value) ? [] : describe(validate.errors);
}

function resolve(doc: OpenApiDocument, node: Loose): Loose {
  if (typeof node?.$ref !== 'string') return node;
  let target: Loose = doc;
  for (const key of node.$ref.slice(2).split('/')) target = target?.[key];
  return target;
}

/** Problems of an OpenAPI 3.1 document (empty when sound). */
export function checkOpenApiDocument(doc: OpenApiDocument): string[] {
  const problems: string[] = [];
  const attempt = (at: string, check: () => string[]) => {
    try {
      problems.push(...check().map((problem) => `${at}: ${problem}`));
    } catch (error) {
      problems.push(`${at}: ${(error as Error).message}`);
    }
  };
  if (!/^3\.1\.\d+$/.test(doc.openapi)) problems.push('openapi must be 3.1.x');
  for (const name of Object.keys(doc.components.schemas)) {
    attempt(`components.schemas.${name}`, () => (compile(doc, { $ref: `#/components/schemas/${name}` }), []));
  }
  const schemes: Record<string, Loose> = (doc.components as Loose).securitySchemes ?? {};
  const tags = new Set(((doc as Loose).tags ?? []).map((tag: Loose) => tag.name));
  const operationIds = new Set<string>();
  const checkContent = (content: Loose, at: string) => {
    for (const [mediaType, media] of Object.entries<Loose>(content ?? {})) {
      attempt(`${at}.${mediaType}`, () => {
        const validate = compile(doc, media.schema);
        if (media.example === undefined || validate(media.example)) return [];
        return describe(validate.errors).map((error) => `example: ${error}`);
      });
    }
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    for (const [method, op] of Object.entries<Loose>(item)) {
      const at = `paths.${path}.${method}`;
      if (operationIds.has(op.operationId))
        problems.push(`${at}: operationId ${op.operationId} is not unique`);
      operationIds.add(op.operationId);
      for (const tag of op.tags ?? []) if (!tags.has(tag)) problems.push(`${at}: tag ${tag} is not declared`);
      const parameters = (op.parameters ?? []).map((parameter: Loose) => resolve(doc, parameter));
      if (parameters.includes(undefined)) problems.push(`${at}: a parameter $ref does not resolve`);
      for (const p of parameters.filter(Boolean))
        attempt(`${at}.parameters.${p.name}`, () => (compile(doc, p.schema), []));
      const pathParams = parameters.filter((p: Loose) => p?.in === 'path').map((p: Loose) => p.name);
      for (const name of templated)
        if (!pathParams.includes(name)) problems.push(`${at}: {${name}} has no path parameter`);
      for (const name of pathParams)
        if (!templated.includes(name)) problems.push(`${at}: path parameter ${name} is not in the path`);
      if (op.requestBody) checkContent(op.requestBody.content, `${at}.requestBody`);
      for (const [status, response] of Object.entries<Loose>(op.responses ?? {})) {
        for (const [name, header] of Object.entries<Loose>(response.headers ?? {})) {
          const resolved = resolve(doc, header);
          if (!resolved) problems.push(`${at}.${status}: header ${name} does not resolve`);
          else attempt(`${at}.${status}.headers.${name}`, () => (compile(doc, resolved.schema), []));
        }
        checkContent(response.content, `${at}.responses.${status}`);
      }
      if (!Array.isArray(op.security)) problems.push(`${at}: security must be explicit`);
      for (const requirement of op.security ?? []) {
        for (const [scheme, scopes] of Object.entries<string[]>(requirement)) {
          const declared = schemes[scheme];
          if (!declared) problems.push(`${at}: security scheme ${scheme} is not declared`);
          const known = Object.values<Loose>(declared?.flows ?? {}).flatMap((f) => Object.keys(f.scopes));
          for (const scope of scopes)
            if (!known.includes(scope)) problems.push(`${at}: unknown scope ${scope}`);
        }
      }
    }
  }
  return problems;
}

export interface ObservedResponse {
  method: string;
  /** The OpenAPI template of the path: `/v2/payments/{id}`. */
  path: string;
  status: number;
  headers: Headers;
  text: string;
}

/** How a real answer differs from what the document says of it (`[]`: it is documented). */
export function responseProblems(doc: OpenApiDocument, response: ObservedResponse): string[] {
  const operation = (doc.paths[response.path] as Loose)?.[response.method.toLowerCase()];
  if (!operation) return [`${response.method} ${response.path} is not in the document`];
  const documented = operation.responses[String(response.status)];
  if (!documented) return [`status ${response.status} is not documented`];
  const problems: string[] = [];
  if (!response.headers.get('x-request-id')) problems.push('no X-Request-Id header');
  if (documented.headers?.['Retry-After'] && !/^\d+$/.test(response.headers.get('retry-after') ?? ''))
    problems.push('no Retry-After header (seconds)');
  if (!documented.content) return response.text === '' ? problems : [...problems, 'a body, none documented'];
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0];
  const media = documented.content[mediaType];
  if (!media) return [...problems, `media type ${mediaType} is not documented for ${response.status}`];
  if (!/json$/.test(mediaType)) return response.text ? problems : [...problems, 'an empty body'];
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return [...problems, `the body is not JSON: ${response.text.slice(0, 200)}`];
  }
  return [...problems, ...validateAgainst(doc, media.schema, body)];
}

const texts = new WeakMap<Response, string>();

/** The raw body of a response the {@link documentedResponses} middleware saw. */
export function responseText(response: Response): string {
  const text = texts.get(response);
  if (text === undefined) throw new Error('responseText: not a response of a checked client');
  return text;
}

/** openapi-fetch middleware: every answer must be what the document says, or the call throws. */
export function documentedResponses(doc: OpenApiDocument): Middleware {
  return {
    async onResponse({ request, response, schemaPath }) {
      const text = await response.clone().text();
      texts.set(response, text);
      const problems = responseProblems(doc, {
        method: request.method,
        path: schemaPath,
        status: response.status,
        headers: response.headers,
        text,
      });
      if (problems.length > 0) {
        throw new Error(
          `${request.method} ${schemaPath} → ${response.status} differs from /openapi.json:\n` +
            `${problems.join('\n')}\n${text.slice(0, 500)}`,
        );
      }
    },
  };
}
