import { describe, expect, it } from 'vitest';
import { classifyError, httpError } from './errors.ts';

describe('fetch errors', () => {
  it('maps HTTP answers to codes, retrying only what can recover', () => {
    expect(httpError(404, 'https://h/x')).toMatchObject({ code: 'NOT_FOUND', retryable: false });
    expect(httpError(403, 'https://h/x')).toMatchObject({ code: 'FORBIDDEN', retryable: false });
    expect(httpError(401, 'https://h/x')).toMatchObject({ code: 'UNAUTHORIZED', retryable: false });
    expect(httpError(429, 'https://h/x')).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(httpError(503, 'https://h/x')).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryable: true });
    expect(httpError(404, 'https://h/x').message).toBe(
      'https://h/x answered HTTP 404: the file is not there (moved or renamed upstream?)',
    );
  });

  it('names DNS, network, disk and permission failures', () => {
    const wrap = (code: string) =>
      new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
    expect(classifyError(wrap('ENOTFOUND'), 'https://storage.example/a', '/m/a.part')).toMatchObject({
      reason: 'dns',
      retryable: false,
      message: expect.stringContaining('cannot resolve storage.example'),
    });
    expect(classifyError(wrap('EAI_AGAIN'), 'https://h/a', '/m/a.part')).toMatchObject({
      reason: 'dns',
      retryable: true,
    });
    expect(classifyError(wrap('ECONNRESET'), 'https://h/a', '/m/a.part')).toMatchObject({
      reason: 'network',
      retryable: true,
    });
    expect(classifyError(new TypeError('terminated'), 'https://h/a', '/m/a.part').retryable).toBe(true);
    const full = Object.assign(new Error('write failed'), { code: 'ENOSPC' });
    expect(classifyError(full, 'https://h/a', '/m/a.part')).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      reason: 'no-space',
      retryable: false,
      message: expect.stringContaining('no space left on the device while writing /m/a.part'),
    });
    const ro = Object.assign(new Error('nope'), { code: 'EACCES' });
    expect(classifyError(ro, 'https://h/a', '/m/a.part')).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'filesystem',
    });
  });
});
