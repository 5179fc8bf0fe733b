/**
 * The mask video (object colours on black, H.264 yuv420p at the source's size and frame rate) and
 * what the H.264 exports share: encoder settings, MP4 output, the source's audio.
 */
import { fileInput, safeInputArgs } from '../media/ffmpeg-args.ts';
import { paintLabels } from './compose.ts';
import { fpsRational, rawInputArgs } from './ffmpeg-pipe.ts';
import { writeAtomically } from './output.ts';
import { labelMap, objectPalette, requireLabelRoom, selectObjects } from './selection.ts';
import type { ExportOptions, ExportResult, ExportSource } from './types.ts';
import { encoderTools, evenPadArgs, runVideoEncode } from './video-encode.ts';

/** x264 settings of both H.264 exports (and of the bench baseline): fast enough to keep up with frame reading, visually clean. */
export const H264_ARGS = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p'];

export function mp4Output(tmpPath: string): string[] {
  return ['-movflags', '+faststart', '-f', 'mp4', '-y', fileInput(tmpPath)];
}

/**
 * Audio arguments: the source's first audio track as input number `index`, cut to the video's
 * length, re-encoded to AAC (the `?` keeps a source whose audio went missing exportable).
 */
export function audioArgs(source: ExportSource, index: number): { input: string[]; output: string[] } {
  if (!source.hasAudio || !source.sourceVideoPath) return { input: [], output: [] };
  const duration = (source.frameCount / source.fps).toFixed(6);
  return {
    input: ['-t', duration, ...safeInputArgs(), '-i', fileInput(source.sourceVideoPath)],
    output: ['-map', `${index}:a:0?`, '-c:a', 'aac', '-b:a', '160k'],
  };
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
