import { frameUrl } from '../../api/sessions.ts';
import { authHeaders, sessionToken } from '../../api/tokens.ts';

/**
 * Decoded frame images of one session, most recently used kept (frames are immutable JPEGs with a
 * year of HTTP caching, so a miss here is a cheap decode, not a download).
 */
export class FrameCache {
  private readonly images = new Map<number, Promise<ImageBitmap>>();
  private readonly ready = new Map<number, ImageBitmap>();

  constructor(
    private readonly sessionId: string,
    private readonly capacity = 120,
  ) {}

  /** The decoded frame if it is here already. */
  get(n: number): ImageBitmap | undefined {
    return this.ready.get(n);
  }

  /** Loads frame `n` (once; concurrent callers share the load). */
  load(n: number): Promise<ImageBitmap> {
    let p = this.images.get(n);
    if (p) {
      // Refresh its place in the LRU order.
      this.images.delete(n);
      this.images.set(n, p);
      return p;
    }
    p = fetch(frameUrl(this.sessionId, n), { headers: authHeaders(sessionToken(this.sessionId)) })
      .then((res) => {
        if (!res.ok) throw new Error(`frame ${n}: the server answered ${res.status}`);
        return res.blob();
      })
      .then((blob) => createImageBitmap(blob))
      .then((bmp) => {
        this.ready.set(n, bmp);
        return bmp;
      });
    p.catch(() => this.images.delete(n));
    this.images.set(n, p);
    while (this.images.size > this.capacity) {
      const oldest = this.images.keys().next().value as number;
      this.images.delete(oldest);
      this.ready.get(oldest)?.close();
      this.ready.delete(oldest);
    }
    return p;
  }

  /** Starts loading the frames after `n` (playback and scrubbing stay ahead of the decoder). */
  prefetch(n: number, ahead: number, frameCount: number): void {
    for (let i = 1; i <= ahead && n + i < frameCount; i++) void this.load(n + i).catch(() => undefined);
  }
}
