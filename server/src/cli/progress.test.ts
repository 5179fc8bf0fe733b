import { describe, expect, it } from 'vitest';
import { countUnits, createBar } from './progress.ts';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, out: { isTTY, columns: 120, write: (t: string) => writes.push(t) } };
}

describe('progress bar over counted frames', () => {
  it('on a log: the total first, then one line per 10 % with the rate and ETA', () => {
    const { writes, out } = sink(false);
    let t = 0;
    const bar = createBar(out, 'propagate', countUnits('frames', 'fps'), () => t);
    bar.start(20);
    for (let done = 1; done <= 20; done++) {
      t += 250; // 4 frames per second
      bar.update(done);
    }
    bar.end();
    expect(writes[0]).toBe('  propagate: 20 frames\n');
    expect(writes).toHaveLength(10); // the start line and 10 % … 90 %
    expect(writes[5]).toBe('  propagate: 50%  10 / 20  4.0 fps  ETA 3s\n');
  });

  it('on a terminal: one line redrawn in place, finished with a newline', () => {
    const { writes, out } = sink(true);
    let t = 0;
    const bar = createBar(out, 'export', countUnits('frames', 'fps'), () => t);
    bar.start(48);
    t = 2000;
    bar.update(36);
    bar.end();
    expect(writes.every((w) => w === '\n' || w.startsWith('\r\x1b[K'))).toBe(true);
    expect(writes.at(-2)).toMatch(/export {2}\[#+\.+\] {2}75% {2}36 \/ 48 {2}18 fps {2}ETA 1s$/);
    expect(writes.at(-1)).toBe('\n');
  });
});
