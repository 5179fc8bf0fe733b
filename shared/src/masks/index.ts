/**
 * Mask codecs shared by the server, the browser client and the SDK. Pure TypeScript over
 * Uint8Array (no Buffer), so the same code runs in Node and in browsers.
 */
export * from './binary-rle.ts';
export * from './coco-rle.ts';
export * from './errors.ts';
export * from './iou.ts';
