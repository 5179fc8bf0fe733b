/**
 * Which memories and object pointers a tracked frame attends to, and how they are laid out for
 * the memory-attention module. This follows the official `_prepare_memory_conditioned_features`
 * (SAM2/SAM2.1, eval settings: every conditioning frame, temporal stride 1, pointers only from
 * the past, at most min(frames, 16) − 1 non-conditioning pointers).
 */
import type { TrackDirection } from './engine.ts';
import { fromBfloat16Bits } from './sam2-video-model.ts';

/** Memory slots (`num_maskmem`): conditioning frames at t_pos 0, then 6 previous frames. */
export const NUM_MASKMEM = 7;
/** `max_obj_ptrs_in_encoder`. */
export const MAX_OBJ_PTRS = 16;

/** One frame's stored output, as far as the bank is concerned. */
export interface BankEntry<M> {
  memory: M;
  objPtr: Float32Array;
}

/** A memory the frame attends to, with its temporal slot (0 = conditioning). */
export interface SelectedMemory<M> {
  frame: number;
  tPos: number;
  entry: BankEntry<M>;
}

/** A pointer the frame attends to, with its temporal distance. */
export interface SelectedPointer {
  frame: number;
  tDiff: number;
  objPtr: Float32Array;
}

/**
 * Selects the memories and pointers for `frame`. `cond` and `nonCond` map frame → output of one
 * object; `numFrames` bounds pointer look-back like the official predictor.
 */
export function selectMemory<M>(
  frame: number,
  direction: TrackDirection,
  cond: ReadonlyMap<number, BankEntry<M>>,
  nonCond: ReadonlyMap<number, BankEntry<M>>,
  numFrames: number,
): { memories: SelectedMemory<M>[]; pointers: SelectedPointer[] } {
  const step = direction === 'forward' ? 1 : -1;
  const memories: SelectedMemory<M>[] = [];
  for (const [t, entry] of cond) memories.push({ frame: t, tPos: 0, entry });
  for (let tPos = 1; tPos < NUM_MASKMEM; tPos++) {
    const prev = frame - step * (NUM_MASKMEM - tPos);
    const entry = nonCond.get(prev);
    if (entry) memories.push({ frame: prev, tPos, entry });
  }
  const maxPtrs = Math.min(numFrames, MAX_OBJ_PTRS);
  const pointers: SelectedPointer[] = [];
  for (const [t, entry] of cond) {
    const past = direction === 'forward' ? t <= frame : t >= frame;
    if (past) pointers.push({ frame: t, tDiff: Math.abs(frame - t), objPtr: entry.objPtr });
  }
  for (let tDiff = 1; tDiff < maxPtrs; tDiff++) {
    const t = frame - step * tDiff;
    if (t < 0 || t >= numFrames) break;
    const entry = nonCond.get(t);
    if (entry) pointers.push({ frame: t, tDiff, objPtr: entry.objPtr });
  }
  return { memories, pointers };
}

/**
 * SAM2's `get_1d_sine_pe(t_diff / (max_ptrs − 1), dim)` in float32: [sin | cos] halves with
 * frequencies 10000^(2⌊i/2⌋/(dim/2)).
 */
export function pointerSineEncoding(tDiffs: readonly number[], maxPtrs: number, dim = 256): Float32Array {
  const f = Math.fround;
  const half = dim / 2;
  const denom = Math.max(1, maxPtrs - 1);
  const dimT = new Float32Array(half);
  for (let i = 0; i < half; i++) dimT[i] = f(10000 ** f(f(2 * Math.floor(i / 2)) / half));
  const out = new Float32Array(tDiffs.length * dim);
  tDiffs.forEach((t, p) => {
    const x = f(t / denom);
    for (let i = 0; i < half; i++) {
      const a = f(x / (dimT[i] as number));
      out[p * dim + i] = Math.sin(a);
      out[p * dim + half + i] = Math.cos(a);
    }
  });
  return out;
}

/**
 * Lays out spatial memories for the module: `memory1` = the frames' [4096,64] features (bfloat16 → float32) one after
 * another; `memoryPos1` = the memory encoder's position encoding + `maskmem_tpos_enc[7 − t_pos − 1]`.
 */
export function assembleSpatial(
  features: readonly { data: Uint16Array; tPos: number }[],
  posEnc: Float32Array,
  tposEnc: Float32Array,
  memDim = 64,
): { memory1: Float32Array; memoryPos1: Float32Array } {
  const per = posEnc.length;
  const memory1 = new Float32Array(per * features.length);
  const memoryPos1 = new Float32Array(per * features.length);
  features.forEach((m, k) => {
    fromBfloat16Bits(m.data, memory1, k * per);
    const row = (NUM_MASKMEM - m.tPos - 1) * memDim;
    const base = k * per;
    for (let i = 0; i < per; i += memDim) {
      for (let c = 0; c < memDim; c++)
        memoryPos1[base + i + c] = (posEnc[i + c] as number) + (tposEnc[row + c] as number);
    }
  });
  return { memory1, memoryPos1 };
}

/**
 * Lays out pointers: each 256-d pointer becomes 4 tokens of 64 (consecutive slices), and its
 * projected position [64] is repeated for the 4 tokens.
 */
export function assemblePointers(
  pointers: readonly Float32Array[],
  positions: Float32Array,
  dim = 256,
  memDim = 64,
): { memory2: Float32Array; memoryPos2: Float32Array } {
  const split = dim / memDim;
  const memory2 = new Float32Array(pointers.length * dim);
  const memoryPos2 = new Float32Array(pointers.length * dim);
  pointers.forEach((p, k) => {
    memory2.set(p, k * dim);
    const pos = positions.subarray(k * memDim, (k + 1) * memDim);
    for (let s = 0; s < split; s++) memoryPos2.set(pos, k * dim + s * memDim);
  });
  return { memory2, memoryPos2 };
}
