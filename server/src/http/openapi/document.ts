/**
 * The OpenAPI 3.1 document, generated from the route table: JSON Schemas come from the contract's
 * zod schemas (`z.toJSONSchema`, draft 2020-12, which OpenAPI 3.1 uses as is), so the document
 * cannot drift from what the server parses.
 */
import { ERROR_TITLES, HTTP_STATUS, IDEMPOTENCY_KEY_HEADER, ProblemDocumentSchema } from '@roto/shared';
import { z } from 'zod';
import type { NamedSchema, ParamSpec, RouteSpec } from './route-spec.ts';

type Json = Record<string, unknown>;

/** Document-level facts. */
export interface DocumentInfo {
  title: string;
  version: string;
  description?: string;
}

/** JSON Schema of a zod schema as a request (`input`) or an answer (`output`) sees it. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output', omit: readonly string[] = []): Json {
  const out = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  if (omit.length > 0 && typeof out.properties === 'object' && out.properties) {
    const props = out.properties as Json;
    for (const key of omit) delete props[key];
    if (Array.isArray(out.required)) out.required = out.required.filter((k) => !omit.includes(k as string));
  }
  return out;
}

/** `/api/v1/sessions/:id` → `/api/v1/sessions/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

function parameter(p: ParamSpec, where: 'path' | 'query'): Json {
  return {
    name: p.name,
    in: where,
    required: where === 'path' ? true : (p.required ?? false),
    description: p.description,
    schema: jsonSchema(p.schema, 'input'),
  };
}

/** Builds the document for `routes`. */
export function openApiDocument(routes: readonly RouteSpec[], info: DocumentInfo): Json {
  const schemas: Json = { Problem: jsonSchema(ProblemDocumentSchema, 'output') };
  const ref = (named: NamedSchema, io: 'input' | 'output'): Json => {
    schemas[named.name] ??= jsonSchema(named.schema, io, named.omit);
    return { $ref: `#/components/schemas/${named.name}` };
  };
  const paths: Record<string, Json> = {};
  const tags = new Set<string>();
  for (const r of routes) {
    tags.add(r.tag);
    const parameters: Json[] = [
      ...(r.pathParams ?? []).map((p) => parameter(p, 'path')),
      ...(r.query ?? []).map((p) => parameter(p, 'query')),
    ];
    if (r.idempotent) {
      parameters.push({
        name: IDEMPOTENCY_KEY_HEADER,
        in: 'header',
        required: false,
        description: 'Becomes the command id: a retry with the same key gets the first answer.',
        schema: { type: 'string', minLength: 1, maxLength: 100 },
      });
    }
    const responses: Json = {};
    for (const [status, res] of Object.entries(r.responses)) {
      const content: Json = {};
      if (res.schema) content[res.contentType ?? 'application/json'] = { schema: ref(res.schema, 'output') };
      else if (res.contentType) content[res.contentType] = { schema: { type: 'string', format: 'binary' } };
      for (const type of res.alsoContentTypes ?? [])
        content[type] = { schema: { type: 'string', format: 'binary' } };
      responses[status] = {
        description: res.description,
        ...(Object.keys(content).length ? { content } : {}),
      };
    }
    for (const code of r.errors) {
      const status = String(HTTP_STATUS[code]);
      const existing = responses[status] as { description: string } | undefined;
      const description = existing
        ? `${existing.description}, ${code}`
        : `Problem: ${code} (${ERROR_TITLES[code]})`;
      responses[status] = {
        description,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    const operation: Json = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      ...(parameters.length ? { parameters } : {}),
      responses,
    };
    const content: Json = {};
    let required = false;
    if (r.body) {
      content[r.body.contentType ?? 'application/json'] = { schema: ref(r.body, 'input') };
      const generated = schemas[r.body.name] as { required?: unknown[] };
      required = (generated.required?.length ?? 0) > 0;
    }
    if (r.multipartFile) {
      content['multipart/form-data'] = {
        schema: {
          type: 'object',
          properties: { [r.multipartFile]: { type: 'string', format: 'binary' } },
          required: [r.multipartFile],
        },
      };
      required = true;
    }
    if (Object.keys(content).length > 0) operation.requestBody = { required, content };
    const path = openApiPath(r.path);
    paths[path] = { ...(paths[path] ?? {}), [r.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      ...(info.description ? { description: info.description } : {}),
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: { schemas },
  };
}
