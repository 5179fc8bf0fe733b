import { describe, expect, it } from 'vitest';
import { RotoError } from './errors.ts';
import { assertProtocolCompatible, isProtocolCompatible, PROTOCOL_VERSION } from './protocol.ts';

function mismatch(version: unknown, supported?: { min: number; max: number }): RotoError {
  try {
    assertProtocolCompatible(version, supported);
  } catch (err) {
    if (err instanceof RotoError) return err;
  }
  throw new Error('expected a PROTOCOL_MISMATCH error');
}

describe('protocol version check', () => {
  it('accepts the current version', () => {
    expect(PROTOCOL_VERSION).toBe(1);
    expect(isProtocolCompatible(PROTOCOL_VERSION)).toBe(true);
    expect(() => assertProtocolCompatible(PROTOCOL_VERSION)).not.toThrow();
  });

  it('tells an old client to update itself', () => {
    const err = mismatch(1, { min: 2, max: 3 });
    expect(err.code).toBe('PROTOCOL_MISMATCH');
    expect(err.message).toBe(
      'Client protocol 1 is too old; this server speaks protocol 2–3. Update the client',
    );
    expect(err.details).toEqual({ received: 1, supported: { min: 2, max: 3 } });
  });

  it('tells a newer client that the server needs updating', () => {
    expect(mismatch(2).message).toBe("Client protocol 2 is newer than this server's (1). Update the server");
  });

  it('refuses a missing or malformed version', () => {
    for (const v of [undefined, '1', 1.5, 0, -1, null]) {
      expect(isProtocolCompatible(v)).toBe(false);
      expect(mismatch(v).message).toBe('No valid protocol version was sent; this server speaks protocol 1');
    }
  });
});
