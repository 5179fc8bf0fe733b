/**
 * An LRU of image-encoder outputs keyed by (video id, frame), bounded in bytes.
 *
 * `getOrCompute` stores the *promise*, so two requests racing for the same frame encode it once.
 * A pending entry counts as 0 bytes and is never evicted; a failed computation is dropped so the
 * next request retries.
 */

/** Anything the cache holds must say how many bytes it pins. */
export interface Sized {
  readonly bytes: number;
}

interface Entry<V> {
  promise: Promise<V>;
  bytes: number;
  settled: boolean;
}

/**
 * Default budget: 1 GiB, about 40 SAM2 frames (fpn_0 8 MiB, fpn_1 4 MiB, fpn_2 4 MiB,
 * vision_pos_enc_2 4 MiB, plus 4 MiB for fpn_2 + no_mem_embed once a frame is prompted: 24 MiB).
 */
export const DEFAULT_CACHE_BYTES = 1024 ** 3;

/** Cache key of a video frame. */
export function frameKey(videoId: string, frame: number): string {
  return `${videoId}\u0000${frame}`;
}

/** A byte-bounded LRU of promises. */
export class EmbeddingCache<V extends Sized> {
  // A Map iterates in insertion order: re-inserting on access makes the first key the LRU one.
  private readonly entries = new Map<string, Entry<V>>();
  private total = 0;

  constructor(readonly maxBytes: number = DEFAULT_CACHE_BYTES) {}

  /** Bytes held by settled entries. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Returns the cached value (marking it recently used) or computes and caches it. */
  getOrCompute(key: string, compute: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.promise;
    }
    const entry: Entry<V> = { promise: Promise.resolve(undefined as unknown as V), bytes: 0, settled: false };
    entry.promise = compute().then(
      (value) => {
        // The entry may have been deleted meanwhile (video closed): then do not account for it.
        if (this.entries.get(key) === entry) {
          entry.settled = true;
          entry.bytes = value.bytes;
          this.total += value.bytes;
          this.evict();
        }
        return value;
      },
      (err: unknown) => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw err;
      },
    );
    this.entries.set(key, entry);
    return entry.promise;
  }

  /** Drops one key. */
  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.total -= e.bytes;
  }

  /** Drops every key starting with `prefix` (e.g. all frames of a video). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  private evict(): void {
    if (this.total <= this.maxBytes) return;
    for (const [key, e] of this.entries) {
      if (this.total <= this.maxBytes) break;
      if (!e.settled) continue;
      this.entries.delete(key);
      this.total -= e.bytes;
    }
  }
}
