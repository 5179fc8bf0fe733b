/**
 * A reader for NumPy `.npy` arrays: little-endian float32 / int32 / bool, C order, header
 * versions 1–3. That is what `np.save` writes for the SAM2 host constants and the parity
 * references; anything else is refused with a message naming what was found.
 */

/** A parsed `.npy` array. `data` views the input bytes when alignment allows (no copy). */
export type NpyArray =
  | { dtype: 'float32'; shape: number[]; data: Float32Array }
  | { dtype: 'int32'; shape: number[]; data: Int32Array }
  | { dtype: 'bool'; shape: number[]; data: Uint8Array };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Thrown for a malformed or unsupported `.npy`. */
export class NpyError extends Error {
  override name = 'NpyError';
}

/** Parses one `.npy` file held in memory. `what` names it in error messages. */
export function parseNpy(bytes: Uint8Array, what = 'array'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyError(`${what}: not an .npy file (bad magic)`);
  }
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new NpyError(`${what}: unsupported .npy version ${major}`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new NpyError(`${what}: truncated header`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  );

  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyError(`${what}: malformed header ${JSON.stringify(header.trim())}`);
  }
  if (fortran === 'True') throw new NpyError(`${what}: Fortran-order arrays are not supported`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number.parseInt(s, 10));
  if (shape.some((n) => !Number.isInteger(n) || n < 0))
    throw new NpyError(`${what}: bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);

  const kind = descr === '<f4' ? 'float32' : descr === '<i4' ? 'int32' : descr === '|b1' ? 'bool' : null;
  if (kind === null)
    throw new NpyError(`${what}: unsupported dtype ${descr} (float32 <f4, int32 <i4, bool |b1 only)`);
  const itemSize = kind === 'bool' ? 1 : 4;
  const byteLength = count * itemSize;
  if (dataStart + byteLength > bytes.length) {
    throw new NpyError(`${what}: data truncated (${bytes.length - dataStart} of ${byteLength} bytes)`);
  }
  const body = bytes.subarray(dataStart, dataStart + byteLength);
  if (kind === 'bool') return { dtype: 'bool', shape, data: body };
  // Typed arrays need 4-byte alignment to view the buffer; copy only when it is not aligned.
  // (`new Uint8Array(x)` copies; a Node Buffer's `slice` would not.)
  const aligned = body.byteOffset % 4 === 0 ? body : new Uint8Array(body);
  if (kind === 'float32') {
    return { dtype: 'float32', shape, data: new Float32Array(aligned.buffer, aligned.byteOffset, count) };
  }
  return { dtype: 'int32', shape, data: new Int32Array(aligned.buffer, aligned.byteOffset, count) };
}
