/**
 * The two modules of a `sam2-image` pack (samexporter-style encoder + decoder: no_mem_embed is
 * already inside the encoder, the decoder takes float labels, a mask input and a has-mask flag).
 */
import * as ort from 'onnxruntime-node';
import { InferenceError } from './errors.ts';
import { LOGICAL_TENSORS } from './manifest.ts';
import { f32, OnnxModule, type Provider } from './onnx-module.ts';
import type { LoadedPack } from './packs.ts';
import type { EncodedPoints } from './prompts.ts';

const LOW_RES = 256;

/** Encoder outputs of an image pack. */
export interface ImageEmbedding {
  highRes0: ort.Tensor;
  highRes1: ort.Tensor;
  imageEmbed: ort.Tensor;
  bytes: number;
}

/** The chosen output of an image-pack decoder call. */
export interface ImageDecoded {
  lowRes: Float32Array;
  iou: number;
  objectScore: number;
  present: boolean;
}

/** Loaded modules of a sam2-image pack. */
export class Sam2ImageModel {
  readonly inputSize: number;

  private constructor(
    readonly pack: LoadedPack,
    private readonly encoder: OnnxModule,
    private readonly decoder: OnnxModule,
  ) {
    this.inputSize = pack.manifest.inputSize;
  }

  static async load(
    pack: LoadedPack,
    providers: readonly Provider[],
    log?: (m: string) => void,
  ): Promise<Sam2ImageModel> {
    const specs = LOGICAL_TENSORS['sam2-image'];
    const m = pack.manifest.modules;
    const enc = await OnnxModule.load(
      'imageEncoder',
      pack.modulePaths.imageEncoder as string,
      m.imageEncoder!,
      specs.imageEncoder!,
      providers,
      log,
    );
    try {
      const dec = await OnnxModule.load(
        'maskDecoder',
        pack.modulePaths.maskDecoder as string,
        m.maskDecoder!,
        specs.maskDecoder!,
        enc.providers,
        log,
      );
      return new Sam2ImageModel(pack, enc, dec);
    } catch (err) {
      await enc.release();
      throw err;
    }
  }

  get providers(): Provider[] {
    return this.encoder.providers;
  }

  async encode(input: Float32Array): Promise<ImageEmbedding> {
    const s = this.inputSize;
    const out = await this.encoder.run(
      { image: f32(input, [1, 3, s, s]) },
      ['highRes0', 'highRes1', 'imageEmbed'],
      {
        highRes0: [1, 32, 256, 256],
        highRes1: [1, 64, 128, 128],
        imageEmbed: [1, 256, 64, 64],
      },
    );
    const bytes = 4 * (32 * 256 * 256 + 64 * 128 * 128 + 256 * 64 * 64);
    return { ...out, bytes };
  }

  /**
   * Decoder call; a padding point (0,0,−1) is appended as SAM's prompt encoder expects when no box
   * is given. Picks the candidate with the best predicted IoU.
   */
  async decode(
    emb: ImageEmbedding,
    points: EncodedPoints,
    maskInput: Float32Array | null,
    size: { width: number; height: number },
  ): Promise<ImageDecoded> {
    const n = points.n + 1;
    const coords = new Float32Array(n * 2);
    coords.set(points.coords);
    const labels = new Float32Array(n);
    labels.set(points.labels);
    labels[n - 1] = -1;
    const feeds: Record<string, ort.Tensor> = {
      imageEmbed: emb.imageEmbed,
      highRes0: emb.highRes0,
      highRes1: emb.highRes1,
      pointCoords: f32(coords, [1, n, 2]),
      pointLabels: f32(labels, [1, n]),
      maskInput: f32(maskInput ?? new Float32Array(LOW_RES * LOW_RES), [1, 1, LOW_RES, LOW_RES]),
      hasMaskInput: f32(new Float32Array([maskInput ? 1 : 0]), [1]),
    };
    if (this.decoder.hasInput('origImSize'))
      feeds.origImSize = new ort.Tensor('int32', new Int32Array([size.height, size.width]), [2]);
    const out = await this.decoder.run(feeds, ['masks', 'iouPredictions'], {
      masks: [1, -1, LOW_RES, LOW_RES],
      iouPredictions: [1, -1],
    });
    const iou = out.iouPredictions.data as Float32Array;
    if (iou.length === 0) throw new InferenceError('INTERNAL', 'maskDecoder returned no candidates');
    let best = 0;
    for (let i = 1; i < iou.length; i++) if ((iou[i] as number) > (iou[best] as number)) best = i;
    const area = LOW_RES * LOW_RES;
    const lowRes = (out.masks.data as Float32Array).slice(best * area, (best + 1) * area);
    let present = false;
    for (let i = 0; i < area && !present; i++) present = (lowRes[i] as number) > 0;
    // This export has no object score: report presence from the mask itself.
    return { lowRes, iou: iou[best] as number, objectScore: present ? 1 : -1, present };
  }

  async release(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}
