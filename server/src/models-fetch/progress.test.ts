import { describe, expect, it } from 'vitest';
import { createProgress, formatBytes, formatDuration } from './progress.ts';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, out: { isTTY, columns: 120, write: (t: string) => writes.push(t) } };
}

describe('progress', () => {
  it('formats sizes and durations as a person reads them', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.50 kB');
    expect(formatBytes(155_000_000)).toBe('155.0 MB');
    expect(formatBytes(2_400_000_000)).toBe('2.40 GB');
    expect(formatDuration(12.4)).toBe('12s');
    expect(formatDuration(247)).toBe('4:07');
    expect(formatDuration(3 * 3600 + 65)).toBe('3:01:05');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?');
  });

  it('writes one plain line per 10 % with speed and ETA when the output is not a terminal', () => {
    const { writes, out } = sink(false);
    let t = 0;
    const p = createProgress(out, 'enc.onnx', () => t);
    p.start(1_000_000, 0);
    for (let got = 50_000; got <= 1_000_000; got += 50_000) {
      t += 100; // 50 kB per 100 ms = 500 kB/s
      p.update(got);
    }
    p.end();
    expect(writes[0]).toBe('  enc.onnx: downloading (1.00 MB)\n');
    const steps = writes.slice(1);
    expect(steps).toHaveLength(9); // 10 % … 90 %; completion is reported by the caller
    expect(steps[4]).toBe('  enc.onnx: 50%  500.0 kB / 1.00 MB  500.0 kB/s  ETA 1s\n');
  });

  it('redraws a bar in place on a terminal and ends it with a newline', () => {
    const { writes, out } = sink(true);
    let t = 0;
    const p = createProgress(out, 'enc.onnx', () => t);
    p.start(2_000_000, 1_000_000);
    t = 1000;
    p.update(1_500_000);
    p.end();
    expect(writes.every((w) => w === '\n' || w.startsWith('\r\x1b[K'))).toBe(true);
    expect(writes.at(-2)).toContain('75%  1.50 MB / 2.00 MB  500.0 kB/s  ETA 1s');
    expect(writes.at(-2)).toMatch(/\[#+\.+\]/);
    expect(writes.at(-1)).toBe('\n');
  });
});
