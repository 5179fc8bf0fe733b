import { describe, expect, it } from 'vitest';
import { type ProgressBlock, ProgressParser } from './progress.ts';

describe('ProgressParser', () => {
  it('emits one block per progress= line, across arbitrary chunk boundaries', () => {
    const blocks: ProgressBlock[] = [];
    const parser = new ProgressParser((b) => blocks.push(b));
    const text =
      'frame=12\nfps=24.5\nout_time_us=1200000\nprogress=continue\n' +
      'frame=40\nfps=0.00\nout_time_us=4000000\nprogress=end\n';
    for (let i = 0; i < text.length; i += 7) parser.push(text.slice(i, i + 7));
    expect(blocks).toEqual([
      { frame: 12, fps: 24.5, outTimeUs: 1_200_000, end: false },
      // ffmpeg prints fps=0.00 on very short runs: the last measured speed is kept.
      { frame: 40, fps: 24.5, outTimeUs: 4_000_000, end: true },
    ]);
  });

  it('treats N/A and missing fields as 0', () => {
    const blocks: ProgressBlock[] = [];
    const parser = new ProgressParser((b) => blocks.push(b));
    parser.push('frame=3\nout_time_us=N/A\r\nprogress=continue\r\n');
    expect(blocks).toEqual([{ frame: 3, fps: 0, outTimeUs: 0, end: false }]);
  });
});
