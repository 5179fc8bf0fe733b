/**
 * Video "tracking" for `sam2-image` packs, which have no memory modules: each frame is segmented
 * on its own, re-prompted from the previous frame's result (its low-res logits as mask input plus
 * a positive click at the previous mask's centre). Lower quality than the memory bank
 * (drifts, loses objects through occlusion); documented as such, meant as a fallback.
 */
import type { MaskOutput, Prompts, TrackDirection, VideoFrames, VideoState } from './engine.ts';
import { invalidInput } from './errors.ts';
import { toMaskOutput } from './mask-output.ts';
import { type EncodedPoints, encodePrompts } from './prompts.ts';
import type { ImageDecoded, ImageEmbedding, Sam2ImageModel } from './sam2-image-model.ts';
import { SerialQueue } from './serial-queue.ts';

interface ObjectTrack {
  cond: Map<number, ImageDecoded>;
  tracked: Map<number, ImageDecoded>;
}

/** Dependencies from the engine. */
export interface RepromptDeps {
  model: Sam2ImageModel;
  embed(video: VideoFrames, frame: number): Promise<ImageEmbedding>;
}

/** Re-prompting video state for single-image packs. */
export class RepromptVideoState implements VideoState {
  private readonly objects = new Map<number, ObjectTrack>();
  private readonly queue = new SerialQueue();

  constructor(
    readonly video: VideoFrames,
    private readonly deps: RepromptDeps,
  ) {}

  private obj(id: number): ObjectTrack {
    let o = this.objects.get(id);
    if (!o) {
      o = { cond: new Map(), tracked: new Map() };
      this.objects.set(id, o);
    }
    return o;
  }

  private checkFrame(frame: number): void {
    if (!Number.isInteger(frame) || frame < 0 || frame >= this.video.frameCount) {
      throw invalidInput(`Frame ${frame} is outside the video (0…${this.video.frameCount - 1})`);
    }
  }

  addPrompts(
    frame: number,
    objectId: number,
    prompts: Prompts,
    opts?: { refine?: boolean },
  ): Promise<MaskOutput> {
    this.checkFrame(frame);
    const points = encodePrompts(prompts, this.video.width, this.video.height, this.deps.model.inputSize);
    return this.queue.run(async () => {
      const o = this.obj(objectId);
      const prev = o.cond.get(frame) ?? o.tracked.get(frame);
      const emb = await this.deps.embed(this.video, frame);
      const out = await this.deps.model.decode(
        emb,
        points,
        opts?.refine && prev ? prev.lowRes : null,
        this.video,
      );
      o.cond.set(frame, out);
      o.tracked.delete(frame);
      return toMaskOutput(out, this.video.width, this.video.height);
    });
  }

  clearPrompts(frame: number, objectId: number): void {
    this.objects.get(objectId)?.cond.delete(frame);
  }

  removeObject(objectId: number): void {
    this.objects.delete(objectId);
  }

  track(frame: number, objectId: number, direction: TrackDirection): Promise<MaskOutput> {
    this.checkFrame(frame);
    return this.queue.run(async () => {
      const o = this.objects.get(objectId);
      if (!o || o.cond.size === 0)
        throw invalidInput(`Object ${objectId} has no prompts: add a point or a box before propagating`);
      const stored = o.cond.get(frame);
      if (stored) return toMaskOutput(stored, this.video.width, this.video.height);
      const from = frame + (direction === 'forward' ? -1 : 1);
      const prev = o.cond.get(from) ?? o.tracked.get(from);
      if (!prev) throw invalidInput(`Frame ${from} has no mask of object ${objectId} to track from`);
      if (!prev.present) {
        o.tracked.set(frame, prev);
        return toMaskOutput(prev, this.video.width, this.video.height);
      }
      const emb = await this.deps.embed(this.video, frame);
      const out = await this.deps.model.decode(
        emb,
        centrePoint(prev.lowRes, this.deps.model.inputSize),
        prev.lowRes,
        this.video,
      );
      o.tracked.set(frame, out);
      return toMaskOutput(out, this.video.width, this.video.height);
    });
  }

  resetTracking(objectId: number, frames?: readonly number[]): void {
    const o = this.objects.get(objectId);
    if (!o) return;
    if (!frames) o.tracked.clear();
    else for (const f of frames) o.tracked.delete(f);
  }

  conditioningFrames(objectId: number): number[] {
    return [...(this.objects.get(objectId)?.cond.keys() ?? [])].sort((a, b) => a - b);
  }

  dispose(): void {
    this.objects.clear();
  }
}

/**
 * A positive click (in model-input space) at the previous mask's centre: its centroid, moved to the
 * nearest mask pixel when the shape is concave. The centre survives motion better than an edge.
 */
function centrePoint(lowRes: Float32Array, inputSize: number): EncodedPoints {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let i = 0; i < lowRes.length; i++) {
    if ((lowRes[i] as number) > 0) {
      sx += i % 256;
      sy += Math.floor(i / 256);
      n++;
    }
  }
  const cx = sx / n;
  const cy = sy / n;
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  for (let i = 0; i < lowRes.length; i++) {
    if ((lowRes[i] as number) <= 0) continue;
    const d = ((i % 256) - cx) ** 2 + (Math.floor(i / 256) - cy) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  const scale = inputSize / 256;
  return {
    n: 1,
    coords: new Float32Array([((best % 256) + 0.5) * scale, (Math.floor(best / 256) + 0.5) * scale]),
    labels: new Int32Array([1]),
  };
}
