import { crc32 } from './crc32.ts';
import { StorageError } from './errors.ts';

/**
 * Binary framing of one log record.
 *
 *   frame = u32 bodyLength | u32 crc32(body) | body            (big-endian)
 *   body  = u8 version | u8 flags | u64 seq | f64 ts | u16 typeLength | type (UTF-8)
 *           | u32 payloadLength | payload (JSON, UTF-8) | attachment (the rest of the body)
 *
 * The payload stays JSON so a log can be read with a hex dump and a JSON parser; a binary
 * attachment (an encoded mask, a thumbnail) rides next to it without base64 inflation.
 */

/** A command as the session layer hands it to the log. */
export interface AppendInput {
  /** What happened, e.g. `prompt:add`; 1–255 bytes of UTF-8. */
  type: string;
  /** Any JSON-serialisable value. */
  payload: unknown;
  /** Optional opaque bytes stored verbatim next to the payload. */
  attachment?: Uint8Array;
}

/** A record as stored: the command plus the sequence number and time the log gave it. */
export interface LogRecord extends AppendInput {
  /** Strictly increasing per session, contiguous (each record is the previous + 1). */
  seq: number;
  /** Milliseconds since the epoch when the record was appended. */
  ts: number;
}

export const FRAME_HEADER_BYTES = 8;
const BODY_VERSION = 1;
const FLAG_ATTACHMENT = 1;
const FIXED_BODY_BYTES = 1 + 1 + 8 + 8 + 2 + 4;
/** The smallest body that can be valid (a one-byte type, `null` payload is 4 bytes). */
export const MIN_BODY_BYTES = FIXED_BODY_BYTES + 1 + 1;

/** Encodes one framed record. Throws INVALID_INPUT for a type or payload that cannot be stored. */
export function encodeRecord(seq: number, ts: number, input: AppendInput): Buffer {
  const type = Buffer.from(input.type, 'utf8');
  if (type.length === 0 || type.length > 255) {
    throw new StorageError('INVALID_INPUT', 'record type must be 1–255 bytes of UTF-8', { type: input.type });
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(input.payload);
  } catch (err) {
    throw new StorageError(
      'INVALID_INPUT',
      'record payload is not JSON-serialisable',
      { type: input.type },
      err,
    );
  }
  if (json === undefined) {
    throw new StorageError('INVALID_INPUT', 'record payload is not JSON-serialisable', { type: input.type });
  }
  const payload = Buffer.from(json, 'utf8');
  const attachment = input.attachment;
  const bodyLength = FIXED_BODY_BYTES + type.length + payload.length + (attachment?.length ?? 0);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength);
  let o = FRAME_HEADER_BYTES;
  o = frame.writeUInt8(BODY_VERSION, o);
  o = frame.writeUInt8(attachment ? FLAG_ATTACHMENT : 0, o);
  o = frame.writeBigUInt64BE(BigInt(seq), o);
  o = frame.writeDoubleBE(ts, o);
  o = frame.writeUInt16BE(type.length, o);
  o += type.copy(frame, o);
  o = frame.writeUInt32BE(payload.length, o);
  o += payload.copy(frame, o);
  if (attachment) frame.set(attachment, o);
  frame.writeUInt32BE(bodyLength, 0);
  frame.writeUInt32BE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

/** Reads the sequence number of a body whose checksum has been verified. */
export function bodySeq(body: Uint8Array): number {
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Number(view.readBigUInt64BE(2));
}

/**
 * Decodes a checksum-verified body. The attachment is copied, so the record does not pin the
 * read buffer. Throws when the body is structurally wrong (a bug or a forged CRC match).
 */
export function decodeBody(body: Uint8Array): LogRecord {
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (b.length < MIN_BODY_BYTES) throw new Error(`record body too short (${b.length} bytes)`);
  const version = b.readUInt8(0);
  if (version !== BODY_VERSION) throw new Error(`unknown record version ${version}`);
  const flags = b.readUInt8(1);
  const seq = Number(b.readBigUInt64BE(2));
  const ts = b.readDoubleBE(10);
  const typeLength = b.readUInt16BE(18);
  let o = 20;
  const type = b.toString('utf8', o, o + typeLength);
  o += typeLength;
  if (o + 4 > b.length) throw new Error('record body truncated before payload');
  const payloadLength = b.readUInt32BE(o);
  o += 4;
  if (o + payloadLength > b.length) throw new Error('record payload runs past the body');
  const payload: unknown = JSON.parse(b.toString('utf8', o, o + payloadLength));
  o += payloadLength;
  const record: LogRecord = { seq, ts, type, payload };
  if (flags & FLAG_ATTACHMENT) record.attachment = new Uint8Array(b.subarray(o));
  else if (o !== b.length) throw new Error('record has trailing bytes but no attachment flag');
  return record;
}
