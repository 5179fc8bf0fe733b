import { describe, expect, it } from 'vitest';
import { parseShareLink, tokenLinkId } from './share-link.ts';

const token = `${btoa(JSON.stringify({ v: 1, sid: 'abc', role: 'viewer', linkId: 'L-1_x', exp: null })).replaceAll('=', '')}.c2ln`;

describe('parseShareLink', () => {
  it('splits an absolute link, keeping a path prefix in the server URL', () => {
    expect(parseShareLink(`https://roto.example/s/abc123#token=${token}`)).toEqual({
      serverUrl: 'https://roto.example',
      sessionId: 'abc123',
      token,
    });
    expect(parseShareLink(`https://example.org:8443/tools/roto/s/k2x_9-z/#token=${token}`)).toEqual({
      serverUrl: 'https://example.org:8443/tools/roto',
      sessionId: 'k2x_9-z',
      token,
    });
  });

  it('resolves a relative link against the server it came from; takes ?token= too', () => {
    expect(parseShareLink(`/s/abc#token=${token}`, 'http://127.0.0.1:8080')).toEqual({
      serverUrl: 'http://127.0.0.1:8080',
      sessionId: 'abc',
      token,
    });
    expect(parseShareLink(`http://h/s/abc?token=${token}`).token).toBe(token);
  });

  it('refuses what is not a share link with INVALID_INPUT naming the problem', () => {
    const fails = (link: string, message: RegExp) => {
      expect(() => parseShareLink(link)).toThrow(message);
      try {
        parseShareLink(link);
      } catch (err) {
        expect((err as { code?: string }).code).toBe('INVALID_INPUT');
      }
    };
    fails(`/s/abc#token=${token}`, /relative/);
    fails('not a link', /not a URL/);
    fails(`https://roto.example/sessions/abc#token=${token}`, /\/s\/<sessionId>/);
    fails(`https://roto.example/s/..%2Fetc#token=${token}`, /session id/);
    fails('https://roto.example/s/abc', /no token/);
  });
});

describe('tokenLinkId', () => {
  it('reads the link id of a token, and nothing from what is not one', () => {
    expect(tokenLinkId(token)).toBe('L-1_x');
    for (const bad of [undefined, '', 'x.y', '.sig', 'bm90IGpzb24.x'])
      expect(tokenLinkId(bad)).toBeUndefined();
  });
});
