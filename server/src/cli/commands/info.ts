/**
 * `roto info <video>`: what Roto sees in a file (the same probe uploads go through): size, rate,
 * frames, duration, codec, audio; `--json` for programs.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes } from '../../models-fetch/progress.ts';
import { type CliIo, EXIT, requireInputFile, UsageError } from './args.ts';
import { probeInput } from './segment-input.ts';

export const INFO_HELP = `Usage: roto info <video or image> [--json]

Probes a file the way uploads are probed (its real type from its bytes, then ffprobe with the
same safety limits) and prints its size, frame rate, frame count, duration, codec and audio.

Options:
  --json        one JSON object on stdout, for programs
  -h, --help    this help

Exit status: 0 probed, 1 the file is not a video or image Roto opens, 2 wrong usage.
`;

/** What `roto info --json` prints. */
export interface InfoJson {
  path: string;
  kind: 'video' | 'image';
  width: number;
  height: number;
  /** 0 for an image. */
  fps: number;
  frameCount: number;
  /** How the frame count was found: `header`, `packets`, `duration` (an estimate), or `image`. */
  frameCountSource: string;
  durationSec: number;
  codec: string | null;
  container: string | null;
  hasAudio: boolean;
  rotation: number;
  sizeBytes: number | null;
}

/** Runs `roto info` with `args` (after the command name); returns the exit code. */
export async function runInfo(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(INFO_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`one file at a time (got ${positionals.join(', ')})`);
  const path = await requireInputFile(
    positionals[0] === undefined ? undefined : resolve(io.cwd, positionals[0]),
    'video or image',
  );
  const probed = await probeInput(path, io.signal);
  const v = probed.video;
  const info: InfoJson = {
    path,
    kind: probed.kind,
    width: probed.width,
    height: probed.height,
    fps: v?.fps ?? 0,
    frameCount: probed.frameCount,
    frameCountSource: v?.frameCountSource ?? 'image',
    durationSec: v?.durationSec ?? 0,
    codec: v?.codec ?? null,
    container: v?.formatName ?? null,
    hasAudio: v?.hasAudio ?? false,
    rotation: v?.rotation ?? 0,
    sizeBytes: v?.sizeBytes ?? null,
  };
  io.stdout.write(values.json ? `${JSON.stringify(info, null, 2)}\n` : formatInfo(info));
  return EXIT.ok;
}

function formatInfo(i: InfoJson): string {
  const rows: Array<[string, string]> = [
    ['file', i.path],
    ['kind', i.kind],
    ['size', `${i.width}×${i.height}${i.rotation ? ` (shown rotated ${i.rotation}°)` : ''}`],
  ];
  if (i.kind === 'video') {
    const estimate = i.frameCountSource === 'duration' ? ' (estimated from the duration)' : '';
    rows.push(
      ['fps', `${Number(i.fps.toFixed(3))}`],
      ['frames', `${i.frameCount}${estimate}`],
      ['duration', `${i.durationSec.toFixed(2)} s`],
      ['codec', `${i.codec} in ${i.container}`],
      ['audio', i.hasAudio ? 'yes' : 'no'],
    );
  }
  if (i.sizeBytes !== null) rows.push(['bytes', formatBytes(i.sizeBytes)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
