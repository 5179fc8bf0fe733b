/**
 * Client-generated ids (command ids, client ids). `crypto.randomUUID` exists in Node ≥ 19 and in
 * browsers, but browsers only offer it in secure contexts (https or localhost); a page served
 * over plain http on a LAN still needs ids, so this falls back to `getRandomValues`.
 */

/** A random RFC 4122 version-4 UUID. */
export function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  if (typeof c?.getRandomValues === 'function') c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
