import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.ts';
import { decodeBody, encodeRecord, FRAME_HEADER_BYTES } from './record-codec.ts';

describe('record framing', () => {
  it('decodes what it encodes: any JSON payload, any attachment, checksum over the body', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => Buffer.byteLength(s) <= 255),
        fc.jsonValue(),
        fc.option(fc.uint8Array({ maxLength: 2000 }), { nil: undefined }),
        (seq, type, payload, attachment) => {
          const ts = 1_700_000_000_123.5;
          const frame = encodeRecord(seq, ts, { type, payload, ...(attachment ? { attachment } : {}) });
          const body = frame.subarray(FRAME_HEADER_BYTES);
          expect(frame.readUInt32BE(0)).toBe(body.length);
          expect(frame.readUInt32BE(4)).toBe(crc32(body));
          const record = decodeBody(body);
          expect(record.seq).toBe(seq);
          expect(record.ts).toBe(ts);
          expect(record.type).toBe(type);
          // JSON normalises -0 to 0, as any JSON store would.
          expect(record.payload).toEqual(JSON.parse(JSON.stringify(payload)));
          if (attachment) expect(Buffer.from(record.attachment!).equals(attachment)).toBe(true);
          else expect(record.attachment).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an attachment costs its size, not base64', () => {
    const withMask = encodeRecord(1, 0, {
      type: 'mask:computed',
      payload: {},
      attachment: new Uint8Array(10_000),
    });
    const without = encodeRecord(1, 0, { type: 'mask:computed', payload: {} });
    expect(withMask.length - without.length).toBe(10_000);
  });
});
