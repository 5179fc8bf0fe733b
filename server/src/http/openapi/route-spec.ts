/**
 * The route table: every HTTP operation declared once with what the OpenAPI document says about
 * it (summary, parameters, body and answer schemas, problem codes) next to the handler that serves
 * it. Routes served by another router (the sessions API) appear with their metadata only.
 */
import type { Router } from '@koa/router';
import type { ErrorCode } from '@roto/shared';
import { z } from 'zod';
import type { AppContext, AppState } from '../context.ts';

/** An HTTP method the API uses. */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A named schema: it becomes `#/components/schemas/<name>`. */
export interface NamedSchema {
  name: string;
  schema: z.ZodType;
  /** Properties the HTTP form leaves out (a command's `commandId` comes from a header). */
  omit?: readonly string[];
}

/** A query, path or header parameter. */
export interface ParamSpec {
  name: string;
  description: string;
  required?: boolean;
  schema: z.ZodType;
}

/** One documented answer. */
export interface ResponseSpec {
  description: string;
  /** Default `application/json` when `schema` is given. */
  contentType?: string;
  schema?: NamedSchema;
  /** Other content types of the same answer, documented as binary (e.g. `image/png`). */
  alsoContentTypes?: readonly string[];
}

/** One operation. */
export interface RouteSpec {
  method: HttpMethod;
  /** Koa form, e.g. `/api/v1/sessions/:id/prompts`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Descriptions of the `:params` in `path` (each becomes a required string/integer parameter). */
  pathParams?: readonly ParamSpec[];
  query?: readonly ParamSpec[];
  /** Takes an `Idempotency-Key` header (mutating commands). */
  idempotent?: boolean;
  body?: NamedSchema & { contentType?: string };
  /** Also (or only) takes a multipart/form-data upload with the file in this field. */
  multipartFile?: string;
  responses: Readonly<Record<number, ResponseSpec>>;
  /** Problem codes a caller can get (documented as problem+json answers). */
  errors: readonly ErrorCode[];
  /** Absent for routes another router serves (documented here, mounted there). */
  handler?: (ctx: AppContext) => Promise<void>;
}

/** Adds the routes that have handlers to `router`. */
export function mountRoutes(router: Router<AppState>, routes: readonly RouteSpec[]): void {
  for (const r of routes) {
    const handler = r.handler;
    if (!handler) continue;
    router[r.method](r.path, (ctx) => handler(ctx));
  }
}

/** The method/path pairs a router serves, as `GET /api/v1/…` keys (HEAD is implied by GET). */
export function servedKeys(router: Router<AppState>): string[] {
  return router.stack.flatMap((layer) =>
    layer.methods.filter((m) => m !== 'HEAD' && m !== 'OPTIONS').map((m) => `${m} ${layer.path}`),
  );
}

/**
 * The routes the mounted routers really serve, described by the table where it knows them (in its
 * order) and by a bare entry where it does not, so the document never lists a route the server
 * lacks nor misses one it has.
 */
export function servedRoutes(routers: readonly Router<AppState>[], table: readonly RouteSpec[]): RouteSpec[] {
  const served = new Set(routers.flatMap(servedKeys));
  const known = new Set<string>();
  const out: RouteSpec[] = [];
  for (const r of table) {
    const key = `${r.method.toUpperCase()} ${r.path}`;
    if (!served.has(key) || known.has(key)) continue;
    known.add(key);
    out.push(r);
  }
  for (const key of served) {
    if (known.has(key)) continue;
    const [method = 'GET', path = '/'] = key.split(' ');
    out.push({
      method: method.toLowerCase() as HttpMethod,
      path,
      operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: 'Served, not described yet',
      tag: 'Other',
      pathParams: [...path.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1]!,
        description: '',
        schema: PATH_SEGMENT,
      })),
      responses: { 200: { description: 'OK' } },
      errors: [],
    });
  }
  return out;
}

const PATH_SEGMENT = z.string();
