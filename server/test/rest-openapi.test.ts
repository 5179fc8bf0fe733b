/**
 * The API's description of itself: `GET /api/v1/openapi.json` parses as OpenAPI 3.1, lists every
 * route (v1, sessions, seed-003) and nothing the server does not serve; every `$ref` resolves;
 * `GET /api/v1/docs` is a self-contained page listing every operation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, problemOf, startServer } from './http-sessions-harness.ts';
import { tempDataDir } from './support/server-realtime.ts';

let server: Harness;
let work: { dir: string; remove: () => Promise<void> };
let doc: {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        responses: Record<string, unknown>;
        parameters?: Array<{ name: string; in: string }>;
        requestBody?: unknown;
      }
    >
  >;
  components: { schemas: Record<string, Record<string, unknown>> };
};

beforeAll(async () => {
  work = await tempDataDir();
  server = await startServer(work.dir);
  const res = await fetch(`${server.base}/api/v1/openapi.json`);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = JSON.parse(await res.text());
});

afterAll(async () => {
  await server.close();
  await work.remove();
});

/** Every operation the task asks for, as `METHOD path`. */
const EXPECTED = [
  'POST /api/v1/sessions/{id}/prompts',
  'DELETE /api/v1/sessions/{id}/prompts',
  'GET /api/v1/sessions/{id}/objects',
  'POST /api/v1/sessions/{id}/objects',
  'GET /api/v1/sessions/{id}/objects/{objectId}',
  'PATCH /api/v1/sessions/{id}/objects/{objectId}',
  'DELETE /api/v1/sessions/{id}/objects/{objectId}',
  'POST /api/v1/sessions/{id}/propagations',
  'GET /api/v1/sessions/{id}/jobs',
  'GET /api/v1/sessions/{id}/jobs/{jobId}',
  'POST /api/v1/sessions/{id}/jobs/{jobId}/cancel',
  'GET /api/v1/sessions/{id}/frames/{n}/masks',
  'POST /api/v1/sessions',
  'GET /api/v1/sessions',
  'GET /api/v1/sessions/{id}',
  'DELETE /api/v1/sessions/{id}',
  'GET /api/v1/sessions/{id}/frames/{n}',
  'GET /api/v1/openapi.json',
  'GET /api/v1/docs',
  'POST /upload-video',
  'GET /frame/{session_id}/{frame_idx}',
  'POST /annotate-frame/{session_id}',
  'POST /propagate/{session_id}',
  'POST /refine-mask/{session_id}',
  'GET /overlay/{session_id}/{frame_idx}',
  'GET /export/{session_id}',
  'POST /api/v1/sessions/{id}/links',
  'GET /healthz',
];

function operations(): Array<{ method: string; path: string; op: (typeof doc.paths)[string][string] }> {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every route, each with an operation id, answers and problem answers', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Roto API');
    const listed = operations().map((o) => `${o.method} ${o.path}`);
    for (const route of EXPECTED) expect(listed, route).toContain(route);
    // Every served route is described (none falls back to the bare entry).
    expect(operations().filter((o) => (o.op as { tags?: string[] }).tags?.includes('Other'))).toEqual([]);
    const ids = operations().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, op } of operations()) {
      expect(Object.keys(op.responses).length, path).toBeGreaterThan(0);
      // Path templates and path parameters agree.
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared, path).toEqual(templated);
    }
    const prompts = doc.paths['/api/v1/sessions/{id}/prompts']!.post!;
    expect(prompts.parameters?.map((p) => p.name)).toContain('Idempotency-Key');
    expect(Object.keys(prompts.responses)).toEqual(
      expect.arrayContaining(['200', '400', '403', '404', '503']),
    );
  });

  it('request bodies come from the contract without commandId, and every $ref resolves', () => {
    const body = doc.components.schemas.PromptAddBody as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(body.properties).sort()).toEqual(['box', 'frame', 'objectId', 'points', 'refine']);
    expect(body.required).toEqual(['frame']);
    const seed = doc.components.schemas.SeedAnnotateBody as { properties: Record<string, unknown> };
    expect(Object.keys(seed.properties).sort()).toEqual(['frame_idx', 'obj_id', 'points']);
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(refs.length).toBeGreaterThan(20);
    for (const name of refs) expect(doc.components.schemas, name).toHaveProperty(name);
  });

  it('documents only routes the server serves: none of them answers "no route"', async () => {
    const sample: Record<string, string> = {
      id: 'nosuchsession',
      session_id: 'nosuchsession',
      objectId: '1',
      jobId: 'j',
      n: '0',
      frame_idx: '0',
    };
    for (const { method, path } of operations()) {
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => sample[name] ?? 'x');
      const res = await fetch(`${server.base}${url}`, {
        method,
        ...(method === 'GET' || method === 'DELETE'
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
      if (res.status >= 400) {
        const problem = await problemOf(res);
        expect(problem.detail, `${method} ${path}`).not.toMatch(/^No route for/);
        // This server has no model pack: only the readiness probe may say so with a 5xx.
        if (problem.code !== 'MODEL_UNAVAILABLE')
          expect(res.status, `${method} ${path}: ${problem.detail}`).toBeLessThan(500);
      } else {
        await res.arrayBuffer();
      }
    }
  });
});

describe('docs page', () => {
  it('is one self-contained HTML page naming every operation', async () => {
    const res = await fetch(`${server.base}/api/v1/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    for (const { op } of operations()) expect(html).toContain(`id="op-${op.operationId}"`);
    expect(html).toContain('id="schema-PromptAddResponse"');
    // No assets from elsewhere: no scripts at all, no remote stylesheets or images.
    expect(html).not.toMatch(/<script|<link|src=/i);
    expect(html).not.toMatch(/https?:\/\/(?!json-schema\.org)/);
  });
});
