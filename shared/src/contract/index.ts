/**
 * The contract between Roto's server and its clients: protocol version, error codes, the ack
 * result shape, and the payload schemas. Types are inferred from the zod schemas; nothing
 * re-declares a payload by hand. The realtime event map (`events.ts`) builds on these files.
 */
export * from './binary-pack.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './exports.ts';
export * from './ingest.ts';
export * from './media.ts';
export * from './prompts.ts';
export * from './protocol.ts';
export * from './rest.ts';
export * from './result.ts';
