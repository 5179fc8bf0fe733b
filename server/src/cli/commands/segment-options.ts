/**
 * `roto segment`: its help text and the parsing of its command line into checked options. What can
 * be checked without opening the input is checked here (JSON shapes, label counts, names); frame
 * and coordinate ranges are checked against the probed input by {@link checkAgainstInput}.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { BoxPrompt, PointPrompt } from '../../inference/engine.ts';
import { Pair, parseIntOption, parseJsonOption, UsageError } from './args.ts';
import { checkFormatName, SHORT_FORMAT_NAMES } from './formats.ts';

export const SEGMENT_HELP = `Usage: roto segment <video or image> --points "[[x,y],...]" [--labels "[1,0,...]"]
                    [--box "[x0,y0,x1,y1]"] [--frame <n>] --export <file> [--format <name>] [options]

Segments one object in a video (or an image) without a server: decodes the input to a
temporary folder, runs SAM2 on the clicked frame, propagates the mask through the video and
writes the result with the export library. Temporary files are removed afterwards.
Coordinates are in the input's own pixels (x right, y down), whatever --max-side does.

Prompts:
  --frame <n>              the frame the clicks are on, 0-based (default 0)
  --points <json>          clicks, e.g. "[[120,80],[200,95]]"
  --labels <json>          one per point: 1 include, 0 exclude (default: all 1)
  --box <json>             a box around the object, "[x0,y0,x1,y1]" (with or without points)
  --object-name <name>     the object's name in the export (default "Object 1")
  --color <#rrggbb>        the object's colour in overlays (default #e6194b)

Propagation (videos):
  --propagate-start <n>    first frame to track to (default 0)
  --propagate-end <n>      last frame to track to (default and upper bound: the last frame)
  --direction <dir>        forward, backward or both (default: both ways from --frame
                           within the range, i.e. forward when --frame is the range's start)

Output:
  -o, --export <file>      where to write the result (required)
  -f, --format <name>      ${SHORT_FORMAT_NAMES.join(', ')}
                           (default from the extension: .mp4 overlay, .webm alpha, .json coco,
                           .png masks; alpha to a .zip writes a PNG sequence per frame)
                           Images take masks, alpha, coco, davis and yolo.

Model and decoding:
  --pack <name>            model pack (default: MODEL_PACK, else test-tiny)
  --max-side <px>          longer side of the decoded frames (default: MAX_FRAME_SIDE, 1280)
  -q, --quiet              no progress, only the summary line
  --json                   the summary as one JSON object on stdout (frames, masks, meanArea, …)
  -h, --help               this help

Exit status: 0 written, 1 the work failed, 2 wrong usage (the message names the argument).
`;

/** A checked `roto segment` command line. Coordinates are in the input's pixels. */
export interface SegmentOptions {
  input: string;
  frame: number;
  points: PointPrompt[];
  box?: BoxPrompt;
  objectName: string;
  color?: string;
  propagateStart?: number;
  propagateEnd?: number;
  direction?: 'forward' | 'backward' | 'both';
  /** Absolute path of the output. */
  exportPath: string;
  /** A short format name or registry id, resolved once the input kind is known. */
  formatName: string;
  pack?: string;
  maxSide?: number;
  quiet: boolean;
  /** Print the summary as JSON. */
  json: boolean;
}

const Points = z
  .array(Pair, { error: 'must be a list of [x, y] pairs' })
  .min(1, { error: 'must hold at least one [x, y] pair' })
  .max(64, { error: 'holds more than 64 points' });
const Labels = z.array(
  z.union([z.literal(0), z.literal(1)], { error: 'must hold only 1 (include) or 0 (exclude)' }),
  {
    error: 'must be a list of 1 (include) and 0 (exclude)',
  },
);
const Box = z.tuple([z.number(), z.number(), z.number(), z.number()], {
  error: 'must be four numbers [x0, y0, x1, y1]',
});

const DIRECTIONS = ['forward', 'backward', 'both'] as const;

/** Returns null when `--help` was asked for. */
export function parseSegmentArgs(args: readonly string[], cwd: string): SegmentOptions | null {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      frame: { type: 'string' },
      points: { type: 'string' },
      labels: { type: 'string' },
      box: { type: 'string' },
      'object-name': { type: 'string' },
      color: { type: 'string' },
      'propagate-start': { type: 'string' },
      'propagate-end': { type: 'string' },
      direction: { type: 'string' },
      export: { type: 'string', short: 'o' },
      format: { type: 'string', short: 'f' },
      pack: { type: 'string' },
      'max-side': { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  if (positionals.length === 0) throw new UsageError('missing the video or image to segment');
  if (positionals.length > 1) throw new UsageError(`one input at a time (got ${positionals.join(', ')})`);

  const points =
    values.points === undefined
      ? []
      : parseJsonOption('points', values.points, Points, '"[[120,80],[200,95]]"');
  const labels =
    values.labels === undefined
      ? points.map(() => 1 as const)
      : parseJsonOption('labels', values.labels, Labels, '"[1,0]"');
  if (labels.length !== points.length) {
    throw new UsageError(
      `--labels has ${labels.length} label${labels.length === 1 ? '' : 's'} but --points has ${points.length} point${points.length === 1 ? '' : 's'}: give one label per point`,
    );
  }
  let box: BoxPrompt | undefined;
  if (values.box !== undefined) {
    const [x0, y0, x1, y1] = parseJsonOption('box', values.box, Box, '"[40,30,200,180]"');
    if (!(x1 > x0 && y1 > y0)) throw new UsageError(`--box needs x1 > x0 and y1 > y0 (got ${values.box})`);
    box = { x0, y0, x1, y1 };
  }
  if (points.length === 0 && !box) {
    throw new UsageError('nothing to segment: give --points (and --labels) or --box');
  }
  if (values.labels !== undefined && !labels.includes(1) && !box) {
    throw new UsageError('--labels has no 1: at least one point must include the object (or give --box)');
  }
  const direction = values.direction;
  if (direction !== undefined && !(DIRECTIONS as readonly string[]).includes(direction)) {
    throw new UsageError(`--direction must be one of ${DIRECTIONS.join(', ')} (got "${direction}")`);
  }
  if (values.color !== undefined && !/^#[0-9a-fA-F]{6}$/.test(values.color)) {
    throw new UsageError(`--color must be #rrggbb (got "${values.color}")`);
  }
  if (values.export === undefined)
    throw new UsageError('--export <file> is required: where to write the result');
  const exportPath = resolve(cwd, values.export);
  const formatName = checkFormatName(values.format, exportPath);

  const frame = parseIntOption('frame', values.frame) ?? 0;
  const start = parseIntOption('propagate-start', values['propagate-start']);
  const end = parseIntOption('propagate-end', values['propagate-end']);
  if (start !== undefined && start > frame) {
    throw new UsageError(
      `--propagate-start ${start} is after --frame ${frame}: tracking starts at the clicked frame`,
    );
  }
  if (end !== undefined && end < frame) {
    throw new UsageError(
      `--propagate-end ${end} is before --frame ${frame}: tracking starts at the clicked frame`,
    );
  }
  const maxSide = parseIntOption('max-side', values['max-side'], 64);

  const opts: SegmentOptions = {
    input: resolve(cwd, positionals[0]!),
    frame,
    points: points.map(([x, y], i) => ({ x, y, label: labels[i]! })),
    objectName: values['object-name'] ?? 'Object 1',
    exportPath,
    formatName,
    quiet: values.quiet,
    json: values.json,
  };
  if (box) opts.box = box;
  if (values.color !== undefined) opts.color = values.color.toLowerCase();
  if (start !== undefined) opts.propagateStart = start;
  if (end !== undefined) opts.propagateEnd = end;
  if (direction !== undefined) opts.direction = direction as SegmentOptions['direction'];
  if (values.pack !== undefined) opts.pack = values.pack;
  if (maxSide !== undefined) opts.maxSide = maxSide;
  return opts;
}

/** The input as probed: its size in its own pixels and its frame count. */
export interface InputShape {
  kind: 'video' | 'image';
  width: number;
  height: number;
  frameCount: number;
}

/** The frames to track, in order, per direction. */
export interface TrackPlan {
  forward: number[];
  backward: number[];
}

/**
 * Checks the frame, the propagation range and every coordinate against the input, and plans the
 * tracking. Usage errors name the value and the valid range.
 */
export function checkAgainstInput(opts: SegmentOptions, input: InputShape): TrackPlan {
  const last = input.frameCount - 1;
  const range =
    input.kind === 'image'
      ? 'an image has one frame, 0'
      : `the video has ${input.frameCount} frames, 0–${last}`;
  if (opts.frame > last) throw new UsageError(`--frame ${opts.frame} is out of range: ${range}`);
  if (opts.propagateStart !== undefined && opts.propagateStart > last) {
    throw new UsageError(`--propagate-start ${opts.propagateStart} is out of range: ${range}`);
  }
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x <= input.width && y <= input.height;
  const size = `${input.width}×${input.height}`;
  for (const [i, p] of opts.points.entries()) {
    if (!inside(p.x, p.y)) {
      throw new UsageError(`--points[${i}] (${p.x}, ${p.y}) is outside the ${size} ${input.kind}`);
    }
  }
  const b = opts.box;
  if (b && (!inside(b.x0, b.y0) || !inside(b.x1, b.y1))) {
    throw new UsageError(`--box [${b.x0},${b.y0},${b.x1},${b.y1}] is outside the ${size} ${input.kind}`);
  }
  const start = opts.propagateStart ?? 0;
  // "Track up to frame N" past the end means "to the end" (seed 003's `--propagate-end 100` on any clip).
  const end = Math.min(opts.propagateEnd ?? last, last);
  const direction =
    opts.direction ??
    (start < opts.frame && end > opts.frame ? 'both' : start < opts.frame ? 'backward' : 'forward');
  const forward: number[] = [];
  const backward: number[] = [];
  if (direction !== 'backward') for (let f = opts.frame + 1; f <= end; f++) forward.push(f);
  if (direction !== 'forward') for (let f = opts.frame - 1; f >= start; f--) backward.push(f);
  return { forward, backward };
}
