import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runModelsCli } from '../src/cli/models.ts';
import { type FileServer, startFileServer } from './models-cli-http.ts';
import { capture, content, sha256, tempModelsDir, writePack } from './models-cli-pack.ts';

let server: FileServer;
let models: { dir: string; cleanup: () => void };

beforeEach(async () => {
  server = await startFileServer();
  models = tempModelsDir();
});
afterEach(async () => {
  await server.close();
  models.cleanup();
});

/** Runs `models <args>` against the temp models folder, as a user would from a log (no TTY). */
async function models_(...args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await runModelsCli([...args, '--dir', models.dir], {
    stdout,
    stderr,
    env: { MODEL_PACK: 'demo' },
    cwd: models.dir,
    fetch: { backoffMs: 10, idleTimeoutMs: 5000 },
  });
  return { code, out: stdout.text(), err: stderr.text(), all: stdout.text() + stderr.text() };
}

/** A two-module pack served by the local server; returns the served bodies. */
function servePack(
  name = 'demo',
  opts: { encoderBytes?: number; pinEncoder?: string; encoderSize?: number } = {},
) {
  const enc = content(opts.encoderBytes ?? 300_000);
  const dec = content(40_000);
  server.put(`/files/${name}/encoder.onnx`, enc);
  server.put(`/files/${name}/decoder.onnx`, dec);
  const dir = writePack(models.dir, name, {
    encoder: {
      file: 'encoder.onnx',
      body: enc,
      url: `${server.baseUrl}/files/${name}/encoder.onnx`,
      sha256: opts.pinEncoder,
      bytes: opts.encoderSize,
      licence: 'Apache-2.0 (test weights)',
    },
    decoder: {
      file: 'decoder.onnx',
      body: dec,
      url: `${server.baseUrl}/files/${name}/decoder.onnx`,
      licence: 'MIT',
    },
  });
  return { enc, dec, dir };
}

describe('models fetch', () => {
  it('downloads every file, prints hashes to pin and licences, and leaves no partial file', async () => {
    const { enc, dec, dir } = servePack('demo', { pinEncoder: undefined });
    const r = await models_('fetch', 'demo');
    expect(r.code, r.all).toBe(0);
    expect(readFileSync(join(dir, 'encoder.onnx')).equals(enc)).toBe(true);
    expect(readFileSync(join(dir, 'decoder.onnx')).equals(dec)).toBe(true);
    expect(existsSync(join(dir, 'encoder.onnx.part'))).toBe(false);
    expect(r.out).toContain(`sha256 ${sha256(enc)}`);
    expect(r.out).toContain(`"sha256": "${sha256(dec)}"`);
    expect(r.out).toContain('licence: Apache-2.0 (test weights)');
    expect(r.out).toContain('licence: MIT');
    expect(r.out).toContain('Apache-2.0 licence');
    expect(r.out).toContain('all 2 files present and verified');
    // Plain progress lines when the output is not a terminal.
    expect(r.err).toMatch(/encoder\.onnx: downloading \(300\.0 kB\)/);

    // A second run finds everything in place and downloads nothing.
    const before = server.requests.length;
    const again = await models_('fetch', 'demo');
    expect(again.code).toBe(0);
    expect(again.out).toContain('encoder.onnx (imageEncoder): present');
    expect(server.requests.length).toBe(before);
  });

  it('resumes with an HTTP Range request after the connection drops midway', async () => {
    const { enc, dir } = servePack('demo', { encoderBytes: 500_000 });
    server.dropAfter('/files/demo/encoder.onnx', 200_000);
    const r = await models_('fetch', 'demo');
    expect(r.code, r.all).toBe(0);
    expect(readFileSync(join(dir, 'encoder.onnx')).equals(enc)).toBe(true);
    const encRequests = server.requests.filter((q) => q.path.endsWith('encoder.onnx'));
    expect(encRequests).toHaveLength(2);
    expect(encRequests[0]?.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(encRequests[1]?.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(200_000);
    expect(encRequests[1]?.status).toBe(206);
    expect(r.out).toMatch(/retry 1/);
    expect(r.out).toContain(`sha256 ${sha256(enc)}`);
  });

  it('gives up on a stalled transfer and resumes it', async () => {
    const { enc, dir } = servePack('demo', { encoderBytes: 300_000 });
    server.stallAfter('/files/demo/encoder.onnx', 100_000);
    const stdout = capture();
    const code = await runModelsCli(['fetch', 'demo', '--dir', models.dir], {
      stdout,
      stderr: capture(),
      env: {},
      cwd: models.dir,
      fetch: { backoffMs: 10, idleTimeoutMs: 300 },
    });
    expect(code, stdout.text()).toBe(0);
    expect(stdout.text()).toContain('no data from');
    expect(readFileSync(join(dir, 'encoder.onnx')).equals(enc)).toBe(true);
    expect(server.requests.filter((q) => q.path.endsWith('encoder.onnx'))[1]?.range).toMatch(/^bytes=\d+-$/);
  });

  it('resumes a partial file left by an interrupted run and verifies the pinned checksum over all of it', async () => {
    const enc = content(250_000);
    const { dir } = servePack('demo', { encoderBytes: 250_000 });
    server.put('/files/demo/encoder.onnx', enc);
    const manifestPath = join(dir, 'manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    m.modules.imageEncoder.sha256 = sha256(enc);
    m.modules.imageEncoder.bytes = enc.length;
    writeFileSync(manifestPath, JSON.stringify(m));
    writeFileSync(join(dir, 'encoder.onnx.part'), enc.subarray(0, 100_000));

    const r = await models_('fetch', 'demo');
    expect(r.code, r.all).toBe(0);
    expect(server.requests.find((q) => q.path.endsWith('encoder.onnx'))?.range).toBe('bytes=100000-');
    expect(readFileSync(join(dir, 'encoder.onnx')).equals(enc)).toBe(true);
    expect(r.out).toContain('resumed from 100.0 kB');
    expect(r.out).toContain('matches the pinned checksum');
  });

  it('rejects a checksum mismatch: deletes the download and shows both hashes', async () => {
    const wrong = 'a'.repeat(64);
    const { enc, dir } = servePack('demo', { pinEncoder: wrong });
    const r = await models_('fetch', 'demo');
    expect(r.code).toBe(1);
    expect(r.all).toContain('checksum mismatch');
    expect(r.all).toContain(`expected sha256 ${wrong}`);
    expect(r.all).toContain(`got ${sha256(enc)}`);
    expect(existsSync(join(dir, 'encoder.onnx'))).toBe(false);
    expect(existsSync(join(dir, 'encoder.onnx.part'))).toBe(false);
    // The other file is still fetched: one run shows every problem.
    expect(existsSync(join(dir, 'decoder.onnx'))).toBe(true);
    expect(r.out).toContain('1 of 2 files failed: encoder.onnx');
  });

  it('reports HTTP 404 and 403 with the URL, without retrying', async () => {
    const { dir } = servePack('demo');
    server.put('/files/demo/encoder.onnx', Buffer.alloc(0));
    server.failWith('/files/demo/encoder.onnx', 404);
    server.failWith('/files/demo/decoder.onnx', 403);
    const r = await models_('fetch', 'demo');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${server.baseUrl}/files/demo/encoder.onnx answered HTTP 404`);
    expect(r.out).toContain(`${server.baseUrl}/files/demo/decoder.onnx answered HTTP 403: access denied`);
    expect(server.requests.filter((q) => q.path.endsWith('encoder.onnx'))).toHaveLength(1);
    expect(existsSync(join(dir, 'encoder.onnx'))).toBe(false);
  });

  it('rejects a file whose size differs from the manifest', async () => {
    const { dir } = servePack('demo', { encoderBytes: 120_000, encoderSize: 120_001 });
    const r = await models_('fetch', 'demo');
    expect(r.code).toBe(1);
    expect(r.out).toContain('size mismatch');
    expect(r.out).toContain('the server offers 120000 bytes but the manifest says 120001');
    expect(existsSync(join(dir, 'encoder.onnx'))).toBe(false);
  });

  it('names a DNS failure as such', async () => {
    writePack(models.dir, 'demo', {
      encoder: {
        file: 'encoder.onnx',
        body: Buffer.alloc(0),
        url: 'http://models.nonexistent.invalid/encoder.onnx',
      },
      decoder: {
        file: 'decoder.onnx',
        body: Buffer.alloc(0),
        url: 'http://models.nonexistent.invalid/decoder.onnx',
      },
    });
    const r = await models_('fetch', 'demo', '--retries', '1');
    expect(r.code).toBe(1);
    expect(r.out).toContain('cannot resolve models.nonexistent.invalid');
  });

  it('refuses a file larger than the free disk space before writing it, and says how much is needed', async () => {
    const { dir } = servePack('demo');
    server.announce('/files/demo/encoder.onnx', 5e15);
    const r = await models_('fetch', 'demo');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /encoder\.onnx: not enough space for .*encoder\.onnx\.part: 5000\.0 TB needed, .* free on that disk/,
    );
    expect(existsSync(join(dir, 'encoder.onnx.part'))).toBe(false);
    expect(existsSync(join(dir, 'decoder.onnx'))).toBe(true);
  });

  it('--force downloads again; --pin writes the hashes into manifest.json', async () => {
    const { enc, dir } = servePack('demo');
    expect((await models_('fetch', 'demo')).code).toBe(0);
    const before = server.requests.length;
    const r = await models_('fetch', 'demo', '--force', '--pin');
    expect(r.code, r.all).toBe(0);
    expect(server.requests.length).toBe(before + 2);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(m.modules.imageEncoder.sha256).toBe(sha256(enc));
    expect(m.modules.imageEncoder.bytes).toBe(enc.length);
    expect(m.modules.imageEncoder.inputs.image).toBe('image');
  });

  it('only verifies a pack given as a folder path, and never downloads into it', async () => {
    const { enc, dir } = servePack('demo');
    const missing = await models_('fetch', dir);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('a local pack is only verified, never downloaded');
    expect(server.requests).toHaveLength(0);

    writeFileSync(join(dir, 'encoder.onnx'), enc);
    writeFileSync(join(dir, 'decoder.onnx'), content(10));
    const ok = await models_('fetch', dir);
    expect(ok.code, ok.all).toBe(0);
    expect(ok.out).toContain(`sha256 ${sha256(enc)}`);
    expect(server.requests).toHaveLength(0);
  });

  it('fails with a clear message for an unknown pack', async () => {
    const r = await models_('fetch', 'no-such-pack');
    expect(r.code).toBe(1);
    expect(r.err).toContain('unknown pack "no-such-pack"');
  });
});
