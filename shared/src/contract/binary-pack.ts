import { z } from 'zod';

/**
 * Binary fields gathered into one attachment. Socket.IO's parser drops the connection of a peer
 * that receives a message with more than 10 binary attachments, so a message that carries many
 * masks (catch-up facts, `masks:fetch`) sends them packed: the JSON with every byte array replaced
 * by `{ $bin: [offset, length] }`, and one `bin` holding the bytes. The op log stores records the
 * same way.
 */
export interface Packed {
  json: unknown;
  bin?: Uint8Array;
}

/** A packed value on the wire (`bin` arrives as a Buffer in Node, an ArrayBuffer in browsers). */
export const PackedSchema = z.object({
  json: z.unknown(),
  bin: z
    .custom<Uint8Array | ArrayBuffer>((v) => v instanceof Uint8Array || v instanceof ArrayBuffer, {
      error: 'bin must be binary',
    })
    .transform((b): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(b)))
    .optional(),
});

interface BinRef {
  $bin: [number, number];
}

function isBinRef(v: unknown): v is BinRef {
  return (
    typeof v === 'object' && v !== null && Array.isArray((v as BinRef).$bin) && Object.keys(v).length === 1
  );
}

/** Replaces every Uint8Array inside `value` by a reference into one attachment; drops undefined fields. */
export function packBinary(value: unknown): Packed {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const walk = (v: unknown): unknown => {
    if (v instanceof Uint8Array) {
      const ref: BinRef = { $bin: [offset, v.byteLength] };
      parts.push(v);
      offset += v.byteLength;
      return ref;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x);
      return out;
    }
    return v;
  };
  const json = walk(value);
  if (parts.length === 0) return { json };
  const bin = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    bin.set(p, at);
    at += p.byteLength;
  }
  return { json, bin };
}

/** The inverse of `packBinary`: references become (copied) Uint8Arrays again. */
export function unpackBinary(packed: Packed): unknown {
  const bin = packed.bin;
  const walk = (v: unknown): unknown => {
    if (isBinRef(v)) {
      const [start, length] = v.$bin;
      if (!bin || start < 0 || start + length > bin.byteLength)
        throw new Error('packed value references bytes it does not carry');
      return bin.slice(start, start + length);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(packed.json);
}
