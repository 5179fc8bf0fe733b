import { z } from 'zod';
import { RotoError } from './errors.ts';

/**
 * The version of the realtime + REST protocol this package describes. Bump it on any change an
 * older peer would misread (a renamed event, a changed payload or mask format); adding an optional
 * field does not need a bump.
 */
export const PROTOCOL_VERSION = 1;

/**
 * The oldest client protocol version the server still accepts. Equal to PROTOCOL_VERSION until a
 * release keeps compatibility with an older one.
 */
export const MIN_PROTOCOL_VERSION = 1;

/** A protocol version as sent in the connection handshake. */
export const ProtocolVersionSchema = z.number().int().positive();

/** Why a peer's protocol version was refused (the `details` of a PROTOCOL_MISMATCH error). */
export interface ProtocolMismatchDetails {
  /** What the peer sent (`null` when it sent nothing usable). */
  received: number | null;
  /** The versions this side accepts, inclusive. */
  supported: { min: number; max: number };
}

/** True when a peer speaking `version` can talk to this side. */
export function isProtocolCompatible(
  version: unknown,
  supported: { min: number; max: number } = { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION },
): version is number {
  const parsed = ProtocolVersionSchema.safeParse(version);
  return parsed.success && parsed.data >= supported.min && parsed.data <= supported.max;
}

/**
 * Checks the version a peer announced on connect and throws PROTOCOL_MISMATCH telling the user
 * which side must be updated. Called once, at the handshake, before any other message.
 */
export function assertProtocolCompatible(
  version: unknown,
  supported: { min: number; max: number } = { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION },
): asserts version is number {
  if (isProtocolCompatible(version, supported)) return;
  const parsed = ProtocolVersionSchema.safeParse(version);
  const received = parsed.success ? parsed.data : null;
  const details: ProtocolMismatchDetails = { received, supported: { ...supported } };
  const range = supported.min === supported.max ? `${supported.max}` : `${supported.min}–${supported.max}`;
  let message: string;
  if (received === null) {
    message = `No valid protocol version was sent; this server speaks protocol ${range}`;
  } else if (received < supported.min) {
    message = `Client protocol ${received} is too old; this server speaks protocol ${range}. Update the client`;
  } else {
    message = `Client protocol ${received} is newer than this server's (${range}). Update the server`;
  }
  throw new RotoError('PROTOCOL_MISMATCH', message, details);
}
