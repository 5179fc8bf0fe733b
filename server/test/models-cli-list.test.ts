import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runModelsCli } from '../src/cli/models.ts';
import type { PackReport } from '../src/models-fetch/status.ts';
import { capture, content, sha256, tempModelsDir, writePack } from './models-cli-pack.ts';

let models: { dir: string; cleanup: () => void };
beforeEach(() => {
  models = tempModelsDir();
});
afterEach(() => models.cleanup());

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await runModelsCli(args, { stdout, stderr, env, cwd: models.dir });
  return { code, out: stdout.text(), err: stderr.text() };
}

/** Five packs, one in each state a user can meet. */
function makePacks() {
  const enc = content(5000);
  const dec = content(3000);
  const files = (name: string, over: { encBytes?: number; encSha?: string } = {}) => ({
    encoder: {
      file: 'enc.onnx',
      body: enc,
      url: `http://127.0.0.1:9/${name}/enc.onnx`,
      bytes: over.encBytes ?? 5000,
      sha256: over.encSha,
    },
    decoder: { file: 'dec.onnx', body: dec, url: `http://127.0.0.1:9/${name}/dec.onnx` },
  });
  const installed = writePack(models.dir, 'a-installed', files('a', { encSha: sha256(enc) }));
  writeFileSync(join(installed, 'enc.onnx'), enc);
  writeFileSync(join(installed, 'dec.onnx'), dec);
  const partial = writePack(models.dir, 'b-partial', files('b'));
  writeFileSync(join(partial, 'dec.onnx'), dec);
  writeFileSync(join(partial, 'enc.onnx.part'), enc.subarray(0, 1200));
  writePack(models.dir, 'c-missing', files('c'));
  const corrupt = writePack(models.dir, 'd-corrupt', files('d'));
  writeFileSync(join(corrupt, 'enc.onnx'), enc.subarray(0, 4000));
  writeFileSync(join(corrupt, 'dec.onnx'), dec);
  const badSum = writePack(models.dir, 'e-bad-checksum', files('e', { encSha: 'b'.repeat(64) }));
  writeFileSync(join(badSum, 'enc.onnx'), enc);
  writeFileSync(join(badSum, 'dec.onnx'), dec);
  mkdirSync(join(models.dir, 'f-broken'));
  writeFileSync(join(models.dir, 'f-broken', 'manifest.json'), '{"name": "f-broken", "kind": "sam2-video"}');
  mkdirSync(join(models.dir, 'not-a-pack'));
}

describe('models list', () => {
  it('shows each pack with its status, bytes on disk and the active pack (--json)', async () => {
    makePacks();
    const r = await run(['list', '--json', '--dir', models.dir], { MODEL_PACK: 'b-partial' });
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { modelsDir: string; activePack: string; packs: PackReport[] };
    expect(doc.activePack).toBe('b-partial');
    const by = Object.fromEntries(doc.packs.map((p) => [p.name, p]));
    expect(Object.keys(by).sort()).toEqual([
      'a-installed',
      'b-partial',
      'c-missing',
      'd-corrupt',
      'e-bad-checksum',
      'f-broken',
    ]);
    expect(by['a-installed']).toMatchObject({
      status: 'installed',
      bytesOnDisk: 8000,
      kind: 'sam2-image',
      family: 'sam2.1',
      size: 'test',
    });
    expect(by['b-partial']).toMatchObject({ status: 'partial', bytesOnDisk: 4200, active: true });
    expect(by['c-missing']).toMatchObject({ status: 'missing', bytesOnDisk: 0, active: false });
    expect(by['d-corrupt']?.status).toBe('corrupt');
    expect(by['d-corrupt']?.files.find((f) => f.file === 'enc.onnx')?.problem).toBe(
      '4000 bytes on disk, manifest says 5000',
    );
    // Without --verify, list only checks sizes (hashing gigabytes on every list would be slow).
    expect(by['e-bad-checksum']?.status).toBe('installed');
    expect(by['f-broken']?.status).toBe('corrupt');
    expect(by['f-broken']?.problem).toContain('malformed');
  });

  it('--verify checks pinned checksums', async () => {
    makePacks();
    const r = await run(['list', '--json', '--verify', '--dir', models.dir]);
    const packs = (JSON.parse(r.out) as { packs: PackReport[] }).packs;
    const bad = packs.find((p) => p.name === 'e-bad-checksum');
    expect(bad?.status).toBe('corrupt');
    expect(bad?.files.find((f) => f.file === 'enc.onnx')?.problem).toContain(
      `manifest pins ${'b'.repeat(64)}`,
    );
    expect(packs.find((p) => p.name === 'a-installed')?.status).toBe('installed');
  });

  it('prints a table for people, with what to run for packs that are not installed', async () => {
    makePacks();
    const r = await run(['list', '--dir', models.dir], { MODEL_PACK: 'a-installed' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^\*\s+a-installed\s+installed\s+8\.00 kB\s+sam2-image\s+sam2\.1\s+test\s+Test pack a-installed$/m,
    );
    expect(r.out).toMatch(/^\s+b-partial\s+partial\s+4\.20 kB\s/m);
    expect(r.out).toMatch(/^\s+c-missing\s+missing\s+0 B\s/m);
    expect(r.out).toContain(
      'b-partial: partial (1 of 2 files not downloaded) → npm run models:fetch -- b-partial',
    );
    expect(r.out).toContain('not downloaded: c-missing');
    expect(r.out).toContain('d-corrupt: corrupt (enc.onnx: 4000 bytes on disk, manifest says 5000)');
  });

  it('includes MODEL_PACK when it is a folder outside the models folder', async () => {
    const elsewhere = tempModelsDir();
    try {
      const dir = writePack(elsewhere.dir, 'my-pack', {
        encoder: { file: 'enc.onnx', body: Buffer.alloc(0) },
        decoder: { file: 'dec.onnx', body: Buffer.alloc(0) },
      });
      writeFileSync(join(dir, 'enc.onnx'), content(10));
      writeFileSync(join(dir, 'dec.onnx'), content(10));
      const r = await run(['list', '--json', '--dir', models.dir], { MODEL_PACK: dir });
      const packs = (JSON.parse(r.out) as { packs: PackReport[] }).packs;
      expect(packs).toHaveLength(1);
      expect(packs[0]).toMatchObject({ name: 'my-pack', status: 'installed', active: true, dir });
    } finally {
      elsewhere.cleanup();
    }
  });

  it('says when the models folder holds no pack and the active pack is absent', async () => {
    const r = await run(['list', '--dir', models.dir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('no packs found');
    expect(r.out).toContain('the active pack "test-tiny" was not found');
  });
});

describe('models command line', () => {
  it('answers --help on every command with exit 0', async () => {
    for (const args of [['--help'], ['list', '--help'], ['fetch', '--help'], ['help', 'fetch']]) {
      const r = await run(args);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Usage: models/);
    }
    expect((await run(['fetch', '-h'])).out).toContain('--force');
  });

  it('exits 2 on wrong usage, naming the problem', async () => {
    const cases: [string[], string][] = [
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['fetch'], 'fetch needs a pack name or folder'],
      [['fetch', 'a', 'b'], 'one pack at a time'],
      [['list', '--colour'], "Unknown option '--colour'"],
      [['fetch', 'x', '--retries', 'many'], '--retries must be a whole number'],
      [[], 'Usage: models'],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out + r.err).toContain(message);
    }
  });

  it('runs as a program through tsx: `models list --json` exits 0 with JSON on stdout', () => {
    makePacks();
    const root = join(import.meta.dirname, '../..');
    const res = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'server/src/cli/models.ts', 'list', '--json', '--dir', models.dir],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, MODEL_PACK: 'c-missing' },
      },
    );
    expect(res.status, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout) as { packs: PackReport[] };
    expect(doc.packs.find((p) => p.active)?.name).toBe('c-missing');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'server/src/cli/models.ts', 'fetch'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
  });
});
