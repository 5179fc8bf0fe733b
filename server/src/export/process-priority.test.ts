import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { EXPORT_NICE, EXPORT_THREADS, lowerPriority, withThreads } from './process-priority.ts';

describe('export process priority', () => {
  it.runIf(process.platform === 'linux')('runs a spawned process at the export nice value', async () => {
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      lowerPriority(child.pid);
      const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8');
      // Fields after "(comm)": state is field 3, nice is field 19.
      const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      expect(nice).toBe(EXPORT_NICE);
    } finally {
      child.kill();
    }
  });

  it('bounds the threads as an output option, just before the output', () => {
    expect(withThreads(['-i', 'pipe:0', '-c:v', 'libx264', 'out.mp4'])).toEqual([
      '-i',
      'pipe:0',
      '-c:v',
      'libx264',
      '-threads',
      String(EXPORT_THREADS),
      'out.mp4',
    ]);
    expect(EXPORT_THREADS).toBeGreaterThanOrEqual(2);
    expect(EXPORT_THREADS).toBeLessThanOrEqual(8);
  });
});
