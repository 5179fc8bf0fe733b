import { describe, expect, it } from 'vitest';
import { MediaError } from './errors.ts';
import { sniffMedia } from './sniff.ts';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

function refusal(input: Uint8Array): MediaError {
  try {
    sniffMedia(input);
  } catch (err) {
    expect(err).toBeInstanceOf(MediaError);
    return err as MediaError;
  }
  throw new Error('expected sniffMedia to refuse the bytes');
}

describe('sniffMedia', () => {
  it.each([
    ['mp4 (isom)', bytes([0, 0, 0, 0x20], 'ftypisom', [0, 0, 2, 0]), 'video', 'mp4'],
    ['mp4 (mp42)', bytes([0, 0, 0, 0x18], 'ftypmp42'), 'video', 'mp4'],
    ['mov (qt brand)', bytes([0, 0, 0, 0x14], 'ftypqt  '), 'video', 'mov'],
    ['mov (no ftyp)', bytes([0, 0, 0, 8], 'wide', [0, 0, 0, 8], 'mdat'), 'video', 'mov'],
    [
      'webm',
      bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], 'webm'),
      'video',
      'webm',
    ],
    ['mkv', bytes([0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x82, 0x88], 'matroska'), 'video', 'mkv'],
    ['avi', bytes('RIFF', [0x10, 0, 0, 0], 'AVI LIST'), 'video', 'avi'],
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0]), 'image', 'jpeg'],
    ['png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image', 'png'],
    ['webp', bytes('RIFF', [0x10, 0, 0, 0], 'WEBPVP8 '), 'image', 'webp'],
    ['gif', bytes('GIF89a', [1, 0, 1, 0]), 'image', 'gif'],
  ])('recognises %s', (_name, input, kind, container) => {
    expect(sniffMedia(input)).toMatchObject({ kind, container });
  });

  it.each([
    ['a PDF', bytes('%PDF-1.7\n%\u00e2\u00e3\n'), 'This is a PDF document'],
    ['a ZIP', bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0]), 'ZIP archive'],
    ['an HTML page', bytes('<!DOCTYPE html>\n<html><body>hi</body></html>'), 'looks like text/HTML'],
    ['plain text', bytes('just some words\n'), 'looks like text'],
    ['JSON', bytes('{"video": "nope"}'), 'text (JSON)'],
    ['an HLS playlist', bytes('#EXTM3U\n#EXTINF:2,\nseg.ts\n'), 'HLS playlist'],
    ['an SVG', bytes('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'), 'SVG drawing'],
    ['a HEIC photo', bytes([0, 0, 0, 0x18], 'ftypheic'), 'HEIC image'],
    ['an M4A', bytes([0, 0, 0, 0x18], 'ftypM4A '), 'M4A audio'],
    ['a WAV', bytes('RIFF', [0x10, 0, 0, 0], 'WAVEfmt '), 'WAV audio'],
    ['an MP3', bytes('ID3', [4, 0, 0, 0, 0, 0, 0]), 'MP3 audio'],
    ['an ELF binary', bytes([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), 'ELF executable'],
  ])('names %s when refusing it', (_name, input, phrase) => {
    const err = refusal(input);
    expect(err.code).toBe('UNSUPPORTED_MEDIA');
    expect(err.message).toContain(phrase);
  });

  it('shows the first bytes of unrecognised binary data', () => {
    const err = refusal(bytes([0x00, 0x13, 0x37, 0x00, 0xfe, 0xed]));
    expect(err.message).toContain('00 13 37 00 fe ed');
  });

  it('calls an empty file empty', () => {
    expect(refusal(new Uint8Array(0))).toMatchObject({ code: 'INVALID_INPUT', reason: 'EMPTY_FILE' });
  });

  it('treats UTF-8 text cut mid-character as text', () => {
    const text = Buffer.from('vidéo '.repeat(300));
    expect(refusal(text.subarray(0, 1024 - 1)).message).toContain('looks like text');
  });
});
