/**
 * Inference benchmark: per-module timings and the engine's overhead against bare `session.run`
 * on the same tensors (encoder path, decoder path), plus a tracking step.
 *
 *   npm run bench:inference -- [--pack <name|folder>] [--runs N] [--json]
 *
 * The last line with --json is one JSON object. Runs alternate engine and bare calls so that a
 * busy machine slows both alike (the second call of a pair tends to be faster, so the order
 * alternates). Ratios are of p50s; `…RatioMin` of the fastest runs, the figure least disturbed by
 * other processes.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { RgbImage, VideoFrames } from '../src/inference/engine.ts';
import { createOnnxEngine } from '../src/inference/onnx-engine.ts';
import { f32 } from '../src/inference/onnx-module.ts';
import { DEFAULT_MODELS_DIR } from '../src/inference/packs.ts';
import { decodeImage, preprocess } from '../src/inference/preprocess.ts';
import { encodePrompts } from '../src/inference/prompts.ts';
import { PARITY_DIR, writeParityPack } from '../test/parity-pack.ts';

const HELP = `Usage: npm run bench:inference -- [options]

  --pack <name|folder>  model pack (default: MODEL_PACK, else test-tiny; the sam21-parity
                        fixture when models/test-tiny is absent; \`sam21-parity\` selects it)
  --runs <N>            timed runs per measurement (default 20; tracking steps: min(N, frames − 1))
  --json                print the results as one JSON object on the last line
  --help                this text

Reports p50/p95 in ms of: preprocessing, image encoder, decoder path (prompt encoder + mask
decoder), memory encoder, memory attention (7 memories + 16 pointers), a tracking step; and
engine/bare overhead ratios for the encoder and decoder paths (targets: ≤ 1.05 and ≤ 1.10).`;

function parseArgs(argv: string[]) {
  const out = { pack: process.env.MODEL_PACK ?? 'test-tiny', runs: 20, json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') out.help = true;
    else if (a === '--json') out.json = true;
    else if (a === '--pack') out.pack = argv[++i] ?? out.pack;
    else if (a === '--runs') out.runs = Math.max(1, Number.parseInt(argv[++i] ?? '20', 10) || 20);
    else throw new Error(`Unknown argument ${a} (see --help)`);
  }
  return out;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Times `bare` and `engine` alternately, swapping which goes first, so drift hits both alike. */
async function pairs(
  n: number,
  bare: () => Promise<unknown>,
  engine: () => Promise<unknown>,
  bareOut: number[],
  engineOut: number[],
) {
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      bareOut.push(await time(bare));
      engineOut.push(await time(engine));
    } else {
      engineOut.push(await time(engine));
      bareOut.push(await time(bare));
    }
  }
}

/** The test clip: the parity fixture's frames when present, else a synthetic moving square. */
async function clip(): Promise<VideoFrames> {
  const dir = join(PARITY_DIR, 'frames');
  if (existsSync(dir)) {
    return {
      id: 'bench',
      frameCount: 20,
      width: 960,
      height: 540,
      getFrame: async (i) => decodeImage(readFileSync(join(dir, `${String(i).padStart(5, '0')}.jpg`))),
    };
  }
  const width = 960;
  const height = 540;
  return {
    id: 'bench-synthetic',
    frameCount: 20,
    width,
    height,
    getFrame: async (i): Promise<RgbImage> => {
      const data = new Uint8Array(width * height * 3).fill(40);
      for (let y = 200; y < 340; y++)
        for (let x = 100 + i * 10; x < 260 + i * 10; x++) data.set([220, 60, 50], (y * width + x) * 3);
      return { data, width, height };
    },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(HELP);
    return;
  }
  let pack = args.pack;
  let tempPack: string | null = null;
  if (
    pack === 'sam21-parity' ||
    (pack === 'test-tiny' && !existsSync(join(DEFAULT_MODELS_DIR, 'test-tiny', 'manifest.json')))
  ) {
    pack = writeParityPack();
    tempPack = pack;
  }
  const engine = createOnnxEngine({ pack });
  await engine.ready();
  const model = await engine.videoModel();
  const video = await clip();
  const image = await video.getFrame(0);
  const N = args.runs;
  const log = (s: string) => {
    if (!args.json) console.log(s);
  };
  log(
    `pack ${engine.info().title ?? pack} (${engine.info().providers.join(',')}), ${N} runs, image ${image.width}×${image.height}`,
  );

  // Preprocessing (decode excluded): Pillow-exact bicubic resize + normalisation.
  const pre: number[] = [];
  let input = preprocess(image, model.inputSize);
  for (let i = 0; i < N; i++) pre.push(await time(() => (input = preprocess(image, model.inputSize))));

  // Encoder path: engine.encode vs the bare session on the same input tensor and fetches.
  const enc = model.mod('imageEncoder');
  const s = model.inputSize;
  const fetches = ['backboneFpn0', 'backboneFpn1', 'backboneFpn2', 'visionPosEnc2'].map((o) =>
    enc.realOutput(o),
  );
  const bareEncFeeds = enc.realFeeds({ image: f32(input, [1, 3, s, s]) });
  await enc.session.run(bareEncFeeds, fetches);
  await model.encode(input);
  const encEngine: number[] = [];
  const encBare: number[] = [];
  await pairs(
    N,
    () => enc.session.run(bareEncFeeds, fetches),
    () => model.encode(input),
    encBare,
    encEngine,
  );

  // Decoder path: one click through engine.segmentImage (embedding cached) vs bare prompt encoder + decoder.
  const prompts = { points: [{ x: image.width * 0.22, y: image.height * 0.65, label: 1 as const }] };
  await engine.segmentImage(image, prompts, { cacheKey: 'bench' });
  const emb = await model.encode(input);
  const pts = encodePrompts(prompts, image.width, image.height, s);
  const pe = model.mod('promptEncoder');
  const md = model.mod('maskDecoder');
  const peFeeds = pe.realFeeds({
    coords: f32(pts.coords, [1, pts.n, 2]),
    labels: new ort.Tensor('int32', pts.labels, [1, pts.n]),
    masks: f32(new Float32Array(256 * 256), pe.options.maskRank === 3 ? [1, 256, 256] : [1, 1, 256, 256]),
    masksEnable: new ort.Tensor('int32', new Int32Array([0]), [1]),
  });
  const peFetch = ['sparseEmbeddings', 'denseEmbeddings'].map((o) => pe.realOutput(o));
  const densePe = (await pe.session.run(peFeeds, [pe.realOutput('densePe')]))[
    pe.realOutput('densePe')
  ] as ort.Tensor;
  const noMem = model.noMemFeatures(emb);
  const bareDecode = async () => {
    const p = await pe.session.run(peFeeds, peFetch);
    await md.session.run(
      md.realFeeds({
        imageEmbeddings: noMem,
        imagePe: densePe,
        sparseEmbeddings: p[peFetch[0] as string] as ort.Tensor,
        denseEmbeddings: p[peFetch[1] as string] as ort.Tensor,
        highRes1: emb.fpn0,
        highRes2: emb.fpn1,
      }),
    );
  };
  await bareDecode();
  const decEngine: number[] = [];
  const decBare: number[] = [];
  await pairs(
    N,
    bareDecode,
    () => engine.segmentImage(image, prompts, { cacheKey: 'bench' }),
    decBare,
    decEngine,
  );
  // The same click without the frame-size mask (model.decode: prompt encoder + decoder + candidate choice).
  const decModel: number[] = [];
  const decBare2: number[] = [];
  await pairs(N, bareDecode, () => model.decode(emb, noMem, pts, null, false), decBare2, decModel);

  // Memory encoder and memory attention at steady state (7 memories, 16 pointers).
  const dec = await model.decode(emb, noMem, pts, null, true);
  const memEnc: number[] = [];
  let mem = await model.encodeMemory(emb, dec.lowRes, true, true);
  for (let i = 0; i < Math.min(N, 5); i++)
    memEnc.push(await time(async () => (mem = await model.encodeMemory(emb, dec.lowRes, false, true))));
  const m1 = new Float32Array(7 * mem.features.length);
  for (let k = 0; k < 7; k++) m1.set(mem.features, k * mem.features.length);
  const m2 = new Float32Array(16 * 256);
  const curr = new Float32Array(4096 * 256);
  const attn: number[] = [];
  for (let i = 0; i < Math.min(N, 3); i++)
    attn.push(await time(() => model.attend(curr, curr, m1, m1, m2, m2)));

  // Tracking steps (frame encode + memory attention + decode + memory encode), bank filling up.
  const state = engine.createVideoState(video);
  await state.addPrompts(0, 1, prompts);
  const track: number[] = [];
  const steps = Math.min(N, video.frameCount - 1);
  for (let f = 1; f <= steps; f++) track.push(await time(() => state.track(f, 1, 'forward')));
  state.dispose();

  const result = {
    pack: engine.info().title ?? pack,
    providers: engine.info().providers,
    runs: N,
    preprocessMsP50: r1(pct(pre, 50)),
    encoderMsP50: r1(pct(encEngine, 50)),
    encoderMsP95: r1(pct(encEngine, 95)),
    encoderBareMsP50: r1(pct(encBare, 50)),
    decoderMsP50: r1(pct(decEngine, 50)),
    decoderMsP95: r1(pct(decEngine, 95)),
    decoderBareMsP50: r1(pct(decBare, 50)),
    memoryEncoderMsP50: r1(pct(memEnc, 50)),
    memoryAttentionMsP50: r1(pct(attn, 50)),
    trackMsP50: r1(pct(track, 50)),
    trackMsP95: r1(pct(track, 95)),
    encoderOverheadRatio: r3(pct(encEngine, 50) / pct(encBare, 50)),
    decoderOverheadRatio: r3(pct(decEngine, 50) / pct(decBare, 50)),
    decoderModelOverheadRatio: r3(pct(decModel, 50) / pct(decBare2, 50)),
    // Ratios of the fastest runs: the least disturbed by other processes on a shared machine.
    encoderOverheadRatioMin: r3(Math.min(...encEngine) / Math.min(...encBare)),
    decoderOverheadRatioMin: r3(Math.min(...decEngine) / Math.min(...decBare)),
  };
  log(`preprocess (resize+normalise)  p50 ${result.preprocessMsP50} ms`);
  log(
    `image encoder   engine p50 ${result.encoderMsP50} p95 ${result.encoderMsP95}  bare p50 ${result.encoderBareMsP50} ms  ratio ${result.encoderOverheadRatio}, fastest runs ${result.encoderOverheadRatioMin} (target ≤ 1.05)`,
  );
  log(
    `decoder path    engine p50 ${result.decoderMsP50} p95 ${result.decoderMsP95}  bare p50 ${result.decoderBareMsP50} ms  ratio ${result.decoderOverheadRatio}, fastest runs ${result.decoderOverheadRatioMin} (target ≤ 1.10)`,
  );
  log(
    `  of which ONNX path (no frame-size mask): ratio ${result.decoderModelOverheadRatio}; the rest is the ${image.width}×${image.height} upsample + threshold`,
  );
  log(
    `memory encoder  p50 ${result.memoryEncoderMsP50} ms;  memory attention (7 mem, 16 ptr) p50 ${result.memoryAttentionMsP50} ms`,
  );
  log(
    `track step      p50 ${result.trackMsP50} p95 ${result.trackMsP95} ms (${steps} frames, includes encoding each frame)`,
  );
  if (args.json) console.log(JSON.stringify(result));
  await engine.close();
  if (tempPack) rmSync(tempPack, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
