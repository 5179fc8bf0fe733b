import { describe, expect, it } from 'vitest';
import {
  EXPORT_NOTICE_SCHEMAS,
  ExportJobSchema,
  exportFilePath,
  StartExportBodySchema,
  StartExportResponseSchema,
} from './exports.ts';

const job = {
  jobId: 'j1',
  sessionId: 's1',
  format: 'coco-json',
  createdAt: '2025-01-01T00:00:00.000Z',
  cacheKey: 'k',
  status: {
    state: 'finished',
    file: {
      bytes: 10,
      mime: 'application/json',
      fileName: 'a.json',
      url: '/api/v1/sessions/s1/exports/j1/file',
    },
  },
};

describe('export contract', () => {
  it('parses a job and the start answer, and refuses an unknown format in a job', () => {
    expect(ExportJobSchema.parse(job)).toEqual(job);
    expect(StartExportResponseSchema.parse({ ...job, reused: true }).reused).toBe(true);
    expect(ExportJobSchema.safeParse({ ...job, format: 'gif' }).success).toBe(false);
  });

  it('takes any format name in a request (the server answers NOT_FOUND for unknown ones) but no extra fields', () => {
    expect(StartExportBodySchema.safeParse({ format: 'gif' }).success).toBe(true);
    expect(StartExportBodySchema.safeParse({ format: 'coco-json', objectIds: [] }).success).toBe(false);
    expect(StartExportBodySchema.safeParse({ format: 'coco-json', frames: [1] }).success).toBe(false);
  });

  it('has a schema per notice, each naming its own event', () => {
    for (const [type, schema] of Object.entries(EXPORT_NOTICE_SCHEMAS)) {
      const sample =
        type === 'export:progressed'
          ? { type, jobId: 'j1', format: 'coco-json', done: 1, total: 2, fps: 3, etaSec: 0.3, counter: 1 }
          : {
              type,
              job,
              url: '/x',
              bytes: 1,
              fileName: 'a',
              error: { code: 'INTERNAL', message: 'm' },
              reason: 'r',
            };
      expect(schema.safeParse(sample).success, type).toBe(true);
      expect(schema.safeParse({ ...sample, type: 'export:other' }).success, type).toBe(false);
    }
  });

  it('escapes ids in the file path', () => {
    expect(exportFilePath('s 1', 'j/1')).toBe('/api/v1/sessions/s%201/exports/j%2F1/file');
  });
});
