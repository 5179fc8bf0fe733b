import { randomBytes } from 'node:crypto';
import { readFile, rename, stat } from 'node:fs/promises';
import {
  INGEST_RECORD_TYPES,
  type IngestedRecord,
  type IngestPhase,
  type IngestProgress,
  type MediaSource,
  RotoError,
  type SessionCreated,
} from '@roto/shared';
import { decodeFrames } from '../media/decode.ts';
import { probeVideo, type VideoInfo } from '../media/probe.ts';
import { sniffFile } from '../media/sniff.ts';
import { buildThumbnailStrip } from '../media/thumbnails.ts';
import type { MediaTools } from '../media/tools.ts';
import type { Logger } from '../observability/logger.ts';
import type { SessionStore } from '../storage/session-store.ts';
import { type DownloadOptions, downloadToFile } from './download.ts';
import { IngestEvents } from './events.ts';
import { ingestImageSession } from './image-session.ts';
import { Limiter } from './limiter.ts';
import { videoMediaInfo } from './media-info.ts';
import { recordFailure, recordReady } from './outcomes.ts';
import { BLOBS, type SessionMeta, sessionNotFound, writeMeta } from './session-meta.ts';
import { TempFiles } from './temp-files.ts';
import { throttled } from './throttle.ts';

/** What the ingest service is built from. */
export interface IngestServiceOptions {
  store: SessionStore;
  /** Where uploads and downloads are received (`ingestTempDir(DATA_DIR)`); same file system as the store. */
  tempDir: string;
  /** MAX_UPLOAD_MB in bytes: uploads and URL downloads. */
  maxUploadBytes: number;
  /** MAX_FRAME_SIDE: the longer side of decoded frames. */
  maxFrameSide: number;
  /** Largest image file accepted (base64 or upload); default min(maxUploadBytes, 64 MiB). */
  maxImageBytes?: number;
  /** URL_INGEST_PRIVATE. */
  urlIngestPrivate?: boolean;
  /** Download timeouts and redirect limit for `{ url }` sessions. */
  download?: Pick<DownloadOptions, 'headersTimeoutMs' | 'idleTimeoutMs' | 'totalTimeoutMs' | 'maxRedirects'>;
  /** Videos decoded at once; default 1 (ffmpeg already uses every core). */
  concurrency?: number;
  events?: IngestEvents;
  logger: Logger;
  tools?: MediaTools;
}

/** A background decode in progress. */
interface RunningJob {
  controller: AbortController;
  progress: Omit<IngestProgress, 'sessionId'>;
  /** Set by `remove`: the session is going away, so the job writes nothing more. */
  removed: boolean;
  done: Promise<void>;
}

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const noop = () => {};

/**
 * Makes sessions from media. Probing happens before a session exists (a file that is not a
 * usable video never becomes a session); decoding runs in the background, one job per session,
 * publishing progress on `events`. A job that fails removes what it wrote, appends
 * `ingest:failed` and leaves the session marked failed with the reason.
 */
export class IngestService {
  readonly events: IngestEvents;
  readonly temp: TempFiles;
  readonly maxUploadBytes: number;
  readonly maxImageBytes: number;
  private readonly jobs = new Map<string, RunningJob>();
  private readonly limiter: Limiter;
  private closing = false;

  constructor(private readonly options: IngestServiceOptions) {
    this.events = options.events ?? new IngestEvents();
    this.temp = new TempFiles(options.tempDir);
    this.limiter = new Limiter(options.concurrency ?? 1);
    this.maxUploadBytes = options.maxUploadBytes;
    this.maxImageBytes = options.maxImageBytes ?? Math.min(options.maxUploadBytes, 64 * 1024 * 1024);
  }

  /** A new random session id (16 characters, 80 bits). */
  newSessionId(): string {
    return Array.from(randomBytes(16), (b) => ID_ALPHABET[b % 32]).join('');
  }

  /** The latest progress of a session being decoded, or undefined when none is running. */
  progressOf(sessionId: string): Omit<IngestProgress, 'sessionId'> | undefined {
    return this.jobs.get(sessionId)?.progress;
  }

  /** Resolves once the session's background job (if any) has finished, failed or been cancelled. */
  async settled(sessionId: string): Promise<void> {
    await this.jobs.get(sessionId)?.done;
  }

  /** Publishes progress (and remembers it for `GET /sessions/:id`). */
  reportProgress(sessionId: string, phase: IngestPhase, done: number, total: number, fps?: number): void {
    const progress = { phase, done, total, ...(fps !== undefined ? { fps } : {}) };
    const job = this.jobs.get(sessionId);
    if (job) job.progress = progress;
    this.events.emit('progressed', { sessionId, ...progress });
  }

  /**
   * Makes a session from a received file (an upload or a download), taking ownership of it: the
   * file is moved into the session or removed. A video is probed, then decoded in the background
   * (`status: 'ingesting'`); an image becomes a one-frame session at once (`'ready'`).
   */
  async ingestFile(sessionId: string, path: string, source: MediaSource): Promise<SessionCreated> {
    try {
      const sniffed = await sniffFile(path);
      if (sniffed.kind === 'image') {
        const { size } = await stat(path);
        if (size > this.maxImageBytes) throw this.imageTooLarge(size);
        return await this.ingestImage(sessionId, await readFile(path), source);
      }
      this.reportProgress(sessionId, 'probe', 0, 1);
      const info = await probeVideo(path, this.options.tools ? { tools: this.options.tools } : {});
      this.reportProgress(sessionId, 'probe', 1, 1);
      const media = videoMediaInfo(info);
      const meta: SessionMeta = {
        version: 1,
        createdAt: new Date().toISOString(),
        source,
        container: sniffed.container,
        media,
        status: 'ingesting',
        sourceBlob: `${BLOBS.source}/original.${sniffed.container}`,
      };
      const { store } = this.options;
      await store.create(sessionId);
      try {
        // The source is kept (exports want its audio and full quality); a rename, not a copy.
        const sourcePath = await store.blobs.prepare(sessionId, meta.sourceBlob as string);
        await rename(path, sourcePath);
        await store.append(sessionId, {
          type: INGEST_RECORD_TYPES.created,
          payload: { media, source, container: sniffed.container },
        });
        await writeMeta(store.blobs, sessionId, meta);
        this.startJob(sessionId, meta, sourcePath, info);
      } catch (err) {
        await store.remove(sessionId).catch(noop);
        throw err;
      }
      return { sessionId, media, status: 'ingesting' };
    } finally {
      await this.temp.remove(path);
    }
  }

  /**
   * Makes a one-frame session from image bytes: re-encoded (metadata stripped, pixel limit
   * enforced before decoding, long side capped at MAX_FRAME_SIDE) into `frames/00000.jpg`.
   */
  async ingestImage(sessionId: string, bytes: Uint8Array, source: MediaSource): Promise<SessionCreated> {
    if (bytes.length > this.maxImageBytes) throw this.imageTooLarge(bytes.length);
    const { store } = this.options;
    const media = await ingestImageSession(
      { store, events: this.events, maxFrameSide: this.options.maxFrameSide },
      sessionId,
      bytes,
      source,
    );
    return { sessionId, media, status: 'ready' };
  }

  /** Downloads `url` (size cap, timeouts, redirect limit, content sniffing), then ingests it like an upload. */
  async ingestUrl(sessionId: string, url: string, signal?: AbortSignal): Promise<SessionCreated> {
    const path = await this.temp.newPath(sessionId);
    const progress = throttled((done, total) => this.reportProgress(sessionId, 'upload', done, total));
    await downloadToFile(url, path, {
      maxBytes: this.maxUploadBytes,
      allowPrivate: this.options.urlIngestPrivate ?? false,
      ...this.options.download,
      ...(signal ? { signal } : {}),
      onProgress: progress,
    });
    return this.ingestFile(sessionId, path, { kind: 'url', url });
  }

  /**
   * Deletes a session: cancels its decode (waiting for ffmpeg to stop), then removes everything
   * stored for it and publishes `removed`. NOT_FOUND when it does not exist.
   */
  async remove(sessionId: string): Promise<void> {
    const job = this.jobs.get(sessionId);
    if (job) {
      job.removed = true;
      job.controller.abort(new RotoError('CANCELLED', 'The session was deleted.'));
      await job.done;
    }
    try {
      await this.options.store.remove(sessionId);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'NOT_FOUND') throw sessionNotFound(sessionId);
      throw err;
    }
    this.events.emit('removed', { sessionId, reason: 'deleted' });
  }

  /** True while the session's frames are being decoded. */
  isIngesting(sessionId: string): boolean {
    return this.jobs.has(sessionId);
  }

  /**
   * Stops every running decode and waits for ffmpeg to exit (server shutdown). The sessions stay
   * `ingesting` with their source kept, and `resumeInterrupted` decodes them again on the next start.
   */
  async close(): Promise<void> {
    this.closing = true;
    const running = [...this.jobs.values()];
    for (const job of running)
      job.controller.abort(new RotoError('CANCELLED', 'The server is shutting down.'));
    await Promise.all(running.map((job) => job.done));
  }

  /**
   * Picks up sessions a previous process left `ingesting` (a shutdown or a crash mid-decode): when
   * the kept source is still there and still probes, its decode starts again from scratch;
   * otherwise the session is marked failed, saying why. Returns the ids of both kinds.
   */
  async resumeInterrupted(
    readMetaOf: (id: string) => Promise<SessionMeta | null>,
  ): Promise<{ resumed: string[]; failed: string[] }> {
    const resumed: string[] = [];
    const failed: string[] = [];
    const { store } = this.options;
    for (const { id } of await store.list()) {
      if (this.jobs.has(id) || this.closing) continue;
      const meta = await readMetaOf(id);
      if (meta?.status !== 'ingesting') continue;
      // Whatever the interrupted decode wrote is incomplete.
      await Promise.all([BLOBS.frames, BLOBS.thumbs].map((name) => store.blobs.remove(id, name)));
      try {
        if (!meta.sourceBlob) throw new Error('no source kept');
        const sourcePath = await store.blobs.prepare(id, meta.sourceBlob);
        const info = await probeVideo(sourcePath, this.options.tools ? { tools: this.options.tools } : {});
        this.startJob(id, meta, sourcePath, info);
        resumed.push(id);
      } catch {
        const error = new RotoError(
          'CANCELLED',
          'The server restarted while the video was being decoded and could not resume it; upload it again.',
        );
        await recordFailure(this.outcomeDeps(), id, meta, error);
        failed.push(id);
      }
    }
    return { resumed, failed };
  }

  /** A decode stopped by shutdown: its partial output goes, the source and `ingesting` stay for the restart. */
  private async leaveForRestart(sessionId: string): Promise<void> {
    const { store } = this.options;
    await Promise.all([BLOBS.frames, BLOBS.thumbs].map((name) => store.blobs.remove(sessionId, name)));
    await store.close(sessionId);
  }

  private outcomeDeps() {
    return { store: this.options.store, events: this.events, logger: this.options.logger };
  }

  private imageTooLarge(bytes: number): RotoError {
    return new RotoError(
      'PAYLOAD_TOO_LARGE',
      `The image is ${bytes.toLocaleString('en')} bytes; the limit for images is ${this.maxImageBytes.toLocaleString('en')} bytes.`,
      { bytes, maxBytes: this.maxImageBytes },
    );
  }

  private startJob(sessionId: string, meta: SessionMeta, sourcePath: string, info: VideoInfo): void {
    const controller = new AbortController();
    const job: RunningJob = {
      controller,
      progress: { phase: 'decode', done: 0, total: info.frameCount },
      removed: false,
      done: Promise.resolve(),
    };
    this.jobs.set(sessionId, job);
    job.done = this.limiter
      .run(() => this.decodeVideo(sessionId, sourcePath, info, controller.signal), controller.signal)
      .then(
        (record) => recordReady(this.outcomeDeps(), sessionId, meta, record),
        (err: unknown) => {
          if (job.removed) return undefined;
          if (this.closing) return this.leaveForRestart(sessionId);
          return recordFailure(this.outcomeDeps(), sessionId, meta, err);
        },
      )
      .catch((err: unknown) => this.options.logger.error('ingest bookkeeping failed', { sessionId, err }))
      .finally(() => this.jobs.delete(sessionId));
  }

  private async decodeVideo(
    sessionId: string,
    sourcePath: string,
    info: VideoInfo,
    signal: AbortSignal,
  ): Promise<IngestedRecord> {
    if (this.closing) throw new RotoError('CANCELLED', 'The server is shutting down.');
    const { blobs } = this.options.store;
    const decoded = await decodeFrames(sourcePath, await blobs.prepare(sessionId, BLOBS.frames), {
      info,
      maxLongSide: this.options.maxFrameSide,
      signal,
      ...(this.options.tools ? { tools: this.options.tools } : {}),
      onProgress: (p) => this.reportProgress(sessionId, 'decode', p.framesDone, p.totalFrames, p.fps),
    });
    this.reportProgress(sessionId, 'thumbnails', 0, 1);
    const index = await buildThumbnailStrip(
      decoded.framesDir,
      decoded.frameCount,
      await blobs.prepare(sessionId, BLOBS.thumbs),
    );
    if (signal.aborted) throw signal.reason;
    this.reportProgress(sessionId, 'thumbnails', 1, 1);
    return {
      media: videoMediaInfo(info, decoded.frameCount),
      frames: { dir: BLOBS.frames, count: decoded.frameCount, width: decoded.width, height: decoded.height },
      thumbnails: { ...index, dir: BLOBS.thumbs },
    };
  }
}
