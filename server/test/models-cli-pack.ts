/**
 * Builds throw-away model packs for the models CLI tests: a temp models folder with
 * `sam2-image` manifests whose URLs point at the local test file server.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/** One file of a test pack and what its manifest entry says. */
export interface TestFile {
  file: string;
  body: Buffer;
  /** Omit for a file that must already be on disk. */
  url?: string;
  sha256?: string;
  bytes?: number;
  licence?: string;
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Deterministic-size random content (different every run; tests compare bytes, not values). */
export const content = (n: number): Buffer => randomBytes(n);

export function tempModelsDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'roto-models-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const entry = (f: TestFile) => ({
  file: f.file,
  ...(f.url ? { url: f.url } : {}),
  ...(f.sha256 ? { sha256: f.sha256 } : {}),
  ...(f.bytes !== undefined ? { bytes: f.bytes } : {}),
  licence: f.licence ?? 'Apache-2.0',
});

/**
 * Writes `<modelsDir>/<name>/manifest.json` for a single-image pack: `encoder` and `decoder`
 * become the two modules, `extra` the extra files.
 */
export function writePack(
  modelsDir: string,
  name: string,
  files: { encoder: TestFile; decoder: TestFile; extra?: TestFile[] },
): string {
  const dir = join(modelsDir, name);
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name,
    title: `Test pack ${name}`,
    family: 'sam2.1',
    size: 'test',
    kind: 'sam2-image',
    format: 'samexporter',
    licence: 'Apache-2.0',
    modules: {
      imageEncoder: {
        ...entry(files.encoder),
        inputs: { image: 'image' },
        outputs: { highRes0: 'high_res_feats_0', highRes1: 'high_res_feats_1', imageEmbed: 'image_embed' },
      },
      maskDecoder: {
        ...entry(files.decoder),
        inputs: {
          imageEmbed: 'image_embed',
          highRes0: 'high_res_feats_0',
          highRes1: 'high_res_feats_1',
          pointCoords: 'point_coords',
          pointLabels: 'point_labels',
          maskInput: 'mask_input',
          hasMaskInput: 'has_mask_input',
        },
        outputs: { masks: 'masks', iouPredictions: 'iou_predictions' },
      },
    },
    ...(files.extra ? { extraFiles: files.extra.map(entry) } : {}),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Collects what the CLI writes, as a user would read it. */
export function capture(isTTY = false): { write(t: string): boolean; isTTY: boolean; text(): string } {
  let buf = '';
  return {
    isTTY,
    write(t: string) {
      buf += t;
      return true;
    },
    text: () => buf,
  };
}

/**
 * A zip archive (as published by samexporter) holding `entries`, deflated; entries named with a
 * folder (`a/b.onnx`) are stored under that folder. Written here so the tests need no zip tool.
 */
export function makeZip(entries: { name: string; body: Buffer; store?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = e.store ? e.body : deflateRawSync(e.body);
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.body) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.store ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(e.body.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.store ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(e.body.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
