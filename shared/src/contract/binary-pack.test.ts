import { describe, expect, it } from 'vitest';
import { packBinary, unpackBinary } from './binary-pack.ts';

describe('packBinary', () => {
  it('gathers every byte array into one attachment and restores them', () => {
    const value = {
      a: new Uint8Array([1, 2, 3]),
      list: [{ m: new Uint8Array([4]) }, { m: new Uint8Array([]) }],
      n: 5,
      s: 'x',
    };
    const packed = packBinary(value);
    expect(packed.bin).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(JSON.parse(JSON.stringify(packed.json))).toEqual(packed.json);
    expect(unpackBinary(packed)).toEqual(value);
  });

  it('carries no attachment when there are no bytes, and drops undefined fields', () => {
    const packed = packBinary({ a: 1, b: undefined, c: [null] });
    expect(packed).toEqual({ json: { a: 1, c: [null] } });
  });

  it('refuses a reference past the attachment', () => {
    expect(() => unpackBinary({ json: { $bin: [2, 5] }, bin: new Uint8Array(3) })).toThrow(/does not carry/);
  });
});
