import { describe, expect, it } from 'vitest';
import { type BankEntry, pointerSineEncoding, selectMemory } from './memory-bank.ts';
import { fromBfloat16Bits, toBfloat16Bits } from './sam2-video-model.ts';

const entry = (): BankEntry<null> => ({ memory: null, objPtr: new Float32Array(256) });
const bank = (frames: number[]) => new Map(frames.map((f) => [f, entry()]));

describe('memory selection (official eval rules)', () => {
  it('forward: conditioning frames at slot 0, the 6 previous frames at slots 1–6, up to 15 recent pointers', () => {
    const { memories, pointers } = selectMemory(
      10,
      'forward',
      bank([0]),
      bank([1, 2, 3, 4, 5, 6, 7, 8, 9]),
      20,
    );
    expect(memories.map((m) => [m.frame, m.tPos])).toEqual([
      [0, 0],
      [4, 1],
      [5, 2],
      [6, 3],
      [7, 4],
      [8, 5],
      [9, 6],
    ]);
    expect(pointers.map((p) => [p.frame, p.tDiff])).toEqual([
      [0, 10],
      ...[9, 8, 7, 6, 5, 4, 3, 2, 1].map((f) => [f, 10 - f]),
    ]);
  });

  it('backward: slots and pointers count frames after the current one', () => {
    const { memories, pointers } = selectMemory(5, 'backward', bank([10]), bank([6, 7, 8, 9]), 20);
    expect(memories.map((m) => [m.frame, m.tPos])).toEqual([
      [10, 0],
      [9, 3],
      [8, 4],
      [7, 5],
      [6, 6],
    ]);
    expect(pointers.map((p) => [p.frame, p.tDiff])).toEqual([
      [10, 5],
      [6, 1],
      [7, 2],
      [8, 3],
      [9, 4],
    ]);
  });

  it('a conditioning frame in the future gives memory but no pointer', () => {
    const { memories, pointers } = selectMemory(3, 'forward', bank([0, 8]), bank([1, 2]), 10);
    expect(memories.filter((m) => m.tPos === 0).map((m) => m.frame)).toEqual([0, 8]);
    expect(pointers.map((p) => p.frame)).toEqual([0, 2, 1]);
  });

  it('pointer look-back is bounded by min(frames, 16) − 1', () => {
    const many = bank(Array.from({ length: 39 }, (_, i) => i + 1));
    expect(selectMemory(40, 'forward', bank([0]), many, 100).pointers).toHaveLength(1 + 15);
    expect(selectMemory(9, 'forward', bank([0]), bank([1, 2, 3, 4, 5, 6, 7, 8]), 10).pointers).toHaveLength(
      1 + 8,
    );
  });
});

describe('pointer time encoding', () => {
  it('is [sin | cos] of t/(max−1) over frequencies 10000^(2⌊i/2⌋/128)', () => {
    const pe = pointerSineEncoding([0, 15], 16);
    expect(pe.subarray(0, 128).every((v) => v === 0)).toBe(true);
    expect(pe.subarray(128, 256).every((v) => v === 1)).toBe(true);
    expect(pe[256]).toBeCloseTo(Math.sin(1), 6);
    expect(pe[256 + 2]).toBeCloseTo(Math.sin(1 / 10000 ** (2 / 128)), 6);
    expect(pe[256 + 128]).toBeCloseTo(Math.cos(1), 6);
  });
});

describe('bfloat16 memory storage', () => {
  it('rounds to nearest, ties to even, and expands back exactly', () => {
    const f = new Float32Array([1.00390625, 1.01171875, 1.005, -2.5, 3e-39]);
    const bits = toBfloat16Bits(f.slice());
    expect(Array.from(bits.subarray(0, 2), (b) => b.toString(16))).toEqual(['3f80', '3f82']);
    const back = new Float32Array(5);
    fromBfloat16Bits(bits, back);
    expect(back[0]).toBe(1);
    expect(back[1]).toBe(1.015625);
    expect(back[2]).toBe(1.0078125);
    expect(back[3]).toBe(-2.5);
  });
});
