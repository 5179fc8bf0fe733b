import { describe, expect, it } from 'vitest';
import { CreateSessionJsonSchema, IngestProgressSchema, SessionCreatedSchema } from './ingest.ts';
import { toFailure } from './result.ts';

describe('CreateSessionJsonSchema', () => {
  it('takes exactly one of image or url', () => {
    expect(CreateSessionJsonSchema.parse({ image: 'iVBORw0KGgo=' })).toEqual({ image: 'iVBORw0KGgo=' });
    expect(CreateSessionJsonSchema.parse({ url: 'https://example.com/a.mp4' })).toEqual({
      url: 'https://example.com/a.mp4',
    });
    for (const body of [{}, { image: 'x', url: 'https://example.com/a.mp4' }]) {
      const failure = toFailure(CreateSessionJsonSchema.safeParse(body).error);
      expect(failure.error.code).toBe('INVALID_INPUT');
      expect(failure.error.message).toContain('send exactly one of "image"');
    }
  });

  it('refuses non-http URLs, unknown keys and an empty image with a message naming the field', () => {
    const message = (body: unknown) => toFailure(CreateSessionJsonSchema.safeParse(body).error).error.message;
    expect(message({ url: 'file:///etc/passwd' })).toBe('url: url must be an http(s) URL');
    expect(message({ url: 'javascript:alert(1)' })).toBe('url: url must be an http(s) URL');
    expect(message({ image: '' })).toBe('image: image must not be empty');
    expect(message({ image: 'x', extra: 1 })).toMatch(/Unrecognized key/);
  });
});

describe('ingest facts', () => {
  it('a progress fact and a created body round-trip through their schemas', () => {
    const progress = { sessionId: 's1', phase: 'decode', done: 10, total: 24, fps: 180 };
    expect(IngestProgressSchema.parse(progress)).toEqual(progress);
    expect(IngestProgressSchema.safeParse({ ...progress, phase: 'export' }).success).toBe(false);
    const media = {
      kind: 'image',
      width: 4,
      height: 3,
      fps: 0,
      frameCount: 1,
      durationSec: 0,
      hasAudio: false,
    };
    expect(SessionCreatedSchema.parse({ sessionId: 's1', media, status: 'ready' }).status).toBe('ready');
  });
});
