/**
 * A self-contained HTML page for the OpenAPI document (no scripts, no CDN assets: the server may
 * have no internet): every operation by tag with its parameters, body and answers, then every
 * schema. Rendered from the document itself, so the page and `openapi.json` always agree.
 */

type Json = Record<string, unknown>;

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:24px;color:#1d2330}
h1{margin-bottom:0}h2{border-bottom:2px solid #dde2ea;padding-bottom:4px;margin-top:40px}
.op{border:1px solid #dde2ea;border-radius:6px;margin:14px 0;padding:10px 14px}
.m{display:inline-block;min-width:64px;font-weight:700;text-transform:uppercase;font-family:monospace}
.get{color:#1769aa}.post{color:#2e7d32}.patch{color:#b26a00}.delete{color:#c62828}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f5f7fa;padding:8px;overflow:auto;border-radius:4px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #dde2ea;padding:3px 8px;text-align:left;vertical-align:top}
nav a{margin-right:12px}.muted{color:#5a6478}`;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function schemaHtml(schema: unknown): string {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  if (typeof ref === 'string') {
    const name = ref.split('/').at(-1) ?? ref;
    return `<a href="#schema-${escapeHtml(name)}"><code>${escapeHtml(name)}</code></a>`;
  }
  return `<pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`;
}

function contentHtml(content: unknown): string {
  if (!content || typeof content !== 'object') return '';
  return Object.entries(content as Record<string, { schema?: unknown }>)
    .map(([type, c]) => `<div><code>${escapeHtml(type)}</code> ${schemaHtml(c.schema)}</div>`)
    .join('');
}

function operationHtml(method: string, path: string, op: Json): string {
  const params = (op.parameters as Json[] | undefined) ?? [];
  const rows = params
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td><td>${escapeHtml(String(p.description ?? ''))}</td></tr>`,
    )
    .join('');
  const body = op.requestBody as { content?: unknown; required?: boolean } | undefined;
  const responses = Object.entries((op.responses as Record<string, Json>) ?? {})
    .map(
      ([status, r]) =>
        `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(String(r.description ?? ''))}</td><td>${contentHtml(r.content)}</td></tr>`,
    )
    .join('');
  return `<div class="op" id="op-${escapeHtml(String(op.operationId))}">
<div><span class="m ${escapeHtml(method)}">${escapeHtml(method)}</span> <code>${escapeHtml(path)}</code>
<span class="muted">— ${escapeHtml(String(op.operationId))}</span></div>
<p>${escapeHtml(String(op.summary ?? ''))}</p>${op.description ? `<p class="muted">${escapeHtml(String(op.description))}</p>` : ''}
${rows ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th><th></th></tr>${rows}</table>` : ''}
${body ? `<div><b>Body</b>${body.required ? '' : ' (optional)'}: ${contentHtml(body.content)}</div>` : ''}
<table><tr><th>status</th><th>answer</th><th>content</th></tr>${responses}</table></div>`;
}

/** The HTML page for an OpenAPI document. */
export function renderDocsPage(doc: Json): string {
  const info = (doc.info as Json | undefined) ?? {};
  const paths = (doc.paths as Record<string, Record<string, Json>>) ?? {};
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = ((op.tags as string[] | undefined) ?? ['Other'])[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)]);
    }
  }
  const schemas = ((doc.components as Json | undefined)?.schemas as Json | undefined) ?? {};
  const tagSections = [...byTag]
    .map(([tag, ops]) => `<h2 id="tag-${escapeHtml(tag)}">${escapeHtml(tag)}</h2>${ops.join('\n')}`)
    .join('\n');
  const schemaSections = Object.entries(schemas)
    .map(([name, s]) => `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3>${schemaHtml(s)}`)
    .join('\n');
  const title = escapeHtml(String(info.title ?? 'API'));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><h1>${title}</h1><p class="muted">Version ${escapeHtml(String(info.version ?? ''))} · OpenAPI ${escapeHtml(String(doc.openapi ?? ''))} · <a href="openapi.json">openapi.json</a></p>
${info.description ? `<p>${escapeHtml(String(info.description))}</p>` : ''}
<nav>${[...byTag.keys()].map((t) => `<a href="#tag-${escapeHtml(t)}">${escapeHtml(t)}</a>`).join('')}<a href="#schemas">Schemas</a></nav>
${tagSections}
<h2 id="schemas">Schemas</h2>
${schemaSections}
</body></html>`;
}
