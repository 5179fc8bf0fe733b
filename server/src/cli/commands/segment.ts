/**
 * `roto segment`: one object through a whole video, in-process, without a server. Decode to a
 * temporary folder → click on one frame → propagate → export with the export library → remove the
 * temporary folder. Progress goes to stderr, the summary line to stdout.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { decodeMask, encodeMask, RotoError } from '@roto/shared';
import { ConfigError, loadConfig } from '../../config/config.ts';
import type { ExportSource, FrameMasks } from '../../export/types.ts';
import type { MaskOutput, Prompts } from '../../inference/engine.ts';
import { framePath } from '../../media/decode.ts';
import { formatBytes } from '../../models-fetch/progress.ts';
import { defaultObject } from '../../sessions/edits.ts';
import { countUnits, createBar, formatDuration, type TextOut } from '../progress.ts';
import { type CliIo, EXIT, requireInputFile, UsageError } from './args.ts';
import { resolveFormat } from './formats.ts';
import { decodeInput, framesOf, probeInput } from './segment-input.ts';
import { checkAgainstInput, parseSegmentArgs, SEGMENT_HELP, type SegmentOptions } from './segment-options.ts';

/** The one object a `segment` run tracks. */
const OBJECT_ID = 1;

const SILENT: TextOut = { write: () => true };

/** What a finished run reports (the summary line says the same in words). */
export interface SegmentSummary {
  /** Frames with a computed mask (the clicked one and every tracked one). */
  frames: number;
  /** Frames on which the object was found (a non-empty mask). */
  masks: number;
  /** Mean object area over those frames, in decoded pixels. */
  meanArea: number;
  width: number;
  height: number;
  outPath: string;
  bytes: number;
  format: string;
  seconds: number;
}

/** Runs `roto segment` with `args` (after the command name); returns the exit code. */
export async function runSegment(args: readonly string[], io: CliIo): Promise<number> {
  const opts = parseSegmentArgs(args, io.cwd);
  if (!opts) {
    io.stdout.write(SEGMENT_HELP);
    return EXIT.ok;
  }
  const summary = await segment(opts, io);
  io.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary, io.cwd)}\n`);
  return EXIT.ok;
}

/** One line: frames, masks, mean mask area, output size. */
export function formatSummary(s: SegmentSummary, cwd: string): string {
  const pct = s.width * s.height > 0 ? (100 * s.meanArea) / (s.width * s.height) : 0;
  const out = relative(cwd, s.outPath).startsWith('..') ? s.outPath : relative(cwd, s.outPath);
  return (
    `segmented ${s.frames} frame${s.frames === 1 ? '' : 's'}: ${s.masks} mask${s.masks === 1 ? '' : 's'}, ` +
    `mean mask area ${Math.round(s.meanArea)} px (${pct.toFixed(1)} % of ${s.width}×${s.height}); ` +
    `wrote ${out} (${s.format}, ${formatBytes(s.bytes)}) in ${s.seconds.toFixed(1)} s`
  );
}

/** A progress phase: a bar while it runs, a closing line on a log. */
function phase(out: TextOut, label: string, noun: string, rate: string) {
  const bar = createBar(out, label, countUnits(noun, rate));
  const startedAt = Date.now();
  let started = false;
  return {
    update(done: number, total: number) {
      if (!started) {
        started = true;
        bar.start(total);
      }
      bar.update(done);
    },
    finish(done: number) {
      if (!started) bar.start(done);
      bar.update(done);
      bar.end();
      const sec = (Date.now() - startedAt) / 1000;
      const took = sec < 60 ? `${sec.toFixed(1)} s` : formatDuration(sec);
      if (!out.isTTY) out.write(`  ${label}: ${done} ${noun} in ${took}\n`);
    },
  };
}

function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new RotoError('CANCELLED', 'Cancelled: nothing was written');
}

/** Runs the whole pipeline; throws usage errors for a bad frame, point or format. */
export async function segment(opts: SegmentOptions, io: CliIo): Promise<SegmentSummary> {
  const startedAt = Date.now();
  const signal = io.signal;
  await requireInputFile(opts.input, 'video or image');
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(opts.pack ? { ...io.env, MODEL_PACK: opts.pack } : io.env, io.cwd);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const probed = await probeInput(opts.input, signal);
  const plan = checkAgainstInput(opts, probed);
  const format = resolveFormat(opts.formatName, probed.kind, opts.exportPath);
  const progressOut = opts.quiet ? SILENT : io.stderr;

  // Imported here: usage errors and --help answer without loading onnxruntime.
  const { createOnnxEngine } = await import('../../inference/onnx-engine.ts');
  const engine = createOnnxEngine({
    pack: config.modelPack,
    modelsDir: config.modelsDir,
    providers: config.ortProviders,
    cacheBytes: config.embeddingCacheBytes,
    log: (message) => io.stderr.write(`roto segment: ${message}\n`),
  });
  const tmp = await mkdtemp(join(tmpdir(), 'roto-segment-'));
  // A crash skips `finally`; the frames folder still goes when the process exits.
  const removeOnExit = () => rmSync(tmp, { recursive: true, force: true });
  process.once('exit', removeOnExit);
  try {
    // The model loads while the video decodes; a pack that cannot load stops the decode at once.
    const modelFailed = new AbortController();
    engine.ready().catch(() => modelFailed.abort());
    const decodeBar = phase(progressOut, 'decode', 'frames', 'fps');
    const decoded = await decodeInput(
      opts.input,
      probed,
      join(tmp, 'frames'),
      opts.maxSide ?? config.maxFrameSide,
      (done, total) => decodeBar.update(done, total),
      signal ? AbortSignal.any([signal, modelFailed.signal]) : modelFailed.signal,
    ).catch(async (err: unknown) => {
      if (modelFailed.signal.aborted) await engine.ready(); // rethrows the model's own error
      throw err;
    });
    decodeBar.finish(decoded.frameCount);
    // A container's frame count can be an estimate: the decoded count is the truth.
    checkAgainstInput(opts, { ...probed, frameCount: decoded.frameCount });
    await engine.ready();
    throwIfCancelled(signal);

    const state = engine.createVideoState(framesOf(decoded, `cli:${tmp}`));
    const masks = new Map<number, Uint8Array>();
    let area = 0;
    // Frames where the model finds the object absent, or an empty mask, export no mask.
    const keep = (frame: number, out: MaskOutput) => {
      let n = 0;
      for (let i = 0; i < out.mask.length; i++) n += out.mask[i]!;
      if (!out.present || n === 0) return;
      area += n;
      masks.set(frame, encodeMask(out.mask, out.width, out.height));
    };
    const sx = decoded.width / probed.width;
    const sy = decoded.height / probed.height;
    const prompts: Prompts = {
      points: opts.points.map((p) => ({ x: p.x * sx, y: p.y * sy, label: p.label })),
    };
    if (opts.box) {
      const b = opts.box;
      prompts.box = { x0: b.x0 * sx, y0: b.y0 * sy, x1: b.x1 * sx, y1: b.y1 * sy };
    }
    const total = plan.forward.length + plan.backward.length;
    const trackBar = phase(progressOut, 'propagate', 'frames', 'fps');
    trackBar.update(0, total + 1);
    keep(opts.frame, await state.addPrompts(opts.frame, OBJECT_ID, prompts));
    let done = 1;
    trackBar.update(done, total + 1);
    for (const [direction, frames] of [
      ['forward', plan.forward],
      ['backward', plan.backward],
    ] as const) {
      for (const f of frames) {
        throwIfCancelled(signal);
        keep(f, await state.track(f, OBJECT_ID, direction));
        trackBar.update(++done, total + 1);
      }
    }
    trackBar.finish(done);
    state.dispose();

    const object = defaultObject(OBJECT_ID, opts.objectName, opts.color);
    const source: ExportSource = {
      width: decoded.width,
      height: decoded.height,
      fps: decoded.fps,
      frameCount: decoded.frameCount,
      hasAudio: probed.video?.hasAudio ?? false,
      sourceVideoPath: opts.input,
      title: basename(opts.input),
      framePath: (i) => framePath(decoded.framesDir, i),
      objects: [object],
      masks(i): FrameMasks {
        const bytes = masks.get(i);
        return bytes ? new Map([[OBJECT_ID, decodeMask(bytes).mask]]) : new Map();
      },
    };
    const exportBar = phase(progressOut, 'export', 'frames', 'fps');
    const result = await format.run(source, opts.exportPath, {
      onProgress: (p) => exportBar.update(p.done, p.total),
      ...(signal ? { signal } : {}),
    });
    exportBar.finish(decoded.frameCount);
    return {
      frames: done,
      masks: masks.size,
      meanArea: masks.size > 0 ? area / masks.size : 0,
      width: decoded.width,
      height: decoded.height,
      outPath: result.path,
      bytes: result.bytes,
      format: format.id,
      seconds: (Date.now() - startedAt) / 1000,
    };
  } finally {
    await engine.close();
    await rm(tmp, { recursive: true, force: true });
    process.off('exit', removeOnExit);
  }
}
