/**
 * `@roto/shared`: the contract (schemas, error codes, protocol version) and the mask codecs.
 * `@roto/shared/masks` exposes the codecs alone for code that needs nothing else.
 */
export * from './contract/index.ts';
export * from './masks/index.ts';
