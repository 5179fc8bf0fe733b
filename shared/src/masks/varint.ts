/**
 * Unsigned LEB128 varints: 7 bits per byte, least significant group first, high bit set on every
 * byte but the last. Arithmetic instead of bit shifts, because JavaScript shifts wrap at 2^32 and
 * run lengths of large masks can reach it.
 */

/** The longest varint accepted: 8 bytes hold 56 bits, beyond any mask a decoder will allocate. */
export const MAX_VARINT_BYTES = 8;

/** Bytes needed to write `value` (a non-negative safe integer). */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    n++;
  }
  return n;
}

/** Writes `value` at `offset` and returns the offset just past it. */
export function writeVarint(out: Uint8Array, offset: number, value: number): number {
  let p = offset;
  while (value >= 0x80) {
    out[p++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  out[p++] = value;
  return p;
}

/**
 * Reads a varint at `offset`: its value and byte length, or `null` when the input ends inside it or
 * it is longer than MAX_VARINT_BYTES.
 */
export function readVarint(bytes: Uint8Array, offset: number): { value: number; length: number } | null {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const b = bytes[offset + i];
    if (b === undefined) return null;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return { value, length: i + 1 };
    scale *= 0x80;
  }
  return null;
}
