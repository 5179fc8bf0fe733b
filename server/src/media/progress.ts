/** One block of ffmpeg's `-progress` output (the lines up to `progress=continue|end`). */
export interface ProgressBlock {
  /** Frames written so far. */
  frame: number;
  /** Encoding speed in frames per second (0 when ffmpeg has not measured it yet). */
  fps: number;
  /** Output time in microseconds (0 when unknown). */
  outTimeUs: number;
  end: boolean;
}

/**
 * Incremental parser for `ffmpeg -progress pipe:1`: feed it stdout chunks (which split lines
 * anywhere) and it calls back once per completed block.
 */
export class ProgressParser {
  private buffer = '';
  private fields = new Map<string, string>();
  /** The fps of the last block (ffmpeg reports 0 at the very end of short runs, so it is kept if so). */
  lastFps = 0;

  constructor(private readonly onBlock: (block: ProgressBlock) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      this.line(line);
      nl = this.buffer.indexOf('\n');
    }
  }

  private line(line: string): void {
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key !== 'progress') {
      this.fields.set(key, value);
      return;
    }
    const num = (k: string) => {
      const n = Number(this.fields.get(k));
      return Number.isFinite(n) && n > 0 ? n : 0;
    };
    const fps = num('fps');
    if (fps > 0) this.lastFps = fps;
    this.onBlock({
      frame: num('frame'),
      fps: this.lastFps,
      outTimeUs: num('out_time_us'),
      end: value === 'end',
    });
    this.fields.clear();
  }
}
