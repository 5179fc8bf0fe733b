import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSecret, SECRET_FILE, TokenSigner } from './tokens.ts';

const signer = new TokenSigner('k'.repeat(32));
const claims = { sid: 'abc', role: 'viewer' as const, linkId: 'l1', exp: Date.now() + 60_000 };

function codeOf(fn: () => unknown): { code?: string; details?: { reason?: string } } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; details?: { reason?: string } };
  }
  throw new Error('did not throw');
}

describe('TokenSigner', () => {
  it('gives back the claims it signed', () => {
    expect(signer.verify(signer.sign(claims))).toEqual({ v: 1, ...claims });
  });

  it('refuses a token whose payload was changed (role raised to editor)', () => {
    const [, sig] = signer.sign(claims).split('.');
    const forged = `${Buffer.from(JSON.stringify({ v: 1, ...claims, role: 'editor' })).toString('base64url')}.${sig}`;
    expect(codeOf(() => signer.verify(forged))).toMatchObject({
      code: 'UNAUTHORIZED',
      details: { reason: 'signature' },
    });
  });

  it('refuses a token signed with another secret, an expired one and garbage', () => {
    const other = new TokenSigner('o'.repeat(32)).sign(claims);
    expect(codeOf(() => signer.verify(other)).details?.reason).toBe('signature');
    const expired = signer.sign({ ...claims, exp: Date.now() - 1 });
    expect(codeOf(() => signer.verify(expired)).details?.reason).toBe('expired');
    for (const bad of ['', 'x', 'a.b.c', '.sig', 'bm90IGpzb24.'])
      expect(codeOf(() => signer.verify(bad)).code).toBe('UNAUTHORIZED');
  });
});

describe('loadOrCreateSecret', () => {
  it('creates the secret once with mode 0600 and reads the same one back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roto-secret-'));
    try {
      const first = loadOrCreateSecret(join(dir, 'data'), undefined);
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      const path = join(dir, 'data', SECRET_FILE);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(loadOrCreateSecret(join(dir, 'data'), undefined)).toBe(first);
      expect((await readFile(path, 'utf8')).trim()).toBe(first);
      expect(loadOrCreateSecret(join(dir, 'data'), 'c'.repeat(40))).toBe('c'.repeat(40));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
