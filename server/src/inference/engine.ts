/**
 * The model behind an interface. Everything above `inference/` (sessions, jobs, HTTP, CLI) talks to
 * SAM2 only through these types; the ONNX implementation and the test pack sit behind them.
 *
 * Coordinates are always in frame pixels (x right, y down); the engine maps them to the model's
 * 1024×1024 input space. Masks are row-major `Uint8Array`s of 0/1, one byte per pixel.
 */

/** What `/healthz`, the UI status bar and `MODEL_UNAVAILABLE` errors say about the model. */
export interface EngineInfo {
  /** MODEL_PACK as configured (a pack name under models/ or a folder path). */
  pack: string;
  title?: string;
  kind: 'sam2-video' | 'sam2-image' | null;
  status: 'loading' | 'ready' | 'missing' | 'error';
  /** Execution providers in use (e.g. ['cpu'] or ['cuda', 'cpu']). */
  providers: string[];
  /** Why the pack is not usable, phrased for the user. */
  message?: string;
  /** The command that fetches the pack, when it is missing. */
  fetchCommand?: string;
}

/** An 8-bit RGB image, interleaved, row-major. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A click: label 1 = positive (include), 0 = negative (exclude). */
export interface PointPrompt {
  x: number;
  y: number;
  label: 0 | 1;
}

/** A box in frame pixels, corners inclusive. */
export interface BoxPrompt {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The prompts of one object on one frame. At least one point or a box; at most 64 points. */
export interface Prompts {
  points: PointPrompt[];
  box?: BoxPrompt;
}

/** One object's mask on one frame. */
export interface MaskOutput {
  width: number;
  height: number;
  /** 0/1 per pixel, row-major, width × height. */
  mask: Uint8Array;
  /** The chosen low-resolution logits (256×256), reusable as the next click's mask input. */
  lowRes: Float32Array;
  /** The decoder's predicted IoU of the chosen candidate. */
  iou: number;
  /** Object score logit; ≤ 0 means the model judges the object absent on this frame. */
  objectScore: number;
  present: boolean;
}

/** Random access to a video's decoded frames (the session layer decodes them once to disk). */
export interface VideoFrames {
  /** Stable id, used as the embedding-cache key prefix. */
  id: string;
  frameCount: number;
  width: number;
  height: number;
  getFrame(index: number): Promise<RgbImage>;
}

export type TrackDirection = 'forward' | 'backward';

/**
 * Per-video inference state (the memory banks of every object). Owned by exactly one session;
 * its methods are called one at a time (the GPU lane serialises them).
 */
export interface VideoState {
  readonly video: VideoFrames;
  /**
   * Sets the prompts of `objectId` on `frame` (replacing earlier prompts there, like the official
   * predictor's `clear_old_points=True`), makes the frame a conditioning frame and returns its mask.
   * `refine` feeds the frame's previous low-res logits back as mask input.
   */
  addPrompts(
    frame: number,
    objectId: number,
    prompts: Prompts,
    opts?: { refine?: boolean },
  ): Promise<MaskOutput>;
  /** Removes the prompts of an object on a frame (the frame stops being a conditioning frame). */
  clearPrompts(frame: number, objectId: number): void;
  /** Forgets an object entirely. */
  removeObject(objectId: number): void;
  /**
   * Tracks one object onto one frame from its memory bank (conditioning frames + recent tracked
   * frames in `direction`), stores the result as that frame's memory and returns the mask.
   * One call = one frame, so the lane can preempt between frames.
   */
  track(frame: number, objectId: number, direction: TrackDirection): Promise<MaskOutput>;
  /** Drops tracked (non-conditioning) outputs of an object, e.g. before re-propagating. */
  resetTracking(objectId: number, frames?: readonly number[]): void;
  /** Frames with prompts for this object, ascending. */
  conditioningFrames(objectId: number): number[];
  /** Frees memory banks (embeddings stay in the engine's LRU). */
  dispose(): void;
}

/** The model engine. One per process; all calls go through the GPU lane. */
export interface InferenceEngine {
  info(): EngineInfo;
  /** Loads the pack if needed; rejects with a MODEL_UNAVAILABLE error naming the fix. */
  ready(): Promise<void>;
  /** Single-image segmentation (image sessions and the base64 REST flow). */
  segmentImage(
    image: RgbImage,
    prompts: Prompts,
    opts?: { cacheKey?: string; maskInput?: Float32Array },
  ): Promise<MaskOutput>;
  /** Opens the tracking state of a video. */
  createVideoState(video: VideoFrames): VideoState;
  /** Bytes currently held by the embedding cache (for /metrics). */
  cacheBytes(): number;
  close(): Promise<void>;
}
