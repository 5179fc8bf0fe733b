import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runModelsCli } from '../src/cli/models.ts';
import type { PackReport } from '../src/models-fetch/status.ts';
import { type FileServer, startFileServer } from './models-cli-http.ts';
import { capture, content, makeZip, sha256, tempModelsDir, writePack } from './models-cli-pack.ts';

// samexporter publishes encoder + decoder as one zip: the manifest lists the zip (with its URL) as
// an extra file and the two ONNX files without a URL; fetch unpacks them and drops the zip.
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

async function run(...args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await runModelsCli([...args, '--dir', models.dir], {
    stdout,
    stderr,
    env: {},
    cwd: models.dir,
    fetch: { backoffMs: 10 },
  });
  return { code, out: stdout.text(), all: stdout.text() + stderr.text() };
}

function zippedPack(zip: Buffer, opts: { pinEncoder?: string } = {}) {
  server.put('/hf/sam2.1_hiera_tiny_20260221.zip', zip);
  return writePack(models.dir, 'img', {
    encoder: { file: 'sam2.1_hiera_tiny.encoder.onnx', body: Buffer.alloc(0), sha256: opts.pinEncoder },
    decoder: { file: 'sam2.1_hiera_tiny.decoder.onnx', body: Buffer.alloc(0) },
    extra: [
      {
        file: 'sam2.1_hiera_tiny_20260221.zip',
        body: zip,
        url: `${server.baseUrl}/hf/sam2.1_hiera_tiny_20260221.zip`,
        licence: 'Apache-2.0',
      },
    ],
  });
}

describe('models fetch of a pack published as a zip', () => {
  it('downloads the zip, unpacks the model files, removes the zip, and lists the pack as installed', async () => {
    const enc = content(200_000);
    const dec = content(30_000);
    const zip = makeZip([
      { name: 'sam2.1_hiera_tiny.encoder.onnx', body: enc },
      { name: 'sam2.1_hiera_tiny.decoder.onnx', body: dec, store: true },
    ]);
    const dir = zippedPack(zip, { pinEncoder: sha256(enc) });
    const r = await run('fetch', 'img');
    expect(r.code, r.all).toBe(0);
    expect(readFileSync(join(dir, 'sam2.1_hiera_tiny.encoder.onnx')).equals(enc)).toBe(true);
    expect(readFileSync(join(dir, 'sam2.1_hiera_tiny.decoder.onnx')).equals(dec)).toBe(true);
    expect(existsSync(join(dir, 'sam2.1_hiera_tiny_20260221.zip'))).toBe(false);
    expect(r.out).toContain(
      'sam2.1_hiera_tiny.encoder.onnx (imageEncoder): unpacked from sam2.1_hiera_tiny_20260221.zip',
    );
    expect(r.out).toContain('matches the pinned checksum');
    expect(r.out).toContain(`sha256 ${sha256(zip)}`);

    const list = await run('list', '--json');
    const pack = (JSON.parse(list.out) as { packs: PackReport[] }).packs[0];
    expect(pack?.status).toBe('installed');
    expect(pack?.files.find((f) => f.file.endsWith('.zip'))?.state).toBe('unpacked');

    const before = server.requests.length;
    const again = await run('fetch', 'img');
    expect(again.code, again.all).toBe(0);
    expect(again.out).toContain('not needed, its files are unpacked');
    expect(server.requests.length).toBe(before);
  });

  it('finds model files inside a folder of the zip', async () => {
    const enc = content(5000);
    const zip = makeZip([
      { name: 'sam2.1_hiera_tiny/sam2.1_hiera_tiny.encoder.onnx', body: enc },
      { name: 'sam2.1_hiera_tiny/sam2.1_hiera_tiny.decoder.onnx', body: content(100) },
    ]);
    const dir = zippedPack(zip);
    expect((await run('fetch', 'img')).code).toBe(0);
    expect(readFileSync(join(dir, 'sam2.1_hiera_tiny.encoder.onnx')).equals(enc)).toBe(true);
  });

  it('says which files the zip holds when a model file is not in it, and keeps the zip', async () => {
    const zip = makeZip([
      { name: 'encoder.onnx', body: content(100) },
      { name: 'sam2.1_hiera_tiny.decoder.onnx', body: content(100) },
    ]);
    const dir = zippedPack(zip);
    const r = await run('fetch', 'img');
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      "sam2.1_hiera_tiny.encoder.onnx: not found in the pack's archives (the archive holds: encoder.onnx, sam2.1_hiera_tiny.decoder.onnx)",
    );
    expect(existsSync(join(dir, 'sam2.1_hiera_tiny_20260221.zip'))).toBe(true);
  });

  it('rejects a damaged zip with a clear message', async () => {
    const zip = makeZip([
      { name: 'sam2.1_hiera_tiny.encoder.onnx', body: content(5000) },
      { name: 'sam2.1_hiera_tiny.decoder.onnx', body: content(100) },
    ]);
    zippedPack(zip.subarray(0, zip.length - 40));
    const r = await run('fetch', 'img');
    expect(r.code).toBe(1);
    expect(r.out).toContain('is not a usable zip archive');
  });
});
