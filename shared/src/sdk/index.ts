/**
 * `@roto/shared/sdk`: a typed client for Roto servers, for browsers and Node.
 *
 * - `RotoClient`: one participant in a session over Socket.IO (commands with retries and
 *   dedupe ids, facts in `seq` order across reconnects, connection state).
 * - `RotoApi`: the REST side (create a session from a file, an image or a URL; session details;
 *   frame URLs; exports: start, list, cancel, file URLs).
 * - `decodeMask`: the RM mask bytes of `mask:updated` facts and acks as a pixel array.
 * - `parseShareLink`: a share link as `{ serverUrl, sessionId, token }` for `RotoClient.connect`.
 *
 * Node-only helpers (reading an upload from a path) are in `@roto/shared/sdk/node`.
 */

export { type ErrorCode, isRotoError, RotoError } from '../contract/errors.ts';
export { type DecodedMask, decodeMask, encodeMask, maskArea, maskBBox } from '../masks/binary-rle.ts';
export { type CommandInput, type FetchedMasks, RotoClient } from './client.ts';
export type { Unsubscribe } from './emitter.ts';
export { listenForExportNotices } from './exports.ts';
export type { JoinKind } from './fact-sequencer.ts';
export { DURABLE_FACT_TYPES, VOLATILE_FACT_SCHEMAS } from './facts.ts';
export { type RateLimits, SERVER_DEFAULT_RATE_LIMITS } from './pacer.ts';
export {
  type CreateSessionOptions,
  type ExportCallOptions,
  type ExportReadOptions,
  RotoApi,
  type RotoApiOptions,
  SESSIONS_API_PATH,
  type SessionSource,
} from './rest.ts';
export type { AccessEnded } from './session-notices.ts';
export { type ParsedShareLink, parseShareLink } from './share-link.ts';
export type {
  ConnectionState,
  ConnectOptions,
  FactListeners,
  JoinedInfo,
  RotoClientEvents,
} from './types.ts';
