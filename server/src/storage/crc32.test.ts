import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable } from './crc32.ts';

describe('crc32', () => {
  it('matches the standard check value', () => {
    const check = Buffer.from('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Portable(check)).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('the portable fallback agrees with zlib on random data', () => {
    for (const size of [1, 7, 64, 1000, 65_537]) {
      const data = randomBytes(size);
      expect(crc32Portable(data)).toBe(crc32(data));
    }
  });
});
