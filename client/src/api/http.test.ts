import { describe, expect, it } from 'vitest';
import { problemToError } from './http.ts';

describe('REST errors as the user sees them', () => {
  it('keeps the shared code and the server’s message from a problem document', () => {
    const err = problemToError(
      413,
      JSON.stringify({
        type: 'x',
        title: 'Payload too large',
        status: 413,
        detail: 'The upload exceeds 2048 MB.',
        code: 'PAYLOAD_TOO_LARGE',
      }),
    );
    expect(err).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The upload exceeds 2048 MB.',
      status: 413,
    });
  });

  it('says what happened when the body is not a problem document (a proxy’s HTML page)', () => {
    expect(problemToError(502, '<html>Bad gateway</html>')).toMatchObject({
      code: 'INTERNAL',
      message: 'The server answered 502.',
    });
    expect(problemToError(404, '<html>Not here</html>')).toMatchObject({
      code: 'NOT_FOUND',
      message: 'The server answered 404.',
    });
    expect(problemToError(400, '{"detail":"bad","code":"NOPE"}')).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'bad',
    });
  });
});
