import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join } from 'node:path';
import { MediaError } from './errors.ts';
import { runProcess } from './process.ts';

/** Where a binary came from, in resolution order. */
export type ToolSource =
  | 'FFMPEG_PATH'
  | 'FFPROBE_PATH'
  | 'ffmpeg-static'
  | '@ffmpeg-installer/ffmpeg'
  | '@ffprobe-installer/ffprobe'
  | 'PATH';

/** A binary that was found and answered `-version`. */
export interface ResolvedTool {
  path: string;
  source: ToolSource;
  /** The version token of the first `-version` line, e.g. `5.1.6-0+deb12u1` or `N-47683-g0e8eb07980-static`. */
  version: string;
}

/** The resolved ffmpeg with what it can do. */
export interface FfmpegTool extends ResolvedTool {
  /** The encoders later exports need. */
  encoders: { libx264: boolean; libvpxVp9: boolean };
  /** Every video encoder name (`ffmpeg -encoders`). */
  videoEncoders: ReadonlySet<string>;
  /** Video codec ids this ffmpeg can decode (`ffmpeg -codecs`, flag D), as ffprobe names them. */
  decodableVideoCodecs: ReadonlySet<string>;
}

/** Both media binaries, as chosen by {@link getMediaTools}. */
export interface MediaTools {
  ffmpeg: FfmpegTool;
  ffprobe: ResolvedTool;
}

/** Environment variables the resolution reads. */
export interface ToolEnv {
  FFMPEG_PATH?: string | undefined;
  FFPROBE_PATH?: string | undefined;
  PATH?: string | undefined;
}

interface Candidate {
  source: ToolSource;
  /** Absent when the source is not there at all (package not installed, not on PATH). */
  path?: string;
  why?: string;
}

const VERSION_TIMEOUT_MS = 10_000;
const require = createRequire(import.meta.url);

/** Resolves a package's exported binary path, or explains why it is not there. */
function fromPackage(source: ToolSource, read: () => unknown): Candidate {
  try {
    const value = read();
    const path = typeof value === 'string' ? value : (value as { path?: unknown } | null)?.path;
    if (typeof path !== 'string' || path === '') return { source, why: 'package exports no binary path' };
    if (!existsSync(path)) return { source, path, why: 'binary not present (install script skipped?)' };
    return { source, path };
  } catch {
    return { source, why: 'package not installed' };
  }
}

/** Finds `name` on PATH the way a shell would, so the chosen path can be reported. */
function onPath(name: string, envPath: string | undefined): Candidate {
  for (const dir of (envPath ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, name);
    if (existsSync(path)) return { source: 'PATH', path };
  }
  return { source: 'PATH', why: `no ${name} on PATH` };
}

function ffmpegCandidates(env: ToolEnv): Candidate[] {
  return [
    fromPackage('ffmpeg-static', () => require('ffmpeg-static')),
    fromPackage('@ffmpeg-installer/ffmpeg', () => require('@ffmpeg-installer/ffmpeg')),
    onPath('ffmpeg', env.PATH),
  ];
}

function ffprobeCandidates(env: ToolEnv): Candidate[] {
  return [
    fromPackage('@ffprobe-installer/ffprobe', () => require('@ffprobe-installer/ffprobe')),
    onPath('ffprobe', env.PATH),
  ];
}

/** Runs `<bin> -version`; returns the version token or why it failed. */
async function probeVersion(path: string, name: string): Promise<{ version: string } | { why: string }> {
  try {
    const res = await runProcess(path, ['-hide_banner', '-version'], { timeoutMs: VERSION_TIMEOUT_MS });
    if (res.timedOut) return { why: '-version timed out' };
    if (res.exitCode !== 0) return { why: `-version exited with ${res.exitCode ?? res.killedBy}` };
    const match = new RegExp(`^${name} version (\\S+)`, 'm').exec(res.stdout);
    if (!match?.[1]) return { why: `-version did not print "${name} version …"` };
    return { version: match[1] };
  } catch (err) {
    return { why: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
}

/**
 * Picks the first candidate that runs. An explicit `*_PATH` variable is the only candidate when
 * set: someone asked for that binary, and silently using another would hide the mistake.
 */
async function resolveTool(
  name: 'ffmpeg' | 'ffprobe',
  explicit: { source: ToolSource; value: string | undefined },
  candidates: () => Candidate[],
): Promise<ResolvedTool> {
  const list: Candidate[] = explicit.value
    ? [{ source: explicit.source, path: explicit.value }]
    : candidates();
  const tried: string[] = [];
  for (const c of list) {
    if (!c.path) {
      tried.push(`${c.source}: ${c.why}`);
      continue;
    }
    if (c.why) {
      tried.push(`${c.source} (${c.path}): ${c.why}`);
      continue;
    }
    if (c.source === explicit.source && !isAbsolute(c.path)) {
      tried.push(`${c.source} (${c.path}): must be an absolute path`);
      continue;
    }
    const v = await probeVersion(c.path, name);
    if ('version' in v) return { path: c.path, source: c.source, version: v.version };
    tried.push(`${c.source} (${c.path}): ${v.why}`);
  }
  throw new MediaError(
    'INTERNAL',
    'TOOL_UNAVAILABLE',
    `No working ${name} found. Tried: ${tried.join('; ')}`,
    {
      tool: name,
      tried,
    },
  );
}

/** Parses `ffmpeg -encoders`: lines like ` V..... libx264  libx264 H.264 …`. */
export function parseVideoEncoders(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^ V[.A-Z]{5} (\S+)/gm)) if (m[1]) out.add(m[1]);
  return out;
}

/** Parses `ffmpeg -codecs`: lines like ` DEV.LS h264  H.264 …` (D = decodable, V = video). */
export function parseDecodableVideoCodecs(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^ D.V[.A-Z]{3} (\S+)/gm)) if (m[1]) out.add(m[1]);
  return out;
}

async function listing(path: string, flag: '-encoders' | '-codecs'): Promise<string> {
  const res = await runProcess(path, ['-hide_banner', flag], { timeoutMs: VERSION_TIMEOUT_MS });
  if (res.exitCode !== 0) {
    throw new MediaError(
      'INTERNAL',
      'TOOL_FAILED',
      `ffmpeg ${flag} failed (exit ${res.exitCode ?? res.killedBy})`,
    );
  }
  return res.stdout;
}

/**
 * Resolves ffmpeg and ffprobe without caching. Order: ffmpeg — `FFMPEG_PATH`, `ffmpeg-static`
 * (optional dependency; used only if its binary exists), `@ffmpeg-installer/ffmpeg`, `ffmpeg` on
 * PATH; ffprobe — `FFPROBE_PATH`, `@ffprobe-installer/ffprobe`, `ffprobe` on PATH. Each candidate
 * must answer `-version`. Throws `INTERNAL`/`TOOL_UNAVAILABLE` naming every candidate tried.
 */
export async function resolveMediaTools(env: ToolEnv = process.env): Promise<MediaTools> {
  const [ffmpegBase, ffprobe] = await Promise.all([
    resolveTool('ffmpeg', { source: 'FFMPEG_PATH', value: env.FFMPEG_PATH }, () => ffmpegCandidates(env)),
    resolveTool('ffprobe', { source: 'FFPROBE_PATH', value: env.FFPROBE_PATH }, () => ffprobeCandidates(env)),
  ]);
  const [encodersText, codecsText] = await Promise.all([
    listing(ffmpegBase.path, '-encoders'),
    listing(ffmpegBase.path, '-codecs'),
  ]);
  const videoEncoders = parseVideoEncoders(encodersText);
  return {
    ffmpeg: {
      ...ffmpegBase,
      encoders: { libx264: videoEncoders.has('libx264'), libvpxVp9: videoEncoders.has('libvpx-vp9') },
      videoEncoders,
      decodableVideoCodecs: parseDecodableVideoCodecs(codecsText),
    },
    ffprobe,
  };
}

let cached: Promise<MediaTools> | undefined;

/**
 * The media tools for this process, resolved once from `process.env` (the promise is cached, so
 * concurrent first callers share one resolution; a failure is not cached, so fixing the install
 * and retrying works without a restart).
 */
export function getMediaTools(): Promise<MediaTools> {
  if (!cached) {
    cached = resolveMediaTools(process.env);
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}

/** One line for start-up logs and `/healthz`, e.g. `ffmpeg N-47683 (@ffmpeg-installer/ffmpeg; libx264, libvpx-vp9)`. */
export function describeMediaTools(tools: MediaTools): string {
  const enc = [tools.ffmpeg.encoders.libx264 && 'libx264', tools.ffmpeg.encoders.libvpxVp9 && 'libvpx-vp9']
    .filter(Boolean)
    .join(', ');
  return (
    `ffmpeg ${tools.ffmpeg.version} (${tools.ffmpeg.source}, ${tools.ffmpeg.path}; encoders: ${enc || 'none of libx264/libvpx-vp9'}), ` +
    `ffprobe ${tools.ffprobe.version} (${tools.ffprobe.source}, ${tools.ffprobe.path})`
  );
}
