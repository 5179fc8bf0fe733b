/**
 * `roto segment`'s input: what the file is (sniffed from its bytes), its size and frame count, and
 * its frames decoded once into a temporary folder, the same way uploads are decoded.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { RgbImage, VideoFrames } from '../../inference/engine.ts';
import {
  decodeFrames,
  framePath,
  probeVideo,
  readFrameRgb,
  sniffFile,
  type VideoInfo,
  writeImageFrame,
} from '../../media/index.ts';
import type { InputShape } from './segment-options.ts';

/** The probed input: its shape in its own pixels, and the probe of a video. */
export interface ProbedInput extends InputShape {
  video?: VideoInfo;
}

/** The input's frames on disk at the decoded size. */
export interface DecodedInput {
  framesDir: string;
  width: number;
  height: number;
  frameCount: number;
  /** 0 for an image. */
  fps: number;
}

/** Sniffs and probes `path` (nothing is decoded yet). */
export async function probeInput(path: string, signal?: AbortSignal): Promise<ProbedInput> {
  const sniffed = await sniffFile(path);
  if (sniffed.kind === 'video') {
    const info = await probeVideo(path, signal ? { signal } : {});
    return {
      kind: 'video',
      width: info.width,
      height: info.height,
      frameCount: info.frameCount,
      video: info,
    };
  }
  const meta = await sharp(path).metadata();
  // Coordinates are given on the picture as a viewer shows it, i.e. after its EXIF rotation.
  const { width, height } = meta.autoOrient ?? meta;
  return { kind: 'image', width, height, frameCount: 1 };
}

/**
 * Writes the frames of a probed input into `framesDir` (longer side capped at `maxSide`), reporting
 * decoded frames as it goes.
 */
export async function decodeInput(
  path: string,
  probed: ProbedInput,
  framesDir: string,
  maxSide: number,
  onProgress: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<DecodedInput> {
  if (probed.video) {
    const d = await decodeFrames(path, framesDir, {
      maxLongSide: maxSide,
      info: probed.video,
      onProgress: (p) => onProgress(p.framesDone, p.totalFrames),
      ...(signal ? { signal } : {}),
    });
    return { framesDir, width: d.width, height: d.height, frameCount: d.frameCount, fps: d.fps };
  }
  const img = await writeImageFrame(new Uint8Array(await readFile(path)), framesDir, {
    maxLongSide: maxSide,
  });
  onProgress(1, 1);
  return { framesDir, width: img.width, height: img.height, frameCount: 1, fps: 0 };
}

/** The decoded frames as the engine reads them. */
export function framesOf(decoded: DecodedInput, id: string): VideoFrames {
  return {
    id,
    frameCount: decoded.frameCount,
    width: decoded.width,
    height: decoded.height,
    getFrame: (i: number): Promise<RgbImage> => readFrameRgb(framePath(decoded.framesDir, i)),
  };
}
