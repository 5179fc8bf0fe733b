/**
 * Mask codec benchmark: size and encode/decode time of the binary "RM" RLE and COCO RLE on
 * 1280×720 masks, against the bare baseline of packing 8 pixels per byte (what a codec-less
 * wire format would send).
 *
 * Run: npx tsx shared/src/masks/codecs.bench.ts
 */
import { decodeMask, encodeMask } from './binary-rle.ts';
import { decodeCocoRle, encodeCocoRle } from './coco-rle.ts';

const W = 1280;
const H = 720;

function ellipse(cx: number, cy: number, rx: number, ry: number, into = new Uint8Array(W * H)): Uint8Array {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) into[y * W + x] = 1;
    }
  }
  return into;
}

/** Deterministic pseudo-random numbers (mulberry32), so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function blobs(): Uint8Array {
  const r = rng(7);
  const m = new Uint8Array(W * H);
  for (let i = 0; i < 12; i++) ellipse(r() * W, r() * H, 20 + r() * 120, 20 + r() * 120, m);
  return m;
}

function ragged(): Uint8Array {
  // A blob with a noisy one-pixel-scale boundary, like a raw model mask before cleanup.
  const r = rng(11);
  const m = ellipse(640, 360, 320, 220);
  for (let i = 0; i < m.length; i++) if (r() < 0.02) m[i] = m[i]! ? 0 : 1;
  return m;
}

function packBits(mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(mask.length / 8));
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

function unpackBits(bits: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bits[i >> 3]! >> (i & 7)) & 1;
  return out;
}

/** Median milliseconds per call over `runs` calls, after a warm-up. */
function time(fn: () => unknown, runs = 30): number {
  for (let i = 0; i < 5; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const masks: [string, Uint8Array][] = [
  ['empty', new Uint8Array(W * H)],
  ['one ellipse', ellipse(640, 360, 300, 200)],
  ['12 blobs', blobs()],
  ['ragged (2% noise)', ragged()],
];

const fmt = (n: number, d = 2) => n.toFixed(d);
console.log(`mask codecs, ${W}×${H}, baseline: 1 bit/pixel packing (${(W * H) / 8} bytes)`);
console.log(
  ['mask', 'codec', 'bytes', 'size/baseline', 'encode ms', 'decode ms', 'enc/baseline', 'dec/baseline'].join(
    '\t',
  ),
);
for (const [name, mask] of masks) {
  const bits = packBits(mask);
  const baseEnc = time(() => packBits(mask));
  const baseDec = time(() => unpackBits(bits, W * H));
  const rm = encodeMask(mask, W, H);
  const coco = encodeCocoRle(mask, W, H);
  const rows: [string, number, number, number][] = [
    ['packed bits', bits.length, baseEnc, baseDec],
    ['RM binary RLE', rm.length, time(() => encodeMask(mask, W, H)), time(() => decodeMask(rm))],
    ['COCO RLE', coco.counts.length, time(() => encodeCocoRle(mask, W, H)), time(() => decodeCocoRle(coco))],
  ];
  for (const [codec, bytes, enc, dec] of rows) {
    console.log(
      [
        name,
        codec,
        bytes,
        fmt(bytes / bits.length, 3),
        fmt(enc),
        fmt(dec),
        fmt(enc / baseEnc),
        fmt(dec / baseDec),
      ].join('\t'),
    );
  }
}
