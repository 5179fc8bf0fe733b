import { open } from 'node:fs/promises';
import { MediaError } from './errors.ts';

/** Containers Roto accepts, named as users know them. */
export type VideoContainer = 'mp4' | 'mov' | 'webm' | 'mkv' | 'avi';
export type ImageContainer = 'jpeg' | 'png' | 'webp' | 'gif';

/** What the first bytes of a file say it really is (its name and declared type are ignored). */
export type SniffResult =
  | { kind: 'video'; container: VideoContainer; mime: string }
  | { kind: 'image'; container: ImageContainer; mime: string };

/** How many leading bytes {@link sniffMedia} looks at (enough for the EBML DocType and text checks). */
export const SNIFF_BYTES = 4096;

const MIME: Record<VideoContainer | ImageContainer, string> = {
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  avi: 'video/x-msvideo',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

const video = (container: VideoContainer): SniffResult => ({
  kind: 'video',
  container,
  mime: MIME[container],
});
const image = (container: ImageContainer): SniffResult => ({
  kind: 'image',
  container,
  mime: MIME[container],
});

function ascii(b: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < Math.min(b.length, start + length); i++) s += String.fromCharCode(b[i] ?? 0);
  return s;
}

function startsWith(b: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (b.length < at + bytes.length) return false;
  return bytes.every((v, i) => b[at + i] === v);
}

/** ISO-BMFF brands that are still images or audio, not video. */
const FTYP_NOT_VIDEO: Record<string, string> = {
  heic: 'a HEIC image',
  heix: 'a HEIC image',
  hevc: 'a HEIC image sequence',
  mif1: 'a HEIF image',
  msf1: 'a HEIF image sequence',
  avif: 'an AVIF image',
  avis: 'an AVIF image sequence',
  'M4A ': 'an M4A audio file',
  'M4B ': 'an M4B audiobook',
  'M4P ': 'a protected M4P audio file',
  crx: 'a Canon raw photo',
};

/** Top-level QuickTime atoms that may open a `.mov` written without an `ftyp` box. */
const QT_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/** The Matroska DocType ("webm" or "matroska") from the EBML header, if it is in view. */
function ebmlDocType(b: Uint8Array): string | undefined {
  for (let i = 4; i + 3 < Math.min(b.length, 64); i++) {
    if (b[i] === 0x42 && b[i + 1] === 0x82) {
      const size = (b[i + 2] ?? 0) & 0x7f; // one-byte EBML size (0x80 | n) is what every muxer writes here
      return ascii(b, i + 3, size);
    }
  }
  return undefined;
}

/** True if the bytes decode as UTF-8 text with no control characters other than whitespace. */
function looksLikeText(b: Uint8Array): boolean {
  const view = b.subarray(0, 1024);
  for (const byte of view) {
    const whitespace = byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d;
    if ((byte < 0x20 && !whitespace) || byte === 0x7f) return false;
  }
  try {
    // `stream: true`: a multi-byte character cut at the window's end is not evidence of binary data.
    new TextDecoder('utf-8', { fatal: true }).decode(view, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function refuse(what: string, hint?: string, verb: 'is' | 'looks like' = 'is'): never {
  throw new MediaError(
    'UNSUPPORTED_MEDIA',
    'UNRECOGNISED_TYPE',
    `This ${verb} ${what}, not a video or an image Roto can open${hint ? `; ${hint}` : ''}. Supported: MP4, MOV, WebM, MKV, AVI videos and JPEG, PNG, WebP, GIF images.`,
    { detected: what },
  );
}

/** Names what the bytes look like when they are not a supported type. Always throws. */
function describeUnsupported(b: Uint8Array): never {
  const head = ascii(b, 0, 16);
  if (head.startsWith('%PDF-')) refuse('a PDF document');
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) refuse('a ZIP archive (or an Office document)');
  if (startsWith(b, [0x1f, 0x8b])) refuse('a gzip archive');
  if (startsWith(b, [0x7f, 0x45, 0x4c, 0x46])) refuse('a program (ELF executable)');
  if (head.startsWith('RIFF') && ascii(b, 8, 4) === 'WAVE') refuse('a WAV audio file');
  if (head.startsWith('ID3')) refuse('an MP3 audio file');
  if (head.startsWith('OggS')) refuse('an Ogg file (audio or Theora video)', 'convert it to MP4 or WebM');
  if (head.startsWith('fLaC')) refuse('a FLAC audio file');
  if (startsWith(b, [0x00, 0x00, 0x01, 0xba])) refuse('an MPEG program stream', 'convert it to MP4');
  if (head.startsWith('II*\u0000') || head.startsWith('MM\u0000*'))
    refuse('a TIFF image', 'convert it to PNG');
  if (ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    refuse(
      FTYP_NOT_VIDEO[brand] ?? FTYP_NOT_VIDEO[brand.trim()] ?? `an ISO media file with brand "${brand}"`,
    );
  }
  if (looksLikeText(b)) {
    const text = new TextDecoder().decode(b.subarray(0, 512)).trimStart();
    const lower = text.toLowerCase();
    if (text.startsWith('#EXTM3U'))
      refuse('an HLS playlist (a text file that points at other files)', 'upload the video file itself');
    if (lower.startsWith('<svg') || (lower.startsWith('<?xml') && lower.includes('<svg'))) {
      refuse('an SVG drawing (text)', 'export it as PNG', 'looks like');
    }
    if (
      lower.startsWith('<!doctype html') ||
      lower.startsWith('<html') ||
      /<(head|body|div|script)\b/.test(lower)
    ) {
      refuse('text/HTML (a web page)', undefined, 'looks like');
    }
    if (lower.startsWith('<?xml') || lower.startsWith('<')) refuse('text/XML', undefined, 'looks like');
    if (lower.startsWith('{') || lower.startsWith('[')) refuse('text (JSON)', undefined, 'looks like');
    refuse('text', undefined, 'looks like');
  }
  // Weak signatures (two bytes, or a sync pattern) only once the text check has had its say.
  if (head.startsWith('MZ') && b.length >= 64) refuse('a Windows program');
  if (head.startsWith('BM') && b.length >= 26 && [12, 40, 52, 56, 108, 124].includes(b[14] ?? 0)) {
    refuse('a BMP image', 'convert it to PNG');
  }
  if (b[0] === 0x47 && b.length > 188 && b[188] === 0x47)
    refuse('an MPEG transport stream', 'remux it to MP4');
  if (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0) refuse('an MP3 audio file');
  if (startsWith(b, [0x00, 0x00, 0x01, 0x00])) refuse('an ICO icon');
  const hex = Array.from(b.subarray(0, 8), (v) => v.toString(16).padStart(2, '0')).join(' ');
  throw new MediaError(
    'UNSUPPORTED_MEDIA',
    'UNRECOGNISED_TYPE',
    `The file is not a recognised video or image (it starts with bytes ${hex}). Supported: MP4, MOV, WebM, MKV, AVI videos and JPEG, PNG, WebP, GIF images.`,
    { detected: 'unknown', firstBytes: hex },
  );
}

/**
 * Detects a file's real type from its magic bytes. Pass at least the first {@link SNIFF_BYTES}
 * bytes (or the whole file when smaller). Throws `INVALID_INPUT`/`EMPTY_FILE` for no bytes and
 * `UNSUPPORTED_MEDIA`/`UNRECOGNISED_TYPE` with a message saying what the bytes look like
 * ("This is a PDF document", "This is text/HTML (a web page)", …) for anything else.
 */
export function sniffMedia(bytes: Uint8Array): SniffResult {
  const b = bytes;
  if (b.length === 0) throw new MediaError('INVALID_INPUT', 'EMPTY_FILE', 'The file is empty.');
  if (ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (brand === 'qt  ') return video('mov');
    if (FTYP_NOT_VIDEO[brand] === undefined && FTYP_NOT_VIDEO[brand.trim()] === undefined)
      return video('mp4');
    describeUnsupported(b);
  }
  if (QT_ATOMS.has(ascii(b, 4, 4)) && (b[0] ?? 0xff) < 0x80) return video('mov');
  if (startsWith(b, [0x1a, 0x45, 0xdf, 0xa3])) return video(ebmlDocType(b) === 'webm' ? 'webm' : 'mkv');
  if (ascii(b, 0, 4) === 'RIFF') {
    const form = ascii(b, 8, 4);
    if (form === 'AVI ') return video('avi');
    if (form === 'WEBP') return image('webp');
  }
  if (startsWith(b, [0xff, 0xd8, 0xff])) return image('jpeg');
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return image('png');
  const gif = ascii(b, 0, 6);
  if (gif === 'GIF87a' || gif === 'GIF89a') return image('gif');
  return describeUnsupported(b);
}

/** {@link sniffMedia} on the first bytes of a file on disk. */
export async function sniffFile(path: string): Promise<SniffResult> {
  const handle = await open(path, 'r');
  try {
    const buf = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    return sniffMedia(buf.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
