import { describe, expect, it } from 'vitest';
import { MediaError } from '../src/media/errors.ts';
import { describeMediaTools, getMediaTools, resolveMediaTools } from '../src/media/tools.ts';

describe('media tools', () => {
  it('finds a working ffmpeg with the encoders exports need, and an ffprobe', async () => {
    const tools = await getMediaTools();
    expect(tools.ffmpeg.path).toMatch(/ffmpeg$/);
    expect(tools.ffmpeg.version).not.toBe('');
    expect(tools.ffmpeg.encoders).toEqual({ libx264: true, libvpxVp9: true });
    expect(tools.ffmpeg.decodableVideoCodecs.has('h264')).toBe(true);
    expect(tools.ffprobe.path).toMatch(/ffprobe$/);
    expect(describeMediaTools(tools)).toContain(tools.ffmpeg.version);
    // Cached: the same promise's value on the next call.
    expect(await getMediaTools()).toBe(tools);
  });

  it('prefers the bundled @ffmpeg-installer build over PATH when nothing is configured', async () => {
    const tools = await resolveMediaTools({ PATH: process.env.PATH });
    expect(['ffmpeg-static', '@ffmpeg-installer/ffmpeg']).toContain(tools.ffmpeg.source);
    expect(tools.ffprobe.source).toBe('@ffprobe-installer/ffprobe');
  });

  it('uses FFMPEG_PATH / FFPROBE_PATH when set', async () => {
    const bundled = await resolveMediaTools({ PATH: process.env.PATH });
    const tools = await resolveMediaTools({
      FFMPEG_PATH: bundled.ffmpeg.path,
      FFPROBE_PATH: bundled.ffprobe.path,
    });
    expect(tools.ffmpeg).toMatchObject({ source: 'FFMPEG_PATH', path: bundled.ffmpeg.path });
    expect(tools.ffprobe).toMatchObject({ source: 'FFPROBE_PATH', path: bundled.ffprobe.path });
  });

  it('fails clearly, naming what was tried, when the configured binary does not exist', async () => {
    const err = await resolveMediaTools({ PATH: '', FFMPEG_PATH: '/nowhere/ffmpeg' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).message).toContain('No working ffmpeg found');
    expect((err as MediaError).message).toContain('FFMPEG_PATH (/nowhere/ffmpeg)');
  });

  it('refuses a configured binary that is not ffmpeg', async () => {
    const err = await resolveMediaTools({ FFMPEG_PATH: '/bin/true' }).catch((e: unknown) => e);
    expect((err as MediaError).message).toMatch(/FFMPEG_PATH \(\/bin\/true\): -version did not print/);
  });
});
