import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RotoError } from './errors.ts';
import { PromptSetSchema } from './prompts.ts';
import { fail, formatIssuePath, INTERNAL_MESSAGE, ok, resultSchema, toFailure, toProblem } from './result.ts';

describe('result union', () => {
  const schema = resultSchema(z.object({ frames: z.number() }));

  it('parses successes and failures, and rejects anything else', () => {
    expect(schema.parse(ok({ frames: 3 }))).toEqual({ ok: true, data: { frames: 3 } });
    expect(schema.parse(fail('BUSY', 'Propagation is running'))).toEqual({
      ok: false,
      error: { code: 'BUSY', message: 'Propagation is running' },
    });
    expect(schema.safeParse({ ok: true, data: { frames: 'x' } }).success).toBe(false);
    expect(schema.safeParse({ ok: false, error: { code: 'NOPE', message: 'x' } }).success).toBe(false);
    expect(schema.safeParse({ ok: 'yes' }).success).toBe(false);
  });

  it('fail() omits undefined details so the JSON stays clean', () => {
    expect(JSON.stringify(fail('NOT_FOUND', 'No such object'))).toBe(
      '{"ok":false,"error":{"code":"NOT_FOUND","message":"No such object"}}',
    );
  });
});

describe('toFailure', () => {
  it('keeps the code, message and details of a RotoError', () => {
    expect(toFailure(new RotoError('FORBIDDEN', 'Viewers cannot add prompts', { role: 'viewer' }))).toEqual(
      fail('FORBIDDEN', 'Viewers cannot add prompts', { role: 'viewer' }),
    );
  });

  it('keeps the code of a module error class that carries a shared code', () => {
    class LaneBusyError extends Error {
      readonly code = 'BUSY';
    }
    expect(toFailure(new LaneBusyError('The model queue is full'))).toEqual(
      fail('BUSY', 'The model queue is full'),
    );
  });

  it('turns a ZodError into INVALID_INPUT naming the offending field', () => {
    const parsed = PromptSetSchema.safeParse({
      points: [
        { x: 1, y: 2, label: 1 },
        { x: Infinity, y: 2, label: 3 },
      ],
    });
    expect(parsed.success).toBe(false);
    const failure = toFailure(parsed.error);
    expect(failure.error.code).toBe('INVALID_INPUT');
    expect(failure.error.message).toBe(
      'points[1].x: x must be a finite number, got Infinity (and 1 more problem)',
    );
    expect(failure.error.details).toEqual({
      issues: [
        { path: 'points[1].x', message: 'x must be a finite number, got Infinity' },
        { path: 'points[1].label', message: 'label must be 0 (background) or 1 (foreground)' },
      ],
    });
  });

  it('never leaks an unexpected error: anything else is INTERNAL with a fixed message', () => {
    const leaky = Object.assign(new Error("ENOENT: open '/srv/roto/data/secret.bin'"), { code: 'ENOENT' });
    expect(toFailure(leaky)).toEqual(fail('INTERNAL', INTERNAL_MESSAGE));
    expect(toFailure('a thrown string')).toEqual(fail('INTERNAL', INTERNAL_MESSAGE));
    expect(toFailure(undefined)).toEqual(fail('INTERNAL', INTERNAL_MESSAGE));
    expect(toFailure(new RotoError('INTERNAL', 'db password is hunter2'))).toEqual(
      fail('INTERNAL', INTERNAL_MESSAGE),
    );
  });

  it('toProblem gives the REST body for the same error', () => {
    expect(toProblem(new RotoError('NOT_FOUND', 'No session xyz'), '/api/sessions/xyz')).toEqual({
      type: 'urn:roto:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: 'No session xyz',
      code: 'NOT_FOUND',
      instance: '/api/sessions/xyz',
    });
    expect(toProblem(new TypeError('x is undefined')).status).toBe(500);
  });

  it('formats issue paths', () => {
    expect(formatIssuePath([])).toBe('');
    expect(formatIssuePath(['points', 3, 'x'])).toBe('points[3].x');
    expect(formatIssuePath([0, 'a'])).toBe('[0].a');
  });
});
