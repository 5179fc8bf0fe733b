import { spawn } from 'node:child_process';

/** Options for {@link runProcess}. */
export interface RunOptions {
  /** Kill the process (SIGKILL) after this many milliseconds. */
  timeoutMs?: number;
  /** Kill the process (SIGKILL) when this signal aborts. */
  signal?: AbortSignal;
  /** Called with each stdout chunk as it arrives (e.g. ffmpeg's `-progress pipe:1`). */
  onStdout?: (chunk: string) => void;
  /** Keep at most this many characters of each stream (the tail of stderr is the useful part). */
  maxCaptureChars?: number;
}

/** How a child process ended. */
export interface RunResult {
  exitCode: number | null;
  killedBy: NodeJS.Signals | null;
  stdout: string;
  /** The last `maxCaptureChars` characters of stderr. */
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

const DEFAULT_CAPTURE = 1 << 20;

/**
 * Runs a binary without a shell (arguments are passed as-is, never interpreted) and collects its
 * output. Resolves when the process has exited and its pipes are closed, so that a caller who
 * removes files after a kill knows nothing is still writing them. Rejects only when the binary
 * cannot be started at all (e.g. ENOENT).
 */
export function runProcess(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const cap = options.maxCaptureChars ?? DEFAULT_CAPTURE;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    let spawnFailed = false;

    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            kill();
          }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      options.onStdout?.(chunk);
      if (stdout.length < cap) stdout += chunk.slice(0, cap - stdout.length);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > cap) stderr = stderr.slice(-cap);
    });

    const cleanup = () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err) => {
      spawnFailed = true;
      cleanup();
      reject(err);
    });
    child.on('close', (exitCode, killedBy) => {
      cleanup();
      if (spawnFailed) return;
      resolve({ exitCode, killedBy, stdout, stderr, timedOut, aborted });
    });
  });
}

/**
 * The most telling line of an ffmpeg/ffprobe stderr: the last non-empty one, without the
 * `[demuxer @ 0x…]` prefix and with the input path replaced by "the file" (paths are server-side
 * details the user should not see).
 */
export function lastErrorLine(stderr: string, inputPath?: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^Last message repeated/.test(l));
  let line = lines.at(-1) ?? '';
  line = line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '');
  if (inputPath) line = line.split(inputPath).join('the file');
  return line.slice(0, 300);
}
