/**
 * Video exports: the overlay MP4 (frames with masks blended in and outlined, the source's audio
 * kept) and the mask video (object colours on black), both H.264 yuv420p at the source's size
 * and frame rate.
 */
import { fileInput, safeInputArgs } from '../media/ffmpeg-args.ts';
import { blendOverlay, paintLabels } from './compose.ts';
import { fpsRational, rawInputArgs } from './ffmpeg-pipe.ts';
import { writeAtomically } from './output.ts';
import { labelMap, objectPalette, requireLabelRoom, selectObjects } from './selection.ts';
import type { ExportOptions, ExportResult, ExportSource } from './types.ts';
import { encoderTools, evenPadArgs, runVideoEncode } from './video-encode.ts';

/** x264 settings of both H.264 exports: fast enough to keep up with frame reading, visually clean. */
const H264_ARGS = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p'];

function mp4Output(tmpPath: string): string[] {
  return ['-movflags', '+faststart', '-f', 'mp4', '-y', fileInput(tmpPath)];
}

/** Audio input arguments: the source's first audio track, cut to the video's length, re-encoded to AAC. */
function audioArgs(source: ExportSource): { input: string[]; output: string[] } {
  if (!source.hasAudio || !source.sourceVideoPath) return { input: [], output: [] };
  const duration = (source.frameCount / source.fps).toFixed(6);
  return {
    input: ['-t', duration, ...safeInputArgs(), '-i', fileInput(source.sourceVideoPath)],
    output: ['-map', '0:v:0', '-map', '1:a:0?', '-c:a', 'aac', '-b:a', '160k'],
  };
}

/**
 * Overlay MP4: every frame with each selected object's mask blended in its colour and outlined,
 * H.264 yuv420p at the source's fps and size; the source video's audio is kept when it has one.
 */
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
      const { width, height } = source;
      const palette = objectPalette(objects);
      const labels = new Uint8Array(width * height);
      const audio = audioArgs(source);
      await runVideoEncode(
        source,
        tools.ffmpeg.path,
        {
          what: 'overlay video',
          pixels: true,
          args: [
            ...rawInputArgs(width, height, source.fps, 'rgb24'),
            ...audio.input,
            ...audio.output,
            ...evenPadArgs(width, height),
            ...H264_ARGS,
            '-r',
            fpsRational(source.fps),
            ...mp4Output(tmp),
          ],
          paint(frame) {
            const rgb = frame.rgb!;
            blendOverlay(rgb, labelMap(frame.masks, objects, width * height, labels), palette, width, height);
            return rgb;
          },
        },
        options,
      );
    },
  );
}

/** Mask video: each selected object's mask in its colour on black, H.264 yuv420p, no audio. */
export async function exportMaskVideo(
  source: ExportSource,
  outPath: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const objects = selectObjects(source, options.objectIds);
  requireLabelRoom(objects, 'mask video');
  return writeAtomically(
    source,
    outPath,
    { mime: 'video/mp4', suffix: 'masks.mp4' },
    options,
    async (tmp) => {
      const tools = await encoderTools('libx264', 'H.264 video');
      const { width, height } = source;
      const palette = objectPalette(objects);
      const labels = new Uint8Array(width * height);
      await runVideoEncode(
        source,
        tools.ffmpeg.path,
        {
          what: 'mask video',
          pixels: false,
          args: [
            ...rawInputArgs(width, height, source.fps, 'rgb24'),
            ...evenPadArgs(width, height),
            ...H264_ARGS,
            '-r',
            fpsRational(source.fps),
            ...mp4Output(tmp),
          ],
          // A fresh buffer per frame: stdin keeps a reference to what it has not flushed yet.
          paint: (frame) =>
            paintLabels(
              labelMap(frame.masks, objects, width * height, labels),
              palette,
              new Uint8Array(width * height * 3),
            ),
        },
        options,
      );
    },
  );
}
