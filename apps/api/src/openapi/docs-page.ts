import type { JsonSchema, OpenApiDocument } from './document';
import { resolvePointer } from './json-schema';

/**
 * `GET /docs`: a self-contained HTML reference rendered from the OpenAPI document (no script, no
 * CDN, works offline): endpoints by tag with their security, parameters, bodies, responses and
 * examples, then every schema as a property table.
 */

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** The little markdown our descriptions use: `code`, paragraphs. */
function prose(text: string | undefined): string {
  if (!text) return '';
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('');
}

const anchor = (kind: string, name: string) => `${kind}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
const refName = (ref: string) => ref.split('/').pop() ?? ref;
const schemaLink = (ref: string) =>
  `<a href="#${anchor('schema', refName(ref))}">${escapeHtml(refName(ref))}</a>`;

function typeLabel(schema: Any): string {
  if (
    schema === true ||
    schema === undefined ||
    (typeof schema === 'object' && Object.keys(schema).length === 0)
  ) {
    return 'any';
  }
  if (schema.$ref) return schemaLink(schema.$ref);
  if (schema.oneOf || schema.anyOf) return (schema.oneOf ?? schema.anyOf).map(typeLabel).join(' | ');
  if (schema.const !== undefined) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const label = types
    .map((type) => {
      if (type === 'array') return `array of ${typeLabel(schema.items)}`;
      if (
        type === 'object' &&
        !schema.properties &&
        schema.additionalProperties &&
        schema.additionalProperties !== true
      ) {
        return `map of ${typeLabel(schema.additionalProperties)}`;
      }
      return schema.format ? `${type} (${escapeHtml(schema.format)})` : type;
    })
    .join(' | ');
  return label || 'any';
}

function constraints(schema: Any): string[] {
  const out: string[] = [];
  if (schema.enum)
    out.push(`one of ${schema.enum.map((v: unknown) => `<code>${escapeHtml(String(v))}</code>`).join(', ')}`);
  const range = (low: string, high: string, what: string) => {
    if (schema[low] !== undefined && schema[high] !== undefined)
      out.push(`${what} ${schema[low]}…${schema[high]}`);
    else if (schema[low] !== undefined) out.push(`${what} ≥ ${schema[low]}`);
    else if (schema[high] !== undefined) out.push(`${what} ≤ ${schema[high]}`);
  };
  range('minLength', 'maxLength', 'length');
  range('minItems', 'maxItems', 'items');
  if (schema.exclusiveMinimum !== undefined) out.push(`&gt; ${schema.exclusiveMinimum}`);
  // Integers are bounded by MAX_SAFE_INTEGER everywhere: not worth repeating.
  const maximum =
    schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined;
  range('minimum', maximum === undefined ? '_' : 'maximum', 'value');
  if (schema.pattern && !schema.format && schema.pattern.length <= 80) {
    out.push(`pattern <code>${escapeHtml(schema.pattern)}</code>`);
  }
  if (schema.default !== undefined)
    out.push(`default <code>${escapeHtml(JSON.stringify(schema.default))}</code>`);
  if (schema.additionalProperties === false) out.push('no other properties');
  return out;
}

/** A table of the properties of an object schema; inline sub-objects nest (named ones link). */
function propertyTable(schema: Any, depth = 0): string {
  const target = schema?.type === 'array' && schema.items && !schema.items.$ref ? schema.items : schema;
  if (!target?.properties || depth > 4) return '';
  const required = new Set<string>(target.required ?? []);
  const rows = Object.entries<Any>(target.properties).map(([name, property]) => {
    const nested = propertyTable(property, depth + 1);
    const notes = constraints(property);
    return (
      `<tr><td><code>${escapeHtml(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td>` +
      `<td>${typeLabel(property)}</td>` +
      `<td>${prose(property.description)}${notes.length ? `<p class="notes">${notes.join(' · ')}</p>` : ''}${nested}</td></tr>`
    );
  });
  return `<table class="props"><thead><tr><th>Property</th><th>Type</th><th>Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function example(value: unknown, title = 'Example'): string {
  if (value === undefined) return '';
  return `<details><summary>${title}</summary><pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre></details>`;
}

function parameterRows(doc: OpenApiDocument, parameters: Any[]): string {
  if (!parameters?.length) return '';
  const rows = parameters.map((raw) => {
    const p: Any = raw.$ref ? resolvePointer(doc, raw.$ref) : raw;
    return (
      `<tr><td><code>${escapeHtml(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td>` +
      `<td>${p.in}</td><td>${typeLabel(p.schema)}</td><td>${prose(p.description)}</td></tr>`
    );
  });
  return `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function content(media: Record<string, Any> | undefined): string {
  if (!media) return '';
  return Object.entries(media)
    .map(
      ([type, m]) =>
        `<code>${escapeHtml(type)}</code>${m.schema?.$ref ? ` → ${schemaLink(m.schema.$ref)}` : ''}`,
    )
    .join('<br>');
}

function security(doc: OpenApiDocument, op: Any): string {
  const requirements: Array<Record<string, string[]>> = op.security ?? [];
  if (requirements.length === 0) return '<p class="auth public">Public: no access token.</p>';
  const scopes = requirements.flatMap((r) => r.oauth2 ?? []);
  if (scopes.length) {
    return `<p class="auth">Bearer access token with the scope ${scopes.map((s) => `<code>${s}</code>`).join(' or ')}.</p>`;
  }
  const schemes = requirements.map((r) => Object.keys(r)[0] ?? 'none');
  return `<p class="auth">Client authentication: ${schemes.map((s) => (s === 'none' ? 'credentials in the body' : `<code>${escapeHtml(s)}</code> (HTTP Basic)`)).join(' or ')}.</p>`;
}

function operationSection(doc: OpenApiDocument, path: string, method: string, op: Any): string {
  const parts = [
    `<article class="op" id="${anchor('op', op.operationId)}">`,
    `<h3><span class="method ${method}">${method.toUpperCase()}</span> <code class="path">${escapeHtml(path)}</code></h3>`,
    `<p class="summary">${escapeHtml(op.summary ?? '')}</p>`,
    prose(op.description),
    security(doc, op),
    parameterRows(doc, op.parameters),
  ];
  if (op.requestBody) {
    const media = Object.values<Any>(op.requestBody.content)[0];
    const body = media?.schema?.$ref ? resolvePointer(doc, media.schema.$ref) : media?.schema;
    parts.push(
      `<h4>Request body ${op.requestBody.required ? '<span class="req">required</span>' : '(optional)'}</h4>`,
      `<p>${content(op.requestBody.content)}</p>`,
      propertyTable(body),
      example(media?.example, 'Example request'),
    );
  }
  const responses = Object.entries<Any>(op.responses).map(([status, response]) => {
    const headers = Object.keys(response.headers ?? {})
      .map((h) => `<code>${escapeHtml(h)}</code>`)
      .join(', ');
    const examples = Object.values<Any>(response.content ?? {})
      .map((m) => example(m.example, `Example ${status}`))
      .join('');
    return (
      `<tr><td class="status s${status[0]}">${status}</td><td>${prose(response.description)}${examples}</td>` +
      `<td>${content(response.content)}</td><td>${headers}</td></tr>`
    );
  });
  parts.push(
    '<h4>Responses</h4>',
    `<table><thead><tr><th>Status</th><th>Description</th><th>Body</th><th>Headers</th></tr></thead><tbody>${responses.join('')}</tbody></table>`,
    '</article>',
  );
  return parts.join('\n');
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#fafbfc}
nav{position:fixed;top:0;bottom:0;left:0;width:290px;overflow:auto;padding:20px;background:#11182a;color:#cfd6e6;font-size:13px}
nav a{color:#cfd6e6;text-decoration:none;display:block;padding:2px 0}nav a:hover{color:#fff}nav h2{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:#8591ad;margin:18px 0 6px}
main{margin-left:290px;padding:32px 48px;max-width:1200px}h1{margin-top:0}h2{border-bottom:1px solid #dde2ea;padding-bottom:6px;margin-top:48px}
.op{background:#fff;border:1px solid #e1e6ef;border-radius:8px;padding:8px 24px 16px;margin:20px 0}
.method{display:inline-block;min-width:54px;text-align:center;border-radius:4px;padding:1px 8px;font-size:13px;color:#fff}
.method.get{background:#1f7a4d}.method.post{background:#2358c4}.nav-method{display:inline-block;width:40px;font-size:11px;color:#8591ad}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f0f3f8;border-radius:3px;padding:0 3px}
.path{font-size:16px;background:none}.summary{font-weight:600}.auth{color:#5b6478}.auth.public{color:#1f7a4d}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:14px}th,td{border:1px solid #e1e6ef;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f4f6fa;font-weight:600}td p{margin:0 0 4px}.props .props{margin-top:6px}.req{color:#b3261e;font-size:11px}
.notes{color:#5b6478;font-size:13px}.status{font-weight:700}.s2{color:#1f7a4d}.s3{color:#2358c4}.s4{color:#b3261e}.s5{color:#8a4b00}
pre{background:#11182a;color:#e6ebf5;padding:12px;border-radius:6px;overflow:auto;font-size:12.5px}details summary{cursor:pointer;color:#2358c4}
`;

export function renderDocsPage(doc: OpenApiDocument): string {
  const info: Any = doc.info;
  const tags: Array<{ name: string; description?: string }> = (doc.tags as Any) ?? [];
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries<Any>(item).map(([method, op]) => ({ path, method, op })),
  );
  const byTag = (tag: string) => operations.filter(({ op }) => (op.tags ?? [])[0] === tag);
  const schemas = Object.entries<JsonSchema>(doc.components.schemas);
  const oauth: Any = (doc.components as Any).securitySchemes?.oauth2;

  const nav = [
    `<strong>${escapeHtml(info.title)}</strong> <span>${escapeHtml(info.version)}</span>`,
    '<a href="/openapi.json">openapi.json</a>',
    ...tags.map(
      (tag) =>
        `<h2>${escapeHtml(tag.name)}</h2>` +
        byTag(tag.name)
          .map(
            ({ path, method, op }) =>
              `<a href="#${anchor('op', op.operationId)}"><span class="nav-method">${method.toUpperCase()}</span>${escapeHtml(path)}</a>`,
          )
          .join(''),
    ),
    '<h2>Schemas</h2>',
    ...schemas.map(([name]) => `<a href="#${anchor('schema', name)}">${escapeHtml(name)}</a>`),
  ].join('\n');

  const sections = tags.map(
    (tag) =>
      `<section><h2 id="${anchor('tag', tag.name)}">${escapeHtml(tag.name)}</h2>${prose(tag.description)}` +
      byTag(tag.name)
        .map(({ path, method, op }) => operationSection(doc, path, method, op))
        .join('\n') +
      '</section>',
  );
  const scopes = Object.entries<string>(oauth?.flows?.clientCredentials?.scopes ?? {})
    .map(([scope, text]) => `<li><code>${escapeHtml(scope)}</code>: ${escapeHtml(text)}</li>`)
    .join('');
  const schemaSections = schemas.map(
    ([name, schema]) =>
      `<article class="op" id="${anchor('schema', name)}"><h3>${escapeHtml(name)}</h3>${prose(schema.description as string)}` +
      `<p>${typeLabel(schema)}${constraints(schema).length ? ` · ${constraints(schema).join(' · ')}` : ''}</p>${propertyTable(schema)}</article>`,
  );

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(info.title)} reference</title><style>${STYLE}</style></head>
<body><nav>${nav}</nav><main>
<h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
${prose(info.description)}
<p>Base URL: <code>${escapeHtml((doc.servers as Any)?.[0]?.url ?? '/')}</code> · Machine-readable: <a href="/openapi.json">OpenAPI 3.1 document</a></p>
<h2 id="authentication">Authentication</h2>
<p>Get an access token from <code>POST /oauth2/token</code> (OAuth2 client credentials), then send it as
<code>Authorization: Bearer &lt;token&gt;</code>. Each operation says which scope it needs:</p><ul>${scopes}</ul>
${sections.join('\n')}
<section><h2 id="schemas">Schemas</h2>${schemaSections.join('\n')}</section>
</main></body></html>
`;
}
