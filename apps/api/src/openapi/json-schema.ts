/**
 * A small JSON Schema (draft 2020-12) toolkit for our own OpenAPI document, with no dependency:
 *
 * - {@link checkOpenApiDocument}: structural checks (every `$ref` resolves, `required` names
 *   declared properties, path templates match path parameters, security names declared schemes
 *   and scopes, examples and defaults are valid…). Returns the problems found, empty when sound.
 * - {@link validate}: validates a value against a schema of the document. It knows exactly the
 *   keywords our schemas use and THROWS on any other, so a new keyword can never be ignored
 *   silently.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, unknown> | boolean;
/** Schemas and documents are walked as loose JSON. */
type Loose = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Keywords that only annotate: no effect on validation. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  'default',
  'examples',
  'example',
  'deprecated',
  'readOnly',
  'writeOnly',
  'format', // an annotation by default in 2020-12
  '$comment',
]);

const ASSERTIONS = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'anyOf',
  'oneOf',
  'allOf',
]);

const TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'integer', 'string']);

/** Resolves a local JSON pointer (`#/components/schemas/Payment`). */
export function resolvePointer(root: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeOf(value) === type;
  }
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Errors of `value` against `schema` (`[]` when valid); `$ref`s resolve against `root`. */
export function validate(schema: Schema, value: unknown, root: unknown, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: no value is allowed here`];
  const errors: string[] = [];
  for (const keyword of Object.keys(schema)) {
    if (!ASSERTIONS.has(keyword) && !ANNOTATIONS.has(keyword)) {
      throw new Error(`validate: unsupported keyword "${keyword}" at ${path}`);
    }
  }
  const s = schema as Record<string, Loose>;
  if (s.$ref !== undefined) {
    const target = resolvePointer(root, s.$ref);
    if (target === undefined) throw new Error(`validate: unresolvable $ref ${s.$ref}`);
    errors.push(...validate(target as Schema, value, root, path));
  }
  if (s.type !== undefined) {
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((type) => matchesType(value, type))) {
      return [...errors, `${path}: expected ${types.join(' or ')}, got ${typeOf(value)}`];
    }
  }
  if (s.enum !== undefined && !s.enum.some((option: unknown) => jsonEqual(option, value))) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  }
  if (s.const !== undefined && !jsonEqual(s.const, value)) {
    errors.push(`${path}: must be ${JSON.stringify(s.const)}`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (s.minLength !== undefined && length < s.minLength)
      errors.push(`${path}: shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && length > s.maxLength) errors.push(`${path}: longer than ${s.maxLength}`);
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) {
      errors.push(`${path}: does not match ${s.pattern}`);
    }
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) errors.push(`${path}: below ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) errors.push(`${path}: above ${s.maximum}`);
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum)
      errors.push(`${path}: not above ${s.exclusiveMinimum}`);
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum)
      errors.push(`${path}: not below ${s.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems)
      errors.push(`${path}: fewer than ${s.minItems} items`);
    if (s.maxItems !== undefined && value.length > s.maxItems)
      errors.push(`${path}: more than ${s.maxItems} items`);
    if (s.items !== undefined)
      value.forEach((item, i) => errors.push(...validate(s.items, item, root, `${path}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties: Record<string, Schema> = s.properties ?? {};
    for (const name of s.required ?? []) {
      if (!(name in object)) errors.push(`${path}.${name}: is required`);
    }
    for (const [name, child] of Object.entries(object)) {
      if (name in properties) errors.push(...validate(properties[name], child, root, `${path}.${name}`));
      else if (s.additionalProperties !== undefined) {
        errors.push(...validate(s.additionalProperties, child, root, `${path}.${name}`));
      }
      if (s.propertyNames !== undefined)
        errors.push(...validate(s.propertyNames, name, root, `${path}{${name}}`));
    }
  }
  if (s.allOf !== undefined) for (const part of s.allOf) errors.push(...validate(part, value, root, path));
  if (
    s.anyOf !== undefined &&
    !s.anyOf.some((part: Schema) => validate(part, value, root, path).length === 0)
  ) {
    errors.push(`${path}: matches none of anyOf`);
  }
  if (s.oneOf !== undefined) {
    const matching = s.oneOf.filter((part: Schema) => validate(part, value, root, path).length === 0).length;
    if (matching !== 1) errors.push(`${path}: matches ${matching} of oneOf, not exactly one`);
  }
  return errors;
}

/** Structural problems of a schema (and its sub-schemas); `$ref`s must resolve in `root`. */
function checkSchema(schema: unknown, root: unknown, at: string, problems: string[]): void {
  if (typeof schema === 'boolean') return;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    problems.push(`${at}: a schema must be an object or a boolean`);
    return;
  }
  const s = schema as Record<string, Loose>;
  for (const keyword of Object.keys(s)) {
    if (!ASSERTIONS.has(keyword) && !ANNOTATIONS.has(keyword))
      problems.push(`${at}: unknown keyword "${keyword}"`);
  }
  if (s.$ref !== undefined) {
    if (typeof s.$ref !== 'string' || resolvePointer(root, s.$ref) === undefined) {
      problems.push(`${at}: $ref ${JSON.stringify(s.$ref)} does not resolve`);
    }
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    for (const type of types)
      if (!TYPES.has(type)) problems.push(`${at}: unknown type ${JSON.stringify(type)}`);
  }
  if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0)) {
    problems.push(`${at}: enum must be a non-empty array`);
  }
  if (s.properties !== undefined) {
    if (typeOf(s.properties) !== 'object') problems.push(`${at}: properties must be an object`);
    else
      for (const [name, child] of Object.entries(s.properties))
        checkSchema(child, root, `${at}.properties.${name}`, problems);
  }
  if (s.required !== undefined) {
    if (!Array.isArray(s.required) || new Set(s.required).size !== s.required.length) {
      problems.push(`${at}: required must be an array of distinct names`);
    } else {
      for (const name of s.required) {
        if (!s.properties || !(name in s.properties))
          problems.push(`${at}: required "${name}" is not a declared property`);
      }
    }
  }
  for (const keyword of ['additionalProperties', 'propertyNames', 'items']) {
    if (s[keyword] !== undefined) checkSchema(s[keyword], root, `${at}.${keyword}`, problems);
  }
  for (const keyword of ['anyOf', 'oneOf', 'allOf']) {
    if (s[keyword] === undefined) continue;
    if (!Array.isArray(s[keyword]) || s[keyword].length === 0)
      problems.push(`${at}: ${keyword} must be a non-empty array`);
    else
      s[keyword].forEach((part: unknown, i: number) =>
        checkSchema(part, root, `${at}.${keyword}[${i}]`, problems),
      );
  }
  for (const [low, high] of [
    ['minimum', 'maximum'],
    ['minLength', 'maxLength'],
    ['minItems', 'maxItems'],
  ]) {
    if (s[low] !== undefined && s[high] !== undefined && s[low] > s[high])
      problems.push(`${at}: ${low} > ${high}`);
  }
  for (const keyword of ['minLength', 'maxLength', 'minItems', 'maxItems']) {
    if (s[keyword] !== undefined && !(Number.isInteger(s[keyword]) && s[keyword] >= 0)) {
      problems.push(`${at}: ${keyword} must be a non-negative integer`);
    }
  }
  if (s.pattern !== undefined) {
    try {
      new RegExp(s.pattern, 'u');
    } catch {
      problems.push(`${at}: pattern ${s.pattern} is not a valid regular expression`);
    }
  }
  if (s.default !== undefined) {
    try {
      for (const error of validate(s, s.default, root)) problems.push(`${at}: default is invalid: ${error}`);
    } catch (error) {
      problems.push(`${at}: default cannot be checked: ${(error as Error).message}`);
    }
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Structural problems of an OpenAPI 3.1 document (empty when none). */
export function checkOpenApiDocument(doc: Loose): string[] {
  const problems: string[] = [];
  if (typeof doc?.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi))
    problems.push('openapi must be 3.1.x');
  if (typeof doc?.info?.title !== 'string' || typeof doc?.info?.version !== 'string') {
    problems.push('info.title and info.version are required strings');
  }
  const schemes: Record<string, Loose> = doc?.components?.securitySchemes ?? {};
  const tags = new Set((doc?.tags ?? []).map((tag: { name: string }) => tag.name));
  const operationIds = new Set<string>();

  for (const [name, schema] of Object.entries<unknown>(doc?.components?.schemas ?? {})) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) problems.push(`components.schemas: bad name ${name}`);
    checkSchema(schema, doc, `components.schemas.${name}`, problems);
  }

  const checkParameter = (parameter: Loose, at: string): Loose => {
    const p = parameter?.$ref ? resolvePointer(doc, parameter.$ref) : parameter;
    if (!p) {
      problems.push(`${at}: $ref ${parameter?.$ref} does not resolve`);
      return undefined;
    }
    if (typeof p.name !== 'string' || !['path', 'query', 'header', 'cookie'].includes(p.in)) {
      problems.push(`${at}: a parameter needs a name and a valid "in"`);
    }
    if (p.in === 'path' && p.required !== true)
      problems.push(`${at}: path parameter ${p.name} must be required`);
    checkSchema(p.schema, doc, `${at}.schema`, problems);
    return p;
  };

  const checkContent = (content: Loose, at: string) => {
    for (const [mediaType, media] of Object.entries<Loose>(content ?? {})) {
      if (!/^[\w.+-]+\/[\w.+-]+$/.test(mediaType)) problems.push(`${at}: bad media type ${mediaType}`);
      checkSchema(media.schema, doc, `${at}.${mediaType}.schema`, problems);
      if (media.example !== undefined && media.schema) {
        try {
          for (const error of validate(media.schema, media.example, doc))
            problems.push(`${at}.${mediaType}.example: ${error}`);
        } catch (error) {
          problems.push(`${at}.${mediaType}.example: cannot be checked: ${(error as Error).message}`);
        }
      }
    }
  };

  const checkHeaders = (headers: Loose, at: string) => {
    for (const [name, header] of Object.entries<Loose>(headers ?? {})) {
      const h = header?.$ref ? resolvePointer(doc, header.$ref) : header;
      if (!h) problems.push(`${at}.${name}: $ref ${header.$ref} does not resolve`);
      else checkSchema(h.schema, doc, `${at}.${name}.schema`, problems);
    }
  };

  for (const [path, item] of Object.entries<Loose>(doc?.paths ?? {})) {
    if (!path.startsWith('/')) problems.push(`paths: ${path} must start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const method of Object.keys(item)) {
      const at = `paths.${path}.${method}`;
      if (!METHODS.includes(method)) {
        problems.push(`${at}: unknown method`);
        continue;
      }
      const op = item[method];
      if (typeof op.operationId !== 'string' || operationIds.has(op.operationId)) {
        problems.push(`${at}: operationId missing or duplicated`);
      }
      operationIds.add(op.operationId);
      for (const tag of op.tags ?? []) if (!tags.has(tag)) problems.push(`${at}: tag ${tag} is not declared`);

      const parameters = (op.parameters ?? []).map((p: unknown, i: number) =>
        checkParameter(p, `${at}.parameters[${i}]`),
      );
      const keys = parameters.filter(Boolean).map((p: Loose) => `${p.in}:${p.name.toLowerCase()}`);
      if (new Set(keys).size !== keys.length) problems.push(`${at}: duplicated parameters`);
      const pathParams = parameters.filter((p: Loose) => p?.in === 'path').map((p: Loose) => p.name);
      for (const name of templated)
        if (!pathParams.includes(name)) problems.push(`${at}: {${name}} has no path parameter`);
      for (const name of pathParams)
        if (!templated.includes(name)) problems.push(`${at}: path parameter ${name} is not in the path`);

      if (op.requestBody) checkContent(op.requestBody.content, `${at}.requestBody`);
      const responses = Object.entries<Loose>(op.responses ?? {});
      if (responses.length === 0) problems.push(`${at}: no responses`);
      for (const [status, response] of responses) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${at}: bad status ${status}`);
        if (typeof response.description !== 'string')
          problems.push(`${at}.${status}: description is required`);
        checkHeaders(response.headers, `${at}.responses.${status}.headers`);
        checkContent(response.content, `${at}.responses.${status}`);
      }
      if (!Array.isArray(op.security)) problems.push(`${at}: security must be explicit`);
      for (const requirement of op.security ?? []) {
        for (const [scheme, scopes] of Object.entries<Loose>(requirement)) {
          const declared = schemes[scheme];
          if (!declared) problems.push(`${at}: security scheme ${scheme} is not declared`);
          else if (declared.type === 'oauth2') {
            const known = Object.values<Loose>(declared.flows).flatMap((flow) =>
              Object.keys(flow.scopes ?? {}),
            );
            for (const scope of scopes)
              if (!known.includes(scope)) problems.push(`${at}: unknown scope ${scope}`);
          }
        }
      }
    }
  }
  return problems;
}
