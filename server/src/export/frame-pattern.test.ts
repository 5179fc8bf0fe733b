import { describe, expect, it } from 'vitest';
import { jpegSequencePattern } from './frame-pattern.ts';
import type { ExportSource } from './types.ts';

function source(framePath: (i: number) => string, frameCount = 10): ExportSource {
  return {
    width: 4,
    height: 4,
    fps: 25,
    frameCount,
    hasAudio: false,
    framePath,
    objects: [],
    masks: () => new Map(),
  };
}

describe('jpegSequencePattern', () => {
  it('turns a session frames folder into an image2 pattern', () => {
    expect(jpegSequencePattern(source((i) => `/s/frames/${String(i).padStart(5, '0')}.jpg`))).toBe(
      'file:/s/frames/%05d.jpg',
    );
  });

  it('doubles a percent sign in the folder name', () => {
    expect(jpegSequencePattern(source((i) => `/s/100%/${String(i).padStart(3, '0')}.jpeg`))).toBe(
      'file:/s/100%%/%03d.jpeg',
    );
  });

  it('refuses names that are not one zero-based numbered sequence', () => {
    expect(jpegSequencePattern(source((i) => `/s/frame-${i}.jpg`))).toBeUndefined();
    expect(jpegSequencePattern(source((i) => `/s/${String(i + 1).padStart(5, '0')}.jpg`))).toBeUndefined();
    expect(jpegSequencePattern(source((i) => `/s/${String(i).padStart(5, '0')}.png`))).toBeUndefined();
    expect(jpegSequencePattern(source((i) => `/s/${String(i).padStart(2, '0')}.jpg`, 200))).toBeUndefined();
  });
});
