/**
 * Per-video tracking state for a `sam2-video` pack: one memory bank per object (conditioning
 * outputs + tracked outputs), the host side of SAM2's video predictor.
 *
 * Semantics follow the official predictor with `add_all_frames_to_correct_as_cond`: prompts on a
 * frame make it a conditioning frame; on a frame that was already tracked they are decoded with
 * memory (in the frame's tracking direction), like a correction. A prompted frame's memory is
 * encoded lazily, when a tracked frame first needs it, from its binarised mask.
 */
import type { MaskOutput, Prompts, TrackDirection, VideoFrames, VideoState } from './engine.ts';
import { invalidInput } from './errors.ts';
import { toMaskOutput } from './mask-output.ts';
import {
  assemblePointers,
  assembleSpatial,
  MAX_OBJ_PTRS,
  pointerSineEncoding,
  selectMemory,
} from './memory-bank.ts';
import { encodePrompts, NO_POINTS } from './prompts.ts';
import {
  C,
  type Decoded,
  type FrameEmbedding,
  type FrameMemory,
  HW,
  MEM_C,
  type Sam2VideoModel,
  transposeCN,
} from './sam2-video-model.ts';
import { SerialQueue } from './serial-queue.ts';

/** One object's output on one frame. */
interface FrameOutput extends Decoded {
  /** Memory-bank features; null until needed (prompted frames). */
  memory: FrameMemory | null;
  /** Prompted frames binarise their mask for memory; tracked frames use a sigmoid. */
  fromPrompts: boolean;
}

interface ObjectBank {
  cond: Map<number, FrameOutput>;
  nonCond: Map<number, FrameOutput>;
  /** Frames visited by tracking, with the direction (`frames_tracked_per_obj`). */
  tracked: Map<number, TrackDirection>;
}

/** What the video state needs from the engine. */
export interface VideoStateDeps {
  model: Sam2VideoModel;
  /** Encoder outputs of a frame (through the engine's LRU). */
  embed(video: VideoFrames, frame: number): Promise<FrameEmbedding>;
}

/** Hooks for tests that check the memory path against a reference. */
export type AttentionProbe = (
  frame: number,
  inputs: {
    memory1: Float32Array;
    memoryPos1: Float32Array;
    memory2: Float32Array;
    memoryPos2: Float32Array;
    curr: Float32Array;
    currPos: Float32Array;
  },
) => void;

/** Tracking state of one video (sam2-video packs). */
export class Sam2VideoState implements VideoState {
  private readonly objects = new Map<number, ObjectBank>();
  private readonly queue = new SerialQueue();
  private disposed = false;
  /** Called with every memory-attention input (tests). */
  probe: AttentionProbe | null = null;

  constructor(
    readonly video: VideoFrames,
    private readonly deps: VideoStateDeps,
  ) {}

  private bank(objectId: number): ObjectBank {
    let b = this.objects.get(objectId);
    if (!b) {
      b = { cond: new Map(), nonCond: new Map(), tracked: new Map() };
      this.objects.set(objectId, b);
    }
    return b;
  }

  private checkFrame(frame: number): void {
    if (this.disposed) throw invalidInput('This video state was disposed');
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
    const model = this.deps.model;
    const points = encodePrompts(prompts, this.video.width, this.video.height, model.inputSize);
    return this.queue.run(async () => {
      const bank = this.bank(objectId);
      const emb = await this.deps.embed(this.video, frame);
      const trackedDir = bank.tracked.get(frame);
      // A frame not tracked yet starts tracking (no memory); one already tracked is a correction
      // decoded with memory, as long as there is a conditioning frame to remember.
      const features =
        trackedDir === undefined || bank.cond.size === 0
          ? model.noMemFeatures(emb)
          : await this.conditioned(bank, frame, trackedDir, emb);
      const previous = bank.cond.get(frame) ?? bank.nonCond.get(frame);
      const maskInput = opts?.refine && previous ? previous.lowRes : null;
      const out = await model.decode(emb, features, points, maskInput, true);
      bank.cond.set(frame, { ...out, memory: null, fromPrompts: true });
      bank.nonCond.delete(frame);
      return toMaskOutput(out, this.video.width, this.video.height);
    });
  }

  clearPrompts(frame: number, objectId: number): void {
    const bank = this.objects.get(objectId);
    const out = bank?.cond.get(frame);
    if (!bank || !out) return;
    // Like the official predictor: the output stays as a non-conditioning memory of that frame.
    bank.cond.delete(frame);
    bank.nonCond.set(frame, out);
    bank.tracked.delete(frame);
  }

  removeObject(objectId: number): void {
    this.objects.delete(objectId);
  }

  track(frame: number, objectId: number, direction: TrackDirection): Promise<MaskOutput> {
    this.checkFrame(frame);
    return this.queue.run(async () => {
      const bank = this.objects.get(objectId);
      if (!bank || bank.cond.size === 0) {
        throw invalidInput(`Object ${objectId} has no prompts: add a point or a box before propagating`);
      }
      const model = this.deps.model;
      const stored = bank.cond.get(frame);
      if (stored) {
        bank.tracked.set(frame, direction);
        return toMaskOutput(stored, this.video.width, this.video.height);
      }
      const emb = await this.deps.embed(this.video, frame);
      const features = await this.conditioned(bank, frame, direction, emb);
      const out = await model.decode(emb, features, NO_POINTS, null, true);
      const memory = await model.encodeMemory(emb, out.lowRes, false, out.present);
      bank.nonCond.set(frame, { ...out, memory, fromPrompts: false });
      bank.tracked.set(frame, direction);
      return toMaskOutput(out, this.video.width, this.video.height);
    });
  }

  resetTracking(objectId: number, frames?: readonly number[]): void {
    const bank = this.objects.get(objectId);
    if (!bank) return;
    const list = frames ?? [...bank.nonCond.keys(), ...bank.tracked.keys()];
    for (const f of list) {
      bank.nonCond.delete(f);
      bank.tracked.delete(f);
    }
  }

  conditioningFrames(objectId: number): number[] {
    return [...(this.objects.get(objectId)?.cond.keys() ?? [])].sort((a, b) => a - b);
  }

  dispose(): void {
    this.disposed = true;
    this.objects.clear();
  }

  /** Memory attention over the object's bank: the features a non-initial frame decodes from. */
  private async conditioned(bank: ObjectBank, frame: number, direction: TrackDirection, emb: FrameEmbedding) {
    const model = this.deps.model;
    const { memories, pointers } = selectMemory(
      frame,
      direction,
      asBank(bank.cond),
      asBank(bank.nonCond),
      this.video.frameCount,
    );
    const spatial: { data: Uint16Array; tPos: number }[] = [];
    for (const m of memories) {
      const out =
        m.entry.memory === null
          ? await this.ensureMemory(m.frame, m.entry as unknown as FrameOutput)
          : m.entry.memory;
      spatial.push({ data: out.features, tPos: m.tPos });
    }
    const { memory1, memoryPos1 } = assembleSpatial(
      spatial,
      model.memoryPosEnc(),
      model.constants.maskmemTposEnc,
      MEM_C,
    );
    const maxPtrs = Math.min(this.video.frameCount, MAX_OBJ_PTRS);
    const positions =
      model.family === 'sam2.1' && pointers.length > 0
        ? await model.projectPointerPositions(
            pointerSineEncoding(
              pointers.map((p) => p.tDiff),
              maxPtrs,
              C,
            ),
            pointers.length,
          )
        : new Float32Array(pointers.length * MEM_C);
    const { memory2, memoryPos2 } = assemblePointers(
      pointers.map((p) => p.objPtr),
      positions,
      C,
      MEM_C,
    );
    const curr = transposeCN(emb.fpn2.data as Float32Array, C, HW);
    const currPos = transposeCN(emb.posEnc2.data as Float32Array, C, HW);
    this.probe?.(frame, { memory1, memoryPos1, memory2, memoryPos2, curr, currPos });
    return model.attend(curr, currPos, memory1, memoryPos1, memory2, memoryPos2);
  }

  /** Encodes a prompted frame's memory the first time a tracked frame needs it. */
  private async ensureMemory(frame: number, out: FrameOutput): Promise<FrameMemory> {
    if (out.memory) return out.memory;
    const emb = await this.deps.embed(this.video, frame);
    out.memory = await this.deps.model.encodeMemory(emb, out.lowRes, out.fromPrompts, out.present);
    return out.memory;
  }
}

function asBank(map: Map<number, FrameOutput>) {
  return map as unknown as Map<number, { memory: FrameMemory; objPtr: Float32Array }>;
}
