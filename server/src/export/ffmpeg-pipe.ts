/**
 * An ffmpeg process fed raw frames on stdin, with backpressure (a write waits while ffmpeg is
 * behind, so memory stays at a few frames), SIGKILL on abort, and its failure turned into an
 * error a user can read.
 */
import { spawn } from 'node:child_process';
import { RotoError } from '@roto/shared';
import { lastErrorLine } from '../media/process.ts';
import { cancelledError } from './output.ts';
import { lowerPriority, withThreads } from './process-priority.ts';

/** A running ffmpeg that reads frames from stdin. */
export interface FfmpegPipe {
  /** Writes one frame (`onFlushed` once ffmpeg has read it); resolves at once while fewer than two frames are buffered, else once ffmpeg has caught up. */
  write(frame: Uint8Array, onFlushed?: () => void): Promise<void>;
  /** Closes stdin and waits for ffmpeg to finish writing its output. */
  finish(): Promise<void>;
  /** Kills ffmpeg (if still running) and waits for it to exit. */
  kill(): Promise<void>;
}

/** Starts `ffmpeg args…`; `what` names the export in error messages (e.g. "overlay video"). */
export function startFfmpegPipe(
  ffmpegPath: string,
  args: readonly string[],
  what: string,
  signal?: AbortSignal,
): FfmpegPipe {
  const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...withThreads(args)], {
    stdio: ['pipe', 'ignore', 'pipe'],
    windowsHide: true,
  });
  lowerPriority(child.pid);
  // `-nostdin` only stops ffmpeg reading keys from the terminal; `pipe:0` inputs still read stdin.
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-8000);
  });
  let spawnError: Error | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code, sig) => resolve({ code, signal: sig }));
  });
  // A closed stdin (ffmpeg stopped early) surfaces through the exit status, not as a crash.
  child.stdin.on('error', () => {});
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  // A signal that aborted before the spawn never fires `abort` again: kill at once then.
  if (signal?.aborted) kill();
  else signal?.addEventListener('abort', kill, { once: true });
  void exited.then(() => signal?.removeEventListener('abort', kill));

  const failure = (code: number | null): RotoError => {
    if (signal?.aborted) return cancelledError(signal);
    const line = lastErrorLine(stderr);
    const why = spawnError
      ? `ffmpeg could not start (${(spawnError as NodeJS.ErrnoException).code ?? spawnError.message})`
      : line || `ffmpeg exited with ${code}`;
    return new RotoError('INTERNAL', `Encoding the ${what} failed: ${why}`, { ffmpeg: line, exitCode: code });
  };

  let closed = false;
  void exited.then(() => {
    closed = true;
  });

  return {
    async write(frame, onFlushed) {
      if (closed || signal?.aborted) throw failure((await exited).code);
      // The callback runs once ffmpeg has the bytes (or the pipe failed): the buffer is free again.
      child.stdin.write(frame, onFlushed && (() => onFlushed()));
      // Up to two frames may wait in the pipe's buffer, so the next frame is prepared while
      // ffmpeg reads this one (waiting for a full drain would take turns instead).
      if (child.stdin.writableLength <= 2 * frame.length) return;
      const outcome = await Promise.race([
        new Promise<'drain'>((r) => child.stdin.once('drain', () => r('drain'))),
        exited.then(() => 'exit' as const),
      ]);
      if (outcome === 'exit') throw failure((await exited).code);
    },
    async finish() {
      child.stdin.end();
      const { code } = await exited;
      if (code !== 0) throw failure(code);
    },
    async kill() {
      kill();
      await exited;
    },
  };
}

/**
 * The frame rate as ffmpeg's exact rational: NTSC rates (29.97, 23.976, 59.94…) become
 * `30000/1001`-style fractions so timestamps do not drift; others are passed as they are.
 */
export function fpsRational(fps: number): string {
  if (!(fps > 0) || !Number.isFinite(fps)) return '25';
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(fps - (ntsc * 1000) / 1001) < 1e-3 && Math.abs(fps - Math.round(fps)) > 1e-3)
    return `${ntsc * 1000}/1001`;
  if (Number.isInteger(fps)) return String(fps);
  return String(Math.round(fps * 1000) / 1000);
}

/** Input arguments for raw frames of `pixFmt` on stdin. */
export function rawInputArgs(
  width: number,
  height: number,
  fps: number,
  pixFmt: 'rgb24' | 'rgba' | 'yuv420p',
): string[] {
  return [
    '-f',
    'rawvideo',
    '-pix_fmt',
    pixFmt,
    '-s',
    `${width}x${height}`,
    '-r',
    fpsRational(fps),
    '-i',
    'pipe:0',
  ];
}
