import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNpy } from './npy.ts';
import { readNpz } from './npz.ts';

// Real files written by NumPy (Debian's python3-numpy), not hand-made bytes.
const PY = '/usr/bin/python3';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roto-npz-'));
  execFileSync(PY, [
    '-c',
    `
import numpy as np, sys
d = sys.argv[1]
a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 8
b = np.array([[1, -2], [3, 2147483647]], dtype=np.int32)
c = np.array([True, False, True])
np.savez(d + '/stored.npz', a=a, b=b, c=c)
np.savez_compressed(d + '/deflated.npz', a=a, b=b, c=c)
np.save(d + '/fortran.npy', np.asfortranarray(np.ones((2, 3), np.float32)))
np.save(d + '/f64.npy', np.ones(3))
np.lib.format.write_array(open(d + '/v2.npy', 'wb'), a, version=(2, 0))
`,
    dir,
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npz/npy reader', () => {
  it.each(['stored', 'deflated'])('reads every array of a %s npz with shapes and values', (kind) => {
    const arrays = readNpz(readFileSync(join(dir, `${kind}.npz`)));
    expect([...arrays.keys()].sort()).toEqual(['a', 'b', 'c']);
    const a = arrays.get('a')!;
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 3, 4]);
    expect(Array.from(a.data)).toEqual(Array.from({ length: 24 }, (_, i) => i / 8));
    expect(arrays.get('b')).toMatchObject({ dtype: 'int32', shape: [2, 2] });
    expect(Array.from(arrays.get('b')!.data)).toEqual([1, -2, 3, 2147483647]);
    expect(arrays.get('c')).toMatchObject({ dtype: 'bool', shape: [3] });
    expect(Array.from(arrays.get('c')!.data)).toEqual([1, 0, 1]);
  });

  it('reads a version 2 header', () => {
    const a = parseNpy(readFileSync(join(dir, 'v2.npy')));
    expect(a.shape).toEqual([2, 3, 4]);
    expect(a.data[23]).toBe(23 / 8);
  });

  it('reads the SAM2.1 host constants of the parity fixture', () => {
    const arrays = readNpz(
      readFileSync(
        join(import.meta.dirname, '../../../../shared/fixtures/sam21-parity/pack/pretrained_weights.npz'),
      ),
    );
    expect(arrays.get('v2.1_hiera_t_maskmem_tpos_enc')?.shape).toEqual([7, 1, 1, 64]);
    expect(arrays.get('v2.1_hiera_t_no_obj_ptr')?.shape).toEqual([1, 256]);
  });

  it('refuses Fortran order, other dtypes and non-npy bytes with a message naming the problem', () => {
    expect(() => parseNpy(readFileSync(join(dir, 'fortran.npy')), 'x.npy')).toThrow(/x\.npy: Fortran-order/);
    expect(() => parseNpy(readFileSync(join(dir, 'f64.npy')))).toThrow(/unsupported dtype <f8/);
    expect(() => parseNpy(new Uint8Array(20))).toThrow(/bad magic/);
    expect(() => readNpz(new Uint8Array(100), 'w.npz')).toThrow(/w\.npz: not a zip file/);
  });

  it('refuses a truncated array', () => {
    const bytes = readFileSync(join(dir, 'v2.npy'));
    expect(() => parseNpy(bytes.subarray(0, bytes.length - 4))).toThrow(/data truncated/);
  });
});
