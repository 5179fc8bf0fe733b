/**
 * Overlay MP4: every frame with each selected object's mask blended in its colour and outlined,
 * H.264 yuv420p at the source's fps and size, the source video's audio kept when it has one.
 *
 * Two ways to the same picture. When the frames are a numbered JPEG sequence of even size (every
 * decoded session) ffmpeg decodes them straight to limited-range YUV, the blend happens on YUV here and the
 * encoder gets yuv420p: JPEG is YUV already, so the RGB round trip of the general path (sharp
 * decode, blend in RGB, RGB → YUV in the encoder) is skipped. Otherwise frames take that path.
 */
import { blendOverlay } from './compose.ts';
import { decodeJpegSequence, FramePool } from './ffmpeg-decode.ts';
import { fpsRational, rawInputArgs, startFfmpegPipe } from './ffmpeg-pipe.ts';
import { jpegSequencePattern } from './frame-pattern.ts';
import { readFrames } from './frames.ts';
import { reporter, throwIfAborted, writeAtomically } from './output.ts';
import {
  MAX_OUTLINED_OBJECTS,
  type OutlinedLabels,
  outlinedLabels,
  outlinedLabelsBuffer,
} from './overlay-labels.ts';
import { RunOverlay } from './overlay-runs.ts';
import { labelMap, objectPalette, requireLabelRoom, selectObjects } from './selection.ts';
import type { ExportObject, ExportOptions, ExportResult, ExportSource } from './types.ts';
import { encoderTools, evenPadArgs, runVideoEncode, type VideoEncode } from './video-encode.ts';
import { audioArgs, H264_ARGS, mp4Output } from './video-exports.ts';
import { blendYuvOverlay, yuv420Size, yuvPalette } from './yuv-overlay.ts';

/**
 * One ffmpeg decodes the JPEG sequence to YUV, the overlay is blended here on YUV, and a second
 * ffmpeg encodes it: no RGB conversion on the way, and only labelled pixels are touched.
 */
async function encodeFromSequence(
  source: ExportSource,
  objects: readonly ExportObject[],
  pattern: string,
  ffmpegPath: string,
  tmp: string,
  options: ExportOptions,
): Promise<void> {
  const { width, height, fps, frameCount } = source;
  const palette = yuvPalette(objectPalette(objects));
  let labels: OutlinedLabels | undefined;
  const audio = audioArgs(source, 1);
  const report = reporter(options, frameCount);
  const pipe = startFfmpegPipe(
    ffmpegPath,
    [
      ...rawInputArgs(width, height, fps, 'yuv420p'),
      ...audio.input,
      ...['-map', '0:v:0', ...audio.output, ...H264_ARGS, '-r', fpsRational(fps), ...mp4Output(tmp)],
    ],
    'overlay video',
    options.signal,
  );
  const pool = new FramePool(yuv420Size(width, height));
  const decoded = decodeJpegSequence(ffmpegPath, pattern, {
    width,
    height,
    fps,
    count: frameCount,
    signal: options.signal,
    pool,
  });
  // Sources that keep their masks as runs (every session) are painted from the runs; others,
  // and any frame whose masks are not at the frame's size, from decoded masks.
  const maskRuns = source.maskRuns?.bind(source);
  const runs = maskRuns ? new RunOverlay(width, height) : undefined;
  const ids = objects.map((o) => o.id);
  const masks = maskRuns ? undefined : readFrames(source, { pixels: false, signal: options.signal });
  try {
    let done = 0;
    for await (const yuv of decoded) {
      if (runs && maskRuns && runs.paint(maskRuns(done), ids)) {
        runs.blend(yuv, palette);
      } else {
        const frameMasks = masks ? (await masks.next()).value?.masks : await source.masks(done);
        if (!frameMasks) break;
        labels ??= outlinedLabelsBuffer(width, height);
        blendYuvOverlay(
          yuv,
          outlinedLabels(frameMasks, objects, width, height, labels),
          palette,
          width,
          height,
        );
      }
      await pipe.write(yuv, () => pool.give(yuv));
      report(++done);
    }
    throwIfAborted(options.signal);
    await pipe.finish();
  } catch (err) {
    await pipe.kill();
    throw err;
  } finally {
    await masks?.return(undefined);
    await decoded.return(undefined);
  }
}

/** sharp decodes each frame and the blend happens here; ffmpeg only encodes. */
function rgbEncode(source: ExportSource, objects: readonly ExportObject[], tmp: string): VideoEncode {
  const { width, height } = source;
  const palette = objectPalette(objects);
  const labels = new Uint8Array(width * height);
  const audio = audioArgs(source, 1);
  return {
    what: 'overlay video',
    pixels: true,
    args: [
      ...rawInputArgs(width, height, source.fps, 'rgb24'),
      ...audio.input,
      ...['-map', '0:v:0', ...audio.output],
      ...evenPadArgs(width, height),
      ...H264_ARGS,
      ...['-r', fpsRational(source.fps), ...mp4Output(tmp)],
    ],
    paint(frame) {
      const rgb = frame.rgb!;
      blendOverlay(rgb, labelMap(frame.masks, objects, width * height, labels), palette, width, height);
      return rgb;
    },
  };
}

/** The overlay MP4 of the selected objects (see the module comment for how it is made). */
export async function exportOverlayVideo(
  source: ExportSource,
  outPath: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const objects = selectObjects(source, options.objectIds);
  requireLabelRoom(objects, 'overlay video');
  return writeAtomically(
    source,
    outPath,
    { mime: 'video/mp4', suffix: 'overlay.mp4' },
    options,
    async (tmp) => {
      const tools = await encoderTools('libx264', 'H.264 video');
      // Even sides for 4:2:0 (which also makes whole 4-pixel groups for the label scan).
      const even = source.width % 2 === 0 && source.height % 2 === 0;
      const pattern =
        even && objects.length <= MAX_OUTLINED_OBJECTS ? jpegSequencePattern(source) : undefined;
      if (pattern) await encodeFromSequence(source, objects, pattern, tools.ffmpeg.path, tmp, options);
      else await runVideoEncode(source, tools.ffmpeg.path, rgbEncode(source, objects, tmp), options);
    },
  );
}
