import { Router } from '@koa/router';
import { PromptAddCommandSchema } from '@roto/shared';
import { describe, expect, it } from 'vitest';
import type { AppState } from '../context.ts';
import { escapeHtml } from './docs-page.ts';
import { jsonSchema, openApiDocument, openApiPath } from './document.ts';
import { type RouteSpec, servedRoutes } from './route-spec.ts';

const spec = (method: RouteSpec['method'], path: string, operationId: string): RouteSpec => ({
  method,
  path,
  operationId,
  summary: operationId,
  tag: 'T',
  responses: { 200: { description: 'OK' } },
  errors: ['NOT_FOUND'],
});

describe('servedRoutes', () => {
  it('keeps described routes that are mounted, drops the others, and adds bare entries for undescribed ones', () => {
    const router = new Router<AppState>({ prefix: '/api/v1/things' });
    router.get('/:id', () => {});
    router.post('/', () => {});
    router.delete('/:id/parts/:partId', () => {});
    const table = [
      spec('get', '/api/v1/things/:id', 'getThing'),
      spec('patch', '/api/v1/things/:id', 'patchThing'),
    ];
    const served = servedRoutes([router], table);
    expect(served.map((r) => `${r.method} ${r.path} ${r.operationId} ${r.tag}`)).toEqual([
      'get /api/v1/things/:id getThing T',
      'post /api/v1/things postApiV1Things Other',
      'delete /api/v1/things/:id/parts/:partId deleteApiV1ThingsIdPartsPartId Other',
    ]);
    expect(served[2]!.pathParams?.map((p) => p.name)).toEqual(['id', 'partId']);
  });
});

describe('openApiDocument', () => {
  it('writes OpenAPI paths, omits the header-borne commandId from bodies and adds problem answers', () => {
    expect(openApiPath('/a/:id/b/:n')).toBe('/a/{id}/b/{n}');
    const body = jsonSchema(PromptAddCommandSchema, 'input', ['commandId']);
    expect(body.required).toEqual(['frame']);
    expect(Object.keys(body.properties as object)).not.toContain('commandId');
    const doc = openApiDocument(
      [
        {
          ...spec('post', '/x/:id', 'x'),
          body: { name: 'Body', schema: PromptAddCommandSchema, omit: ['commandId'] },
        },
      ],
      { title: 'T', version: '1' },
    ) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown>; requestBody: { required: boolean } }>
      >;
    };
    const op = doc.paths['/x/{id}']!.post!;
    expect(Object.keys(op.responses)).toEqual(['200', '404']);
    expect(op.requestBody.required).toBe(true);
  });

  it('escapes text for the docs page', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
