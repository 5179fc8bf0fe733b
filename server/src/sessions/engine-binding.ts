/**
 * The link between a session's document and the engine's memory banks. The banks are a cache:
 * created on the first command that needs the model, and rebuilt from the stored prompts of an
 * object whenever they disagree with the document (after a restart, an undo, a failed command).
 * Every method here runs inside a GPU-lane task.
 */
import type { PromptSet } from '@roto/shared';
import type { InferenceEngine, Prompts, VideoFrames, VideoState } from '../inference/engine.ts';

/** The engine's prompt shape for a stored prompt set. */
export function toEnginePrompts(p: PromptSet): Prompts {
  return p.box ? { points: p.points, box: p.box } : { points: p.points };
}

function keyOf(p: PromptSet): string {
  return JSON.stringify([p.points, p.box ?? null]);
}

export class EngineBinding {
  private state: VideoState | null = null;
  /** What the engine's bank holds per object: frame → prompt key. */
  private readonly view = new Map<number, Map<number, string>>();

  constructor(
    private readonly engine: InferenceEngine,
    private readonly frames: VideoFrames,
  ) {}

  /** The tracking state, created once the model is ready (MODEL_UNAVAILABLE otherwise). */
  async videoState(): Promise<VideoState> {
    if (this.state) return this.state;
    await this.engine.ready();
    this.state ??= this.engine.createVideoState(this.frames);
    return this.state;
  }

  /** Makes the engine's bank of `objectId` hold exactly `prompts`, re-adding them when it does not. */
  async sync(objectId: number, prompts: ReadonlyMap<number, PromptSet>): Promise<VideoState> {
    const vs = await this.videoState();
    const have = this.view.get(objectId);
    if (have && have.size === prompts.size && [...prompts].every(([f, p]) => have.get(f) === keyOf(p)))
      return vs;
    vs.removeObject(objectId);
    this.view.delete(objectId);
    const next = new Map<number, string>();
    for (const frame of [...prompts.keys()].sort((a, b) => a - b)) {
      const p = prompts.get(frame)!;
      await vs.addPrompts(frame, objectId, toEnginePrompts(p));
      next.set(frame, keyOf(p));
    }
    this.view.set(objectId, next);
    return vs;
  }

  /** Records that the engine now holds `prompts` (or none, for null) for the object on `frame`. */
  noteFrame(objectId: number, frame: number, prompts: PromptSet | null): void {
    const v = this.view.get(objectId) ?? new Map<number, string>();
    if (prompts) v.set(frame, keyOf(prompts));
    else v.delete(frame);
    this.view.set(objectId, v);
  }

  /** Forgets what the engine holds for the object (it is rebuilt before its next use). */
  forget(objectId: number): void {
    this.view.delete(objectId);
    this.state?.removeObject(objectId);
  }

  /** Frees the memory banks. */
  dispose(): void {
    this.state?.dispose();
    this.state = null;
    this.view.clear();
  }
}
