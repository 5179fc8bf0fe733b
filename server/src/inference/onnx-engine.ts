/**
 * The ONNX implementation of `InferenceEngine`: loads a pack (never throwing at construction),
 * caches frame embeddings in a byte-bounded LRU and hands out per-video tracking states.
 */
import { DEFAULT_CACHE_BYTES, EmbeddingCache, frameKey } from './embedding-cache.ts';
import type {
  EngineInfo,
  InferenceEngine,
  MaskOutput,
  Prompts,
  RgbImage,
  VideoFrames,
  VideoState,
} from './engine.ts';
import { InferenceError, modelUnavailable } from './errors.ts';
import { toMaskOutput } from './mask-output.ts';
import { type Provider, parseProviders } from './onnx-module.ts';
import { DEFAULT_MODELS_DIR, fetchCommand, loadPack, type VerifyMode } from './packs.ts';
import { preprocess } from './preprocess.ts';
import { encodePrompts } from './prompts.ts';
import { RepromptVideoState } from './reprompt-video-state.ts';
import { type ImageEmbedding, Sam2ImageModel } from './sam2-image-model.ts';
import { type FrameEmbedding, Sam2VideoModel } from './sam2-video-model.ts';
import { Sam2VideoState } from './video-state.ts';

/** How to build an engine (the server reads these from MODEL_PACK, ORT_PROVIDERS, …). */
export interface OnnxEngineOptions {
  /** Pack name under `modelsDir`, or a folder path. */
  pack: string;
  modelsDir?: string;
  /** `cpu`, `cuda,cpu`, or a list. Default cpu. */
  providers?: string | readonly string[];
  /** Embedding cache budget in bytes (default 1 GiB). */
  cacheBytes?: number;
  /** Checksum verification (default: once per file version). */
  verify?: VerifyMode;
  /** Where warnings go (default console.warn). */
  log?: (message: string) => void;
}

type Loaded = { kind: 'sam2-video'; model: Sam2VideoModel } | { kind: 'sam2-image'; model: Sam2ImageModel };

type Embedding = FrameEmbedding | ImageEmbedding;

/** Creates the engine and starts loading the pack in the background. */
export function createOnnxEngine(opts: OnnxEngineOptions): OnnxEngine {
  return new OnnxEngine(opts);
}

/** SAM2 on onnxruntime-node. */
export class OnnxEngine implements InferenceEngine {
  private loading: Promise<Loaded> | null = null;
  private loaded: Loaded | null = null;
  private state: EngineInfo;
  private readonly providers: Provider[];
  private readonly cache: EmbeddingCache<Embedding>;

  constructor(private readonly opts: OnnxEngineOptions) {
    this.providers = parseProviders(opts.providers);
    this.cache = new EmbeddingCache(opts.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.state = { pack: opts.pack, kind: null, status: 'loading', providers: this.providers };
    this.ready().catch(() => undefined); // the outcome is reported through info()
  }

  info(): EngineInfo {
    return { ...this.state, providers: [...this.state.providers] };
  }

  /** Loads the pack once; after a failure the next call retries (e.g. once the pack is fetched). */
  ready(): Promise<void> {
    return this.load().then(() => undefined);
  }

  private load(): Promise<Loaded> {
    if (this.loaded) return Promise.resolve(this.loaded);
    if (this.loading) return this.loading;
    this.state = { ...this.state, status: 'loading' };
    const attempt = (async (): Promise<Loaded> => {
      const pack = await loadPack({
        pack: this.opts.pack,
        modelsDir: this.opts.modelsDir ?? DEFAULT_MODELS_DIR,
        verify: this.opts.verify,
      });
      const kind = pack.manifest.kind;
      const loaded: Loaded =
        kind === 'sam2-video'
          ? { kind, model: await Sam2VideoModel.load(pack, this.providers, this.opts.log) }
          : { kind, model: await Sam2ImageModel.load(pack, this.providers, this.opts.log) };
      this.state = {
        pack: this.opts.pack,
        title: pack.manifest.title ?? pack.manifest.name,
        kind,
        status: 'ready',
        providers: loaded.model.providers,
      };
      return loaded;
    })();
    this.loading = attempt.then(
      (l) => {
        this.loaded = l;
        return l;
      },
      (err: unknown) => {
        this.loading = null;
        const e =
          err instanceof InferenceError
            ? err
            : modelUnavailable(`Cannot load model pack "${this.opts.pack}": ${(err as Error).message}`);
        const missing = e.details?.reason === 'missing';
        this.state = {
          pack: this.opts.pack,
          kind: null,
          status: missing ? 'missing' : 'error',
          providers: this.providers,
          message: e.message,
          ...(missing ? { fetchCommand: fetchCommand(this.opts.pack) } : {}),
        };
        throw e.code === 'MODEL_UNAVAILABLE' ? e : modelUnavailable(e.message, e.details);
      },
    );
    return this.loading;
  }

  /** The loaded video model (benchmarks and tests drive modules directly). */
  async videoModel(): Promise<Sam2VideoModel> {
    const l = await this.load();
    if (l.kind !== 'sam2-video')
      throw new InferenceError('INVALID_INPUT', `Pack ${this.opts.pack} is a ${l.kind} pack`);
    return l.model;
  }

  async segmentImage(
    image: RgbImage,
    prompts: Prompts,
    opts?: { cacheKey?: string; maskInput?: Float32Array },
  ): Promise<MaskOutput> {
    const l = await this.load();
    const points = encodePrompts(prompts, image.width, image.height, l.model.inputSize);
    if (opts?.maskInput && opts.maskInput.length !== 256 * 256) {
      throw new InferenceError(
        'INVALID_INPUT',
        `maskInput must hold 256×256 = 65536 logits, got ${opts.maskInput.length}`,
      );
    }
    const maskInput = opts?.maskInput ?? null;
    const compute = () => this.encode(l, image);
    const emb = opts?.cacheKey
      ? await this.cache.getOrCompute(`img\u0000${opts.cacheKey}`, compute)
      : await compute();
    if (l.kind === 'sam2-video') {
      const e = emb as FrameEmbedding;
      const out = await l.model.decode(e, l.model.noMemFeatures(e), points, maskInput, false);
      return toMaskOutput(out, image.width, image.height);
    }
    const out = await l.model.decode(emb as ImageEmbedding, points, maskInput, image);
    return toMaskOutput(out, image.width, image.height);
  }

  private encode(l: Loaded, image: RgbImage): Promise<Embedding> {
    const input = preprocess(image, l.model.inputSize);
    return l.model.encode(input);
  }

  /** Encoder outputs of a video frame, through the LRU. */
  private embedFrame(l: Loaded, video: VideoFrames, frame: number): Promise<Embedding> {
    return this.cache.getOrCompute(frameKey(video.id, frame), async () => {
      const image = await video.getFrame(frame);
      return this.encode(l, image);
    });
  }

  createVideoState(video: VideoFrames): VideoState {
    const l = this.loaded;
    if (!l) {
      throw modelUnavailable(this.state.message ?? `Model pack "${this.opts.pack}" is still loading`, {
        reason: this.state.status,
        ...(this.state.fetchCommand ? { fetchCommand: this.state.fetchCommand } : {}),
      });
    }
    if (l.kind === 'sam2-video') {
      return new Sam2VideoState(video, {
        model: l.model,
        embed: (v, f) => this.embedFrame(l, v, f) as Promise<FrameEmbedding>,
      });
    }
    return new RepromptVideoState(video, {
      model: l.model,
      embed: (v, f) => this.embedFrame(l, v, f) as Promise<ImageEmbedding>,
    });
  }

  /** Drops a video's cached embeddings (e.g. when its session unloads). */
  forgetVideo(videoId: string): void {
    this.cache.deletePrefix(`${videoId}\u0000`);
  }

  cacheBytes(): number {
    return this.cache.bytes;
  }

  async close(): Promise<void> {
    this.cache.clear();
    const l = this.loaded;
    this.loaded = null;
    this.loading = null;
    if (l) await l.model.release();
  }
}
