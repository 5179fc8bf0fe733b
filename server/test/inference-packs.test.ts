/**
 * Model packs on disk: what a user sees when a pack is missing, incomplete, malformed, damaged or
 * carries constants of the wrong shape. Real files, real onnxruntime sessions.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  readFileSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOnnxEngine } from '../src/inference/onnx-engine.ts';
import { loadPack } from '../src/inference/packs.ts';
import { PARITY_DIR, writeParityPack } from './parity-pack.ts';

const dirs: string[] = [];
function pack(): string {
  const d = writeParityPack('default');
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary manifest fields
function editManifest(dir: string, edit: (m: Record<string, any>) => void): void {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  edit(m);
  writeFileSync(path, JSON.stringify(m));
}

async function failure(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

describe('model packs', () => {
  it('a missing pack: status "missing", the fetch command, and MODEL_UNAVAILABLE on every call', async () => {
    const engine = createOnnxEngine({ pack: 'sam2.1-hiera-tiny', modelsDir: '/nonexistent-models' });
    const err = await failure(engine.ready());
    expect(err.code).toBe('MODEL_UNAVAILABLE');
    expect(err.message).toContain('npm run models:fetch -- sam2.1-hiera-tiny');
    expect(engine.info()).toMatchObject({
      pack: 'sam2.1-hiera-tiny',
      status: 'missing',
      kind: null,
      fetchCommand: 'npm run models:fetch -- sam2.1-hiera-tiny',
    });
    const seg = await failure(
      engine.segmentImage(
        { data: new Uint8Array(3), width: 1, height: 1 },
        { points: [{ x: 0, y: 0, label: 1 }] },
      ),
    );
    expect(seg.code).toBe('MODEL_UNAVAILABLE');
    expect(() =>
      engine.createVideoState({
        id: 'v',
        frameCount: 1,
        width: 1,
        height: 1,
        getFrame: async () => ({ data: new Uint8Array(3), width: 1, height: 1 }),
      }),
    ).toThrow(/models:fetch/);
  });

  it('a missing module file is named, with the fetch command', async () => {
    const dir = pack();
    unlinkSync(join(dir, 'mlp_hiera_t_2.1.onnx'));
    const err = await failure(loadPack({ pack: dir }));
    expect(err.code).toBe('MODEL_UNAVAILABLE');
    expect(err.details?.reason).toBe('missing');
    expect(err.message).toContain('mlp_hiera_t_2.1.onnx is missing');
    expect(err.message).toContain(`npm run models:fetch -- ${dir}`);
  });

  it('a malformed manifest says which field is wrong', async () => {
    const dir = pack();
    editManifest(dir, (m) => {
      m.family = 'sam3';
    });
    const err = await failure(loadPack({ pack: dir }));
    expect(err.code).toBe('MODEL_UNAVAILABLE');
    expect(err.details?.reason).toBe('malformed');
    expect(err.message).toMatch(/malformed: family/);
    const engine = createOnnxEngine({ pack: dir });
    await failure(engine.ready());
    expect(engine.info()).toMatchObject({ status: 'error' });
    expect(engine.info().message).toMatch(/family/);
  });

  it('a manifest mapping a tensor the model does not have is refused with the real names', async () => {
    const dir = pack();
    editManifest(dir, (m) => {
      m.modules.mlp.inputs.x = 'input';
    });
    const engine = createOnnxEngine({ pack: dir, verify: 'never' });
    const err = await failure(engine.ready());
    expect(err.message).toContain('module "mlp" has no input "input" (mapped from "x"); its inputs are x');
  });

  it('a module returning a tensor of the wrong shape gives a clear error, not a crash', async () => {
    const dir = pack();
    editManifest(dir, (m) => {
      m.modules.imageEncoder.outputs.backboneFpn0 = 'backbone_fpn_1';
    });
    const engine = createOnnxEngine({ pack: dir, verify: 'never' });
    await engine.ready();
    const err = await failure(
      engine.segmentImage(
        { data: new Uint8Array(64 * 48 * 3), width: 64, height: 48 },
        { points: [{ x: 5, y: 5, label: 1 }] },
      ),
    );
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toBe(
      'imageEncoder returned "backbone_fpn_1" of shape [1,64,128,128], expected [1,32,256,256]: the model file does not follow the pack\'s contract',
    );
    await engine.close();
  });

  it('a checksum mismatch names both hashes; the verification is cached by size and mtime', async () => {
    const dir = pack();
    const name = 'obj_ptr_tpos_proj_hiera_t_2.1.onnx';
    const file = join(dir, name);
    unlinkSync(file);
    copyFileSync(join(PARITY_DIR, 'pack', name), file);
    const cacheFile = join(dir, 'verified.json');
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    await loadPack({ pack: dir, verifyCacheFile: cacheFile });
    // Damage the file without changing its size or mtime: the cached verification still holds…
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    writeFileSync(file, bytes);
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    await expect(loadPack({ pack: dir, verifyCacheFile: cacheFile })).resolves.toBeDefined();
    // …and a full verification catches it.
    const err = await failure(loadPack({ pack: dir, verifyCacheFile: cacheFile, verify: 'always' }));
    expect(err.details?.reason).toBe('checksum');
    const expected = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).modules.objPtrTposProj
      .sha256;
    expect(err.message).toContain(`expected sha256 ${expected}, got `);
    expect(err.message).toMatch(/got [0-9a-f]{64}/);
  });

  it('a host constant of the wrong shape is refused, naming the constant and both shapes', async () => {
    const dir = pack();
    const npz = join(dir, 'pretrained_weights.npz');
    unlinkSync(npz);
    execFileSync('/usr/bin/python3', [
      '-c',
      `
import numpy as np, sys
src = dict(np.load(sys.argv[1]))
src['v2.1_hiera_t_no_obj_ptr'] = np.zeros((1, 128), np.float32)
np.savez(sys.argv[2], **src)
`,
      join(PARITY_DIR, 'pack/pretrained_weights.npz'),
      npz,
    ]);
    const err = await failure(loadPack({ pack: dir, verify: 'never' }));
    expect(err.details?.reason).toBe('constants');
    expect(err.message).toContain('Constant noObjPtr ("v2.1_hiera_t_no_obj_ptr"');
    expect(err.message).toContain('is float32 (1,128), expected float32 (1,256)');
  });

  // Only meaningful where onnxruntime-node has no CUDA provider installed (the default install).
  const ortBin = join(
    dirname(createRequire(import.meta.url).resolve('onnxruntime-node')),
    '../bin/napi-v6/linux/x64',
  );
  it.skipIf(existsSync(join(ortBin, 'libonnxruntime_providers_cuda.so')))(
    'ORT_PROVIDERS=cuda,cpu without CUDA falls back to the CPU with one warning',
    async () => {
      const warnings: string[] = [];
      const engine = createOnnxEngine({
        pack: 'test-tiny',
        providers: 'cuda,cpu',
        log: (m) => warnings.push(m),
      });
      await engine.ready();
      expect(engine.info()).toMatchObject({ status: 'ready', providers: ['cpu'] });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/providers cuda,cpu unavailable .*using cpu/);
      await engine.close();
    },
  );

  it('an unknown execution provider is refused by name', () => {
    expect(() => createOnnxEngine({ pack: 'test-tiny', providers: 'tpu' })).toThrow(
      'Unknown execution provider "tpu" (known: cpu, cuda)',
    );
  });
});
