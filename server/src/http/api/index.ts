/**
 * The REST API v1 for programs, the seed-003 compatible routes and the API's own description
 * (`/api/v1/openapi.json`, `/api/v1/docs`), as one router built from one route table.
 */
import { Router } from '@koa/router';
import { z } from 'zod';
import type { AppState } from '../context.ts';
import { renderDocsPage } from '../openapi/docs-page.ts';
import { openApiDocument } from '../openapi/document.ts';
import { EXPORT_ROUTES, LINK_ROUTES, OPS_ROUTES } from '../openapi/other-routes.ts';
import { mountRoutes, type RouteSpec, servedRoutes } from '../openapi/route-spec.ts';
import { SESSIONS_ROUTES } from '../openapi/sessions-routes.ts';
import { seedRoutes } from '../seed/routes.ts';
import type { ApiDeps } from './deps.ts';
import { apiRoutes } from './routes.ts';

export { OPEN_ACCESS, type ResolveRole } from './caller.ts';
export type { ApiDeps } from './deps.ts';
export { JobHistory } from './job-history.ts';

/** Where the API describes itself. */
export const OPENAPI_PATH = '/api/v1/openapi.json';
export const DOCS_PATH = '/api/v1/docs';

/** The built API: its router, and its description of every route the server serves. */
export interface RestApi {
  router: Router<AppState>;
  /** The route table: this router's routes and those other routers serve. */
  routes: readonly RouteSpec[];
  /** The OpenAPI document of the routes the mounted routers serve. */
  document(): Record<string, unknown>;
}

const DESCRIPTION =
  'Roto: collaborative video segmentation. REST commands run the same session commands as the realtime (Socket.IO) protocol: what a program does here, people in the session see live. Errors are RFC 9457 problem documents (`application/problem+json`) with a `code` from the shared enum. Send `Authorization: Bearer <token>` where access control is on.';

/**
 * Builds the router; `version` goes into the document's `info`, `mounted` lists the app's routers
 * (the document describes what they serve).
 */
export function createRestApi(
  deps: ApiDeps,
  version: string,
  mounted: () => readonly Router<AppState>[],
): RestApi {
  const routes: RouteSpec[] = [];
  const selfRoutes: RouteSpec[] = [
    {
      method: 'get',
      path: OPENAPI_PATH,
      operationId: 'getOpenApi',
      summary: 'This document (OpenAPI 3.1)',
      tag: 'Meta',
      responses: {
        200: {
          description: 'The document',
          schema: { name: 'OpenApiDocument', schema: z.record(z.string(), z.unknown()) },
        },
      },
      errors: [],
      handler: async (ctx) => {
        ctx.set('Cache-Control', 'no-cache');
        ctx.body = document();
      },
    },
    {
      method: 'get',
      path: DOCS_PATH,
      operationId: 'getDocs',
      summary: 'The API reference as an HTML page',
      tag: 'Meta',
      responses: { 200: { description: 'The page', contentType: 'text/html' } },
      errors: [],
      handler: async (ctx) => {
        ctx.set('Cache-Control', 'no-cache');
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = renderDocsPage(document());
      },
    },
  ];
  routes.push(
    ...SESSIONS_ROUTES,
    ...apiRoutes(deps),
    ...seedRoutes(deps),
    ...LINK_ROUTES,
    ...EXPORT_ROUTES,
    ...OPS_ROUTES,
    ...selfRoutes,
  );
  // Built on first use, once every router is mounted; rebuilt if more are mounted later.
  let cached: { routers: number; doc: Record<string, unknown> } | undefined;
  const document = () => {
    const routers = mounted();
    if (cached?.routers !== routers.length) {
      const served = servedRoutes(routers, routes);
      cached = {
        routers: routers.length,
        doc: openApiDocument(served, { title: 'Roto API', version, description: DESCRIPTION }),
      };
    }
    return cached.doc;
  };
  const router = new Router<AppState>();
  mountRoutes(router, routes);
  return { router, routes, document };
}
