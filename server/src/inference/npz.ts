/**
 * A minimal zip reader for NumPy `.npz` files (stored or deflated members, zip64 sizes in the
 * central directory), enough to load the SAM2 host constants without a dependency.
 */
import { inflateRawSync } from 'node:zlib';
import { type NpyArray, parseNpy } from './npy.ts';

/** Thrown for a malformed or unsupported zip. */
export class ZipError extends Error {
  override name = 'ZipError';
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;

/** Lists the members of a zip held in memory and returns their uncompressed bytes. */
export function readZip(bytes: Uint8Array, what = 'zip'): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError(`${what}: not a zip file (no end of central directory)`);
  const entries = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const out = new Map<string, Uint8Array>();
  for (let n = 0; n < entries; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CEN_SIG) {
      throw new ZipError(`${what}: corrupt central directory`);
    }
    const method = view.getUint16(p + 10, true);
    let compSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localOffset = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // Zip64: values saturated at 0xffffffff live in extra field 0x0001, in this order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const next = () => {
          const v = Number(view.getBigUint64(q, true));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compSize === 0xffffffff) compSize = next();
        if (localOffset === 0xffffffff) localOffset = next();
      }
      e += 4 + len;
    }
    if (view.getUint32(localOffset, true) !== LOC_SIG)
      throw new ZipError(`${what}: corrupt local header of ${name}`);
    const dataStart =
      localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    const raw = bytes.subarray(dataStart, dataStart + compSize);
    if (raw.length !== compSize) throw new ZipError(`${what}: ${name} is truncated`);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) data = new Uint8Array(inflateRawSync(raw));
    else throw new ZipError(`${what}: ${name} uses compression method ${method} (stored or deflate only)`);
    if (data.length !== size)
      throw new ZipError(`${what}: ${name} has ${data.length} bytes, expected ${size}`);
    out.set(name, data);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Reads every array of an `.npz` (keys without the `.npy` suffix). */
export function readNpz(bytes: Uint8Array, what = 'npz'): Map<string, NpyArray> {
  const arrays = new Map<string, NpyArray>();
  for (const [name, data] of readZip(bytes, what)) {
    if (!name.endsWith('.npy')) continue;
    const key = name.slice(0, -4);
    arrays.set(key, parseNpy(data, `${what}:${key}`));
  }
  return arrays;
}
