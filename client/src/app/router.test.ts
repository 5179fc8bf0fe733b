import { describe, expect, it } from 'vitest';
import { editorPath, parseRoute } from './router.ts';

describe('routes', () => {
  it('maps the start page and editor links, and names anything else as not found', () => {
    expect(parseRoute('/')).toEqual({ page: 'home' });
    expect(parseRoute(editorPath('abc_DEF-123'))).toEqual({ page: 'editor', sessionId: 'abc_DEF-123' });
    expect(parseRoute('/s/abc/')).toEqual({ page: 'editor', sessionId: 'abc' });
    expect(parseRoute('/s/../etc')).toEqual({ page: 'not-found', path: '/s/../etc' });
    expect(parseRoute('/s/')).toEqual({ page: 'not-found', path: '/s/' });
  });
});
