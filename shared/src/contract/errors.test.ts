import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  ERROR_TITLES,
  ErrorCodeSchema,
  HTTP_STATUS,
  isRotoError,
  ProblemDocumentSchema,
  problemFor,
  RotoError,
} from './errors.ts';

describe('error codes', () => {
  it('lists every code the protocol defines', () => {
    expect([...ERROR_CODES].sort()).toEqual(
      [
        'INVALID_INPUT',
        'NOT_FOUND',
        'FORBIDDEN',
        'UNAUTHORIZED',
        'BUSY',
        'MODEL_UNAVAILABLE',
        'RATE_LIMITED',
        'CANCELLED',
        'CONFLICT',
        'PAYLOAD_TOO_LARGE',
        'UNSUPPORTED_MEDIA',
        'PROTOCOL_MISMATCH',
        'TIMEOUT',
        'INTERNAL',
      ].sort(),
    );
    expect(ErrorCodeSchema.safeParse('ENOENT').success).toBe(false);
  });

  it('maps each code to the HTTP status a REST client sees', () => {
    expect(HTTP_STATUS).toMatchObject({
      INVALID_INPUT: 400,
      UNAUTHORIZED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      CONFLICT: 409,
      PAYLOAD_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA: 415,
      RATE_LIMITED: 429,
      INTERNAL: 500,
      BUSY: 503,
      MODEL_UNAVAILABLE: 503,
      TIMEOUT: 504,
    });
    for (const code of ERROR_CODES) {
      expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(ERROR_TITLES[code]).not.toBe('');
    }
  });
});

describe('RotoError', () => {
  it('carries code, message and details, and is recognised across package copies', () => {
    const err = new RotoError('NOT_FOUND', 'Session abc does not exist', { sessionId: 'abc' });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Session abc does not exist',
      details: { sessionId: 'abc' },
    });
    expect(isRotoError(err)).toBe(true);

    // What a RotoError from a second bundled copy of this package looks like.
    const foreign = Object.assign(new Error('busy'), { name: 'RotoError', code: 'BUSY' });
    expect(isRotoError(foreign)).toBe(true);
    expect(isRotoError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
    expect(isRotoError({ code: 'BUSY', message: 'plain object' })).toBe(false);
  });

  it('leaves details out when there are none', () => {
    expect('details' in new RotoError('BUSY', 'The model is busy')).toBe(false);
  });
});

describe('problem documents (RFC 9457)', () => {
  it('builds a valid document with type, title, status, detail and code', () => {
    const doc = problemFor('PAYLOAD_TOO_LARGE', 'Upload exceeds 500 MB', { limitBytes: 500e6 });
    expect(doc).toEqual({
      type: 'urn:roto:problem:payload-too-large',
      title: 'Payload too large',
      status: 413,
      detail: 'Upload exceeds 500 MB',
      code: 'PAYLOAD_TOO_LARGE',
      details: { limitBytes: 500e6 },
    });
    expect(ProblemDocumentSchema.parse(doc)).toEqual(doc);
    expect(ProblemDocumentSchema.safeParse({ ...doc, status: 200 }).success).toBe(false);
  });
});
