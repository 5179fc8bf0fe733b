import { describe, expect, it } from 'vitest';
import { MediaInfoSchema, TrackedObjectSchema } from './media.ts';

const video = {
  kind: 'video',
  width: 1280,
  height: 720,
  fps: 29.97,
  frameCount: 300,
  durationSec: 10.01,
  hasAudio: true,
};
const image = {
  kind: 'image',
  width: 640,
  height: 480,
  fps: 0,
  frameCount: 1,
  durationSec: 0,
  hasAudio: false,
};

describe('media metadata', () => {
  it('accepts a video and an image', () => {
    expect(MediaInfoSchema.parse(video)).toEqual(video);
    expect(MediaInfoSchema.parse(image)).toEqual(image);
  });

  it('rejects impossible metadata', () => {
    const problems = (v: unknown) => MediaInfoSchema.safeParse(v).error?.issues.map((i) => i.message);
    expect(problems({ ...video, fps: 0 })).toEqual(['a video must have fps > 0']);
    expect(problems({ ...image, frameCount: 2 })).toEqual(['an image has exactly one frame']);
    expect(MediaInfoSchema.safeParse({ ...video, width: 0 }).success).toBe(false);
    expect(MediaInfoSchema.safeParse({ ...video, kind: 'audio' }).success).toBe(false);
  });
});

describe('objects', () => {
  it('accepts an object and stores its colour in lower case, its name trimmed', () => {
    expect(TrackedObjectSchema.parse({ id: 1, name: '  Dog ', color: '#FFaa00' })).toEqual({
      id: 1,
      name: 'Dog',
      color: '#ffaa00',
    });
  });

  it('rejects a bad id, an empty name and a malformed colour', () => {
    const problems = (v: unknown) => TrackedObjectSchema.safeParse(v).error?.issues.map((i) => i.message);
    expect(TrackedObjectSchema.safeParse({ id: 0, name: 'a', color: '#000000' }).success).toBe(false);
    expect(TrackedObjectSchema.safeParse({ id: 1.5, name: 'a', color: '#000000' }).success).toBe(false);
    expect(problems({ id: 1, name: '  ', color: '#000000' })).toEqual(['name must not be empty']);
    expect(problems({ id: 1, name: 'a', color: 'red' })).toEqual(['color must be #rrggbb (six hex digits)']);
    expect(problems({ id: 1, name: 'a', color: '#fff' })).toEqual(['color must be #rrggbb (six hex digits)']);
  });
});
