/**
 * The modules of a `sam2-video` pack (ailia's split SAM2/SAM2.1 export) behind typed methods:
 * encode a frame, prompt + decode, choose the mask, object pointer, memory encoder, memory
 * attention. The host algorithm (which frames, which pointers) lives in `memory-bank.ts` and
 * `video-state.ts`; this file only knows tensors.
 */
import * as ort from 'onnxruntime-node';
import { InferenceError } from './errors.ts';
import { LOGICAL_TENSORS } from './manifest.ts';
import { f32, OnnxModule, type Provider } from './onnx-module.ts';
import type { HostConstants, LoadedPack } from './packs.ts';
import { maskForMemory } from './postprocess.ts';
import type { EncodedPoints } from './prompts.ts';

/** Side of the low-resolution mask logits. */
export const LOW_RES = 256;
const LOW_RES_AREA = LOW_RES * LOW_RES;
/** Tokens of the 64×64 feature grid. */
export const HW = 64 * 64;
/** Hidden and memory dims of every SAM2 size. */
export const C = 256;
export const MEM_C = 64;
/** Low-res logits of a frame where the object is absent (SAM2's NO_OBJ_SCORE). */
export const NO_OBJ_SCORE = -1024;

/** The encoder outputs a frame needs later (pos_enc_0/1 are never used by the decoder). */
export interface FrameEmbedding {
  fpn0: ort.Tensor;
  fpn1: ort.Tensor;
  fpn2: ort.Tensor;
  posEnc2: ort.Tensor;
  /** fpn_2 + no_mem_embed, made on first use by a prompt (counted in `bytes` up front). */
  noMem?: ort.Tensor;
  bytes: number;
}

/** The chosen decoder output for one object on one frame. */
export interface Decoded {
  /** Chosen low-res logits [256×256], −1024 everywhere when the object is absent. */
  lowRes: Float32Array;
  iou: number;
  objectScore: number;
  present: boolean;
  /** 256-d object pointer (mlp(token), or no_obj_ptr when absent). */
  objPtr: Float32Array;
  /** Candidate index the mask came from (0–3). */
  index: number;
}

/**
 * Memory-bank features of one frame: [4096,64] token-major, stored as bfloat16 bit patterns
 * (the official predictor keeps them in bfloat16 too, so this halves memory without changing a
 * value: 512 KiB per frame and object).
 */
export interface FrameMemory {
  features: Uint16Array;
}

/** Rounds float32 values to bfloat16 (round to nearest, ties to even), in place. */
export function roundToBfloat16(data: Float32Array): Float32Array {
  const u = new Uint32Array(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < u.length; i++) {
    const x = u[i] as number;
    if ((x & 0x7f800000) === 0x7f800000) continue; // Inf/NaN unchanged
    u[i] = ((x + 0x7fff + ((x >>> 16) & 1)) & 0xffff0000) >>> 0;
  }
  return data;
}

/** Rounds float32 values to bfloat16 and returns the 16-bit patterns. */
export function toBfloat16Bits(data: Float32Array): Uint16Array {
  const u = new Uint32Array(roundToBfloat16(data).buffer, data.byteOffset, data.length);
  const out = new Uint16Array(data.length);
  for (let i = 0; i < u.length; i++) out[i] = (u[i] as number) >>> 16;
  return out;
}

/** Expands bfloat16 patterns into float32 values at `out[offset…]` (exact). */
export function fromBfloat16Bits(bits: Uint16Array, out: Float32Array, offset = 0): void {
  const u = new Uint32Array(out.buffer, out.byteOffset + offset * 4, bits.length);
  for (let i = 0; i < bits.length; i++) u[i] = (bits[i] as number) << 16;
}

/** [C, N] → [N, C] (NCHW feature map → token-major), into `out`. */
export function transposeCN(
  src: Float32Array,
  c: number,
  n: number,
  out = new Float32Array(c * n),
): Float32Array {
  for (let ci = 0; ci < c; ci++) {
    const row = ci * n;
    for (let i = 0; i < n; i++) out[i * c + ci] = src[row + i] as number;
  }
  return out;
}

const ENCODER_OUTPUTS = ['backboneFpn0', 'backboneFpn1', 'backboneFpn2', 'visionPosEnc2'] as const;

/** The loaded modules of a sam2-video pack. */
export class Sam2VideoModel {
  readonly inputSize: number;
  readonly family: 'sam2' | 'sam2.1';
  private densePe: ort.Tensor | null = null;
  private memPosEncT: Float32Array | null = null;
  private readonly zeroMask: ort.Tensor;
  private readonly enableOff = new ort.Tensor('int32', new Int32Array([0]), [1]);
  private readonly enableOn = new ort.Tensor('int32', new Int32Array([1]), [1]);
  private readonly maskDims: number[];

  private constructor(
    readonly pack: LoadedPack,
    readonly constants: HostConstants,
    readonly modules: Record<string, OnnxModule>,
  ) {
    this.inputSize = pack.manifest.inputSize;
    this.family = pack.manifest.family;
    // The legacy prompt encoder takes a 3-D mask [1,256,256]; ailia's default a 4-D one.
    this.maskDims =
      this.mod('promptEncoder').options.maskRank === 3 ? [1, LOW_RES, LOW_RES] : [1, 1, LOW_RES, LOW_RES];
    this.zeroMask = f32(new Float32Array(LOW_RES_AREA), this.maskDims);
  }

  /** Creates a session per module (checking tensor names). */
  static async load(
    pack: LoadedPack,
    providers: readonly Provider[],
    log?: (m: string) => void,
  ): Promise<Sam2VideoModel> {
    if (!pack.constants)
      throw new InferenceError(
        'MODEL_UNAVAILABLE',
        `${pack.dir}: a sam2-video pack needs its host constants`,
      );
    const specs = LOGICAL_TENSORS['sam2-video'];
    const modules: Record<string, OnnxModule> = {};
    let eps = providers;
    try {
      for (const [role, spec] of Object.entries(specs)) {
        const mod = pack.manifest.modules[role];
        const path = pack.modulePaths[role];
        if (!mod || !path) continue; // objPtrTposProj is absent from SAM2 (not 2.1) packs
        const loaded = await OnnxModule.load(role, path, mod, spec, eps, log);
        modules[role] = loaded;
        eps = loaded.providers; // after a fallback to cpu, do not retry cuda for every module
      }
    } catch (err) {
      await Promise.all(Object.values(modules).map((m) => m.release()));
      throw err;
    }
    return new Sam2VideoModel(pack, pack.constants, modules);
  }

  /** Execution providers the sessions ended up with. */
  get providers(): Provider[] {
    return this.mod('imageEncoder').providers;
  }

  mod(role: string): OnnxModule {
    const m = this.modules[role];
    if (!m) throw new InferenceError('INTERNAL', `module ${role} is not loaded`);
    return m;
  }

  /** Image encoder on a normalised [1,3,S,S] input; only the outputs used later are fetched. */
  async encode(input: Float32Array): Promise<FrameEmbedding> {
    const s = this.inputSize;
    const out = await this.mod('imageEncoder').run({ image: f32(input, [1, 3, s, s]) }, ENCODER_OUTPUTS, {
      backboneFpn0: [1, 32, 256, 256],
      backboneFpn1: [1, 64, 128, 128],
      backboneFpn2: [1, C, 64, 64],
      visionPosEnc2: [1, C, 64, 64],
    });
    const bytes = 4 * (32 * 256 * 256 + 64 * 128 * 128 + 3 * C * HW);
    return {
      fpn0: out.backboneFpn0,
      fpn1: out.backboneFpn1,
      fpn2: out.backboneFpn2,
      posEnc2: out.visionPosEnc2,
      bytes,
    };
  }

  /** fpn_2 + no_mem_embed (the features of a frame that starts tracking), cached on the embedding. */
  noMemFeatures(emb: FrameEmbedding): ort.Tensor {
    if (emb.noMem) return emb.noMem;
    const src = emb.fpn2.data as Float32Array;
    const out = new Float32Array(C * HW);
    const add = this.constants.noMemEmbed;
    for (let c = 0; c < C; c++) {
      const v = add[c] as number;
      const base = c * HW;
      for (let i = 0; i < HW; i++) out[base + i] = (src[base + i] as number) + v;
    }
    emb.noMem = f32(out, [1, C, 64, 64]);
    return emb.noMem;
  }

  /**
   * Prompt encoder + mask decoder + SAM2's output rules: multimask (best of candidates 1–3 for
   * mask and pointer) with 0–1 points; otherwise candidate 0 if stable (area(>0.05)/area(>−0.05)
   * ≥ 0.98) else the best of 1–3, with the pointer from token 0 (as the official decoder does).
   * An object score ≤ 0 gates the mask to −1024 and the pointer to no_obj_ptr.
   */
  async decode(
    emb: FrameEmbedding,
    features: ort.Tensor,
    points: EncodedPoints,
    maskInput: Float32Array | null,
    wantPointer: boolean,
  ): Promise<Decoded> {
    const pe = this.mod('promptEncoder');
    let mask = this.zeroMask;
    if (maskInput) {
      const clamped = new Float32Array(LOW_RES_AREA);
      for (let i = 0; i < LOW_RES_AREA; i++) clamped[i] = Math.min(32, Math.max(-32, maskInput[i] as number));
      mask = f32(clamped, this.maskDims);
    }
    const feeds = {
      coords: f32(points.coords, [1, points.n, 2]),
      labels: new ort.Tensor('int32', points.labels, [1, points.n]),
      masks: mask,
      masksEnable: maskInput ? this.enableOn : this.enableOff,
    };
    // dense_pe depends on nothing but the weights: fetch it once.
    const prompt = this.densePe
      ? await pe.run(feeds, ['sparseEmbeddings', 'denseEmbeddings'], {
          sparseEmbeddings: [1, points.n + 1, C],
          denseEmbeddings: [1, C, 64, 64],
        })
      : await pe.run(feeds, ['sparseEmbeddings', 'denseEmbeddings', 'densePe'], {
          sparseEmbeddings: [1, points.n + 1, C],
          denseEmbeddings: [1, C, 64, 64],
          densePe: [1, C, 64, 64],
        });
    if (!this.densePe) this.densePe = (prompt as unknown as Record<'densePe', ort.Tensor>).densePe;
    const dec = await this.mod('maskDecoder').run(
      {
        imageEmbeddings: features,
        imagePe: this.densePe,
        sparseEmbeddings: prompt.sparseEmbeddings,
        denseEmbeddings: prompt.denseEmbeddings,
        highRes1: emb.fpn0,
        highRes2: emb.fpn1,
      },
      ['masks', 'iouPred', 'tokens', 'objectScore'],
      { masks: [1, 4, LOW_RES, LOW_RES], iouPred: [1, 4], tokens: [1, 4, C], objectScore: [1, 1] },
    );
    const masks = dec.masks.data as Float32Array;
    const iou = dec.iouPred.data as Float32Array;
    const objectScore = (dec.objectScore.data as Float32Array)[0] as number;
    const present = objectScore > 0;
    const multimask = points.labels.filter((l) => l !== -1).length <= 1;
    let best = 1;
    for (let i = 2; i < 4; i++) if ((iou[i] as number) > (iou[best] as number)) best = i;
    let index = best;
    let tokenIndex = best;
    if (!multimask) {
      tokenIndex = 0;
      // Stability is measured on the gated logits: an absent object's −1024 mask counts as stable.
      index = !present || stability(masks.subarray(0, LOW_RES_AREA)) >= 0.98 ? 0 : best;
    }
    const lowRes = present
      ? masks.slice(index * LOW_RES_AREA, (index + 1) * LOW_RES_AREA)
      : new Float32Array(LOW_RES_AREA).fill(NO_OBJ_SCORE);
    let objPtr: Float32Array;
    if (!wantPointer) objPtr = new Float32Array(0);
    else if (!present) objPtr = this.constants.noObjPtr.slice();
    else {
      const token = (dec.tokens.data as Float32Array).slice(tokenIndex * C, (tokenIndex + 1) * C);
      const y = await this.mod('mlp').run({ x: f32(token, [1, C]) }, ['y'], { y: [1, C] });
      objPtr = y.y.data as Float32Array;
    }
    return { lowRes, iou: iou[index] as number, objectScore, present, objPtr, index };
  }

  /**
   * Memory encoder on a frame's raw fpn_2 and its chosen logits (binarised for prompted frames,
   * sigmoid otherwise; × 20 − 10). Returns token-major features with no_obj_embed_spatial added
   * when the object is absent, rounded to bfloat16 like the official predictor stores them.
   */
  async encodeMemory(
    emb: FrameEmbedding,
    lowRes: Float32Array,
    binarise: boolean,
    present: boolean,
  ): Promise<FrameMemory> {
    const s = this.inputSize;
    const maskIn = maskForMemory(lowRes, LOW_RES, s, binarise);
    const wantPos = this.memPosEncT === null;
    const out = await this.mod('memoryEncoder').run(
      { pixFeat: emb.fpn2, masks: f32(maskIn, [1, 1, s, s]) },
      wantPos ? (['features', 'posEnc'] as const) : (['features'] as const),
      { features: [1, MEM_C, 64, 64], posEnc: [1, MEM_C, 64, 64] },
    );
    if (wantPos)
      this.memPosEncT = transposeCN(
        (out as Record<'posEnc', ort.Tensor>).posEnc.data as Float32Array,
        MEM_C,
        HW,
      );
    const features = transposeCN(out.features.data as Float32Array, MEM_C, HW);
    const spatial = this.constants.noObjEmbedSpatial;
    if (!present && spatial) {
      for (let i = 0; i < HW; i++)
        for (let c = 0; c < MEM_C; c++)
          features[i * MEM_C + c] = Math.fround((features[i * MEM_C + c] as number) + (spatial[c] as number));
    }
    return { features: toBfloat16Bits(features) };
  }

  /** The memory encoder's positional encoding, token-major [4096,64] (constant per model). */
  memoryPosEnc(): Float32Array {
    if (!this.memPosEncT)
      throw new InferenceError(
        'INTERNAL',
        'memory position encoding requested before any memory was encoded',
      );
    return this.memPosEncT;
  }

  /** obj_ptr_tpos_proj on sine encodings [P,256] → [P,64]. */
  async projectPointerPositions(sine: Float32Array, count: number): Promise<Float32Array> {
    const out = await this.mod('objPtrTposProj').run({ x: f32(sine, [count, C]) }, ['y'], {
      y: [count, MEM_C],
    });
    return out.y.data as Float32Array;
  }

  /** Memory attention: returns the conditioned features as NCHW [1,256,64,64]. */
  async attend(
    curr: Float32Array,
    currPos: Float32Array,
    memory1: Float32Array,
    memoryPos1: Float32Array,
    memory2: Float32Array,
    memoryPos2: Float32Array,
  ): Promise<ort.Tensor> {
    const ma = this.mod('memoryAttention');
    const n1 = memory1.length / MEM_C;
    const n2 = memory2.length / MEM_C;
    const feeds: Record<string, ort.Tensor> = {
      curr: f32(curr, [HW, 1, C]),
      currPos: f32(currPos, [HW, 1, C]),
      memory1: f32(memory1, [n1, 1, MEM_C]),
      memoryPos1: f32(memoryPos1, [n1, 1, MEM_C]),
      memory2: f32(memory2, [n2, 1, MEM_C]),
      memoryPos2: f32(memoryPos2, [n2, 1, MEM_C]),
    };
    if (ma.hasInput('attentionMask1'))
      feeds.attentionMask1 = new ort.Tensor('bool', new Uint8Array(n1).fill(1), [n1, 1]);
    if (ma.hasInput('attentionMask2'))
      feeds.attentionMask2 = new ort.Tensor('bool', new Uint8Array(n2).fill(1), [n2, 1]);
    const out = await ma.run(feeds, ['pixFeat'], { pixFeat: [HW, 1, C] });
    return f32(transposeCN(out.pixFeat.data as Float32Array, HW, C), [1, C, 64, 64]);
  }

  async release(): Promise<void> {
    await Promise.all(Object.values(this.modules).map((m) => m.release()));
  }
}

/** area(logits > 0.05) / area(logits > −0.05); 1 when the union is empty. */
export function stability(logits: Float32Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i] as number;
    if (v > 0.05) inter++;
    if (v > -0.05) union++;
  }
  return union > 0 ? inter / union : 1;
}
