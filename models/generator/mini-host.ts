/**
 * A minimal host for the SAM2.1 split export (MODELS.md, "Host algorithm for this export"), used
 * only by check.ts to prove that the test pack segments and tracks. One object, forward tracking.
 * The server's engine (server/src/inference/) is the real implementation.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { RgbImage } from '../../server/src/inference/engine.ts';
import { type Manifest, validateManifest } from '../../server/src/inference/manifest.ts';
import { fromTokens, readNpz, resizeBilinear, sinePe, toTokens } from './host-arrays.ts';

export { readNpz, resizeBilinear, toFrameMask } from './host-arrays.ts';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const HW = 4096;

export interface Click {
  x: number;
  y: number;
  /** 1 positive, 0 negative, 2 box top-left, 3 box bottom-right. */
  label: number;
}

interface Encoded {
  fpn0: ort.Tensor;
  fpn1: ort.Tensor;
  fpn2: Float32Array; // [1,256,64,64]
  pos2: Float32Array;
}

interface FrameOut {
  lowRes: Float32Array;
  score: number;
  ptr: Float32Array;
  memFeat: Float32Array; // [4096,64] token-major
  memPos: Float32Array;
  cond: boolean;
}

const f32 = (values: Float32Array, dims: number[]) => new ort.Tensor('float32', values, dims);

/** The float data of a logical output, or an error naming it. */
function data(outputs: Record<string, ort.Tensor>, name: string): Float32Array {
  const t = outputs[name];
  if (!t) throw new Error(`module output ${name} missing`);
  return t.data as Float32Array;
}

export class MiniHost {
  /** Milliseconds of the latest call per module (for the timing report). */
  readonly timings = new Map<string, number[]>();
  private readonly frames = new Map<number, FrameOut>();

  private constructor(
    readonly manifest: Manifest,
    private readonly sessions: Map<string, ort.InferenceSession>,
    private readonly consts: Map<string, Float32Array>,
  ) {}

  static async load(dir: string): Promise<MiniHost> {
    const manifest = validateManifest(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
    const sessions = new Map<string, ort.InferenceSession>();
    for (const [role, mod] of Object.entries(manifest.modules)) {
      sessions.set(role, await ort.InferenceSession.create(join(dir, mod.file)));
    }
    const npz = await readNpz(join(dir, manifest.constants?.file ?? 'pretrained_weights.npz'));
    const consts = new Map<string, Float32Array>();
    for (const [logical, key] of Object.entries(manifest.constants?.keys ?? {})) {
      const arr = npz.get(key);
      if (arr) consts.set(logical, arr);
    }
    return new MiniHost(manifest, sessions, consts);
  }

  private constant(name: string): Float32Array {
    const c = this.consts.get(name);
    if (!c) throw new Error(`constant ${name} missing`);
    return c;
  }

  /**
   * Runs a module by role with logical tensor names. `fetch` limits the outputs (the image
   * encoder's vision_pos_enc_0 alone is 64 MiB, and only some outputs are needed).
   */
  async run(
    role: string,
    feeds: Record<string, ort.Tensor>,
    fetch?: string[],
  ): Promise<Record<string, ort.Tensor>> {
    const mod = this.manifest.modules[role];
    const session = this.sessions.get(role);
    if (!mod || !session) throw new Error(`module ${role} missing`);
    const real: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) real[mod.inputs[k] ?? k] = v;
    const t0 = performance.now();
    const res = await (fetch
      ? session.run(
          real,
          fetch.map((k) => mod.outputs[k] ?? k),
        )
      : session.run(real));
    const list = this.timings.get(role) ?? [];
    list.push(performance.now() - t0);
    this.timings.set(role, list);
    const out: Record<string, ort.Tensor> = {};
    for (const [logical, name] of Object.entries(mod.outputs)) {
      const t = res[name];
      if (t) out[logical] = t;
    }
    return out;
  }

  /** Resize to 1024² (straight, no letterbox), ImageNet-normalise, NCHW, encode. */
  async encode(img: RgbImage): Promise<Encoded> {
    const px = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
      .resize(1024, 1024, { fit: 'fill' })
      .raw()
      .toBuffer();
    const n = 1024 * 1024;
    const chw = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++)
        chw[c * n + i] = ((px[i * 3 + c] ?? 0) / 255 - (MEAN[c] ?? 0)) / (STD[c] ?? 1);
    }
    const o = await this.run('imageEncoder', { image: f32(chw, [1, 3, 1024, 1024]) }, [
      'backboneFpn0',
      'backboneFpn1',
      'backboneFpn2',
      'visionPosEnc2',
    ]);
    const tensor = (k: string) => new ort.Tensor('float32', data(o, k), o[k]?.dims ?? []);
    return {
      fpn0: tensor('backboneFpn0'),
      fpn1: tensor('backboneFpn1'),
      fpn2: data(o, 'backboneFpn2'),
      pos2: data(o, 'visionPosEnc2'),
    };
  }

  /** Prompt encoder + mask decoder. `emb` is [1,256,64,64]. */
  async decode(
    enc: Encoded,
    emb: Float32Array,
    clicks: Click[],
    w: number,
    h: number,
    maskInput?: Float32Array,
  ) {
    const pts = clicks.length ? clicks : [{ x: 0, y: 0, label: -1 }];
    const coords = new Float32Array(
      pts.flatMap((p) => (p.label === -1 ? [0, 0] : [(p.x * 1024) / w, (p.y * 1024) / h])),
    );
    const pe = await this.run('promptEncoder', {
      coords: f32(coords, [1, pts.length, 2]),
      labels: new ort.Tensor('int32', Int32Array.from(pts.map((p) => p.label)), [1, pts.length]),
      masks: f32(maskInput ?? new Float32Array(65536), [1, 1, 256, 256]),
      masksEnable: new ort.Tensor('int32', Int32Array.from([maskInput ? 1 : 0]), [1]),
    });
    const d = await this.run('maskDecoder', {
      imageEmbeddings: f32(emb, [1, 256, 64, 64]),
      imagePe: pe.densePe as ort.Tensor,
      sparseEmbeddings: pe.sparseEmbeddings as ort.Tensor,
      denseEmbeddings: pe.denseEmbeddings as ort.Tensor,
      highRes1: enc.fpn0,
      highRes2: enc.fpn1,
    });
    const masks = data(d, 'masks');
    const iou = data(d, 'iouPred');
    const tokens = data(d, 'tokens');
    const score = data(d, 'objectScore')[0] ?? 0;
    // Multimask rule: ≥2 points → token 0 if stable, else best IoU among 1–3.
    const best = [1, 2, 3].reduce((a, b) => ((iou[b] ?? 0) > (iou[a] ?? 0) ? b : a));
    let chosen = best;
    if (clicks.length >= 2) {
      const m0 = masks.subarray(0, 65536);
      let hi = 0;
      let lo = 0;
      for (const v of m0) {
        if (v > 0.05) hi++;
        if (v > -0.05) lo++;
      }
      if (lo === 0 || hi / lo >= 0.98) chosen = 0;
    }
    return {
      lowRes: masks.slice(chosen * 65536, (chosen + 1) * 65536),
      token: tokens.slice(chosen * 256, (chosen + 1) * 256),
      score,
    };
  }

  private async remember(
    frame: number,
    enc: Encoded,
    r: { lowRes: Float32Array; token: Float32Array; score: number },
    cond: boolean,
  ) {
    const present = r.score > 0;
    const lowRes = present ? r.lowRes : new Float32Array(65536).fill(-1024);
    const ptr = present
      ? data(await this.run('mlp', { x: f32(r.token, [1, 256]) }), 'y')
      : this.constant('noObjPtr');
    const hi = resizeBilinear(lowRes, 256, 256, 1024, 1024);
    for (let i = 0; i < hi.length; i++) {
      const v = hi[i] ?? 0;
      hi[i] = (cond ? (v > 0 ? 1 : 0) : 1 / (1 + Math.exp(-v))) * 20 - 10;
    }
    const m = await this.run('memoryEncoder', {
      pixFeat: f32(enc.fpn2, [1, 256, 64, 64]),
      masks: f32(hi, [1, 1, 1024, 1024]),
    });
    this.frames.set(frame, {
      lowRes,
      score: r.score,
      ptr: Float32Array.from(ptr),
      memFeat: toTokens(data(m, 'features'), 64),
      memPos: toTokens(data(m, 'posEnc'), 64),
      cond,
    });
    return lowRes;
  }

  /**
   * A prompted frame that starts tracking: fpn_2 + no_mem_embed, no memory attention.
   * `maskInput`: the previous low-res logits of this frame (a refinement), clamped to ±32.
   */
  async prompt(frame: number, img: RgbImage, clicks: Click[], maskInput?: Float32Array) {
    const enc = await this.encode(img);
    const noMem = this.constant('noMemEmbed');
    const emb = Float32Array.from(enc.fpn2);
    for (let c = 0; c < 256; c++)
      for (let i = 0; i < HW; i++) emb[c * HW + i] = (emb[c * HW + i] ?? 0) + (noMem[c] ?? 0);
    const clamped = maskInput && Float32Array.from(maskInput, (v) => Math.max(-32, Math.min(32, v)));
    const r = await this.decode(enc, emb, clicks, img.width, img.height, clamped);
    const lowRes = await this.remember(frame, enc, r, true);
    return { lowRes, score: r.score };
  }

  /** Tracks onto `frame` (forward) from the memory bank. */
  async track(frame: number, img: RgbImage, totalFrames: number) {
    const enc = await this.encode(img);
    const tpos = this.constant('maskmemTposEnc');
    const mems: { feat: Float32Array; pos: Float32Array; tpos: number }[] = [];
    for (const [, out] of [...this.frames].filter(([, o]) => o.cond))
      mems.push({ feat: out.memFeat, pos: out.memPos, tpos: 0 });
    for (let tp = 1; tp <= 6; tp++) {
      const out = this.frames.get(frame - (7 - tp));
      if (out && !out.cond) mems.push({ feat: out.memFeat, pos: out.memPos, tpos: tp });
    }
    const maxPtrs = Math.min(totalFrames, 16);
    const ptrs: { diff: number; ptr: Float32Array }[] = [];
    for (const [t, out] of this.frames)
      if (out.cond && t <= frame) ptrs.push({ diff: frame - t, ptr: out.ptr });
    for (let d = 1; d < maxPtrs && frame - d >= 0; d++) {
      const out = this.frames.get(frame - d);
      if (out && !out.cond) ptrs.push({ diff: d, ptr: out.ptr });
    }
    const n1 = mems.length * HW;
    const memory1 = new Float32Array(n1 * 64);
    const memPos1 = new Float32Array(n1 * 64);
    mems.forEach((m, k) => {
      memory1.set(m.feat, k * HW * 64);
      const enc7 = tpos.subarray((7 - m.tpos - 1) * 64, (7 - m.tpos) * 64);
      for (let i = 0; i < HW; i++)
        for (let c = 0; c < 64; c++)
          memPos1[(k * HW + i) * 64 + c] = (m.pos[i * 64 + c] ?? 0) + (enc7[c] ?? 0);
    });
    const n2 = ptrs.length * 4;
    const memory2 = new Float32Array(n2 * 64);
    for (const [k, p] of ptrs.entries()) memory2.set(p.ptr, k * 256);
    const sine = new Float32Array(ptrs.length * 256);
    for (const [k, p] of ptrs.entries()) sine.set(sinePe(p.diff / Math.max(maxPtrs - 1, 1), 256), k * 256);
    const proj = data(await this.run('objPtrTposProj', { x: f32(sine, [ptrs.length, 256]) }), 'y');
    const memPos2 = new Float32Array(n2 * 64);
    ptrs.forEach((_, k) => {
      for (let j = 0; j < 4; j++) memPos2.set(proj.subarray(k * 64, k * 64 + 64), (k * 4 + j) * 64);
    });
    const a = await this.run('memoryAttention', {
      curr: f32(toTokens(enc.fpn2, 256), [HW, 1, 256]),
      memory1: f32(memory1, [n1, 1, 64]),
      memory2: f32(memory2, [n2, 1, 64]),
      currPos: f32(toTokens(enc.pos2, 256), [HW, 1, 256]),
      memoryPos1: f32(memPos1, [n1, 1, 64]),
      memoryPos2: f32(memPos2, [n2, 1, 64]),
      attentionMask1: new ort.Tensor('bool', new Uint8Array(n1).fill(1), [n1, 1]),
      attentionMask2: new ort.Tensor('bool', new Uint8Array(n2).fill(1), [n2, 1]),
    });
    const emb = fromTokens(data(a, 'pixFeat'), 256);
    const r = await this.decode(enc, emb, [], img.width, img.height);
    const lowRes = await this.remember(frame, enc, r, false);
    return { lowRes, score: r.score, memories: mems.length, pointers: ptrs.length };
  }
}
