/**
 * A client's exports over REST (`RotoApi`), called with the client's own server URL, session and
 * token; everyone in the session gets the `export:*` events (R23).
 */
import { RotoApi } from './rest.ts';
import type { ConnectOptions } from './types.ts';

/** The export calls of one `RotoClient`; the REST client is made on first use. */
export class SessionExports {
  private restApi: RotoApi | undefined;

  /** `options` is read on every call, as the client's join reads it. */
  constructor(
    private readonly options: Pick<ConnectOptions, 'url' | 'token'>,
    private readonly sessionId: string,
  ) {}

  /** Starts an export of the session, or gets the job that already made it (`reused: true`, R24). */
  start(format: string, options: { objectIds?: number[]; signal?: AbortSignal }) {
    return this.rest().startExport(this.sessionId, format, { ...options, ...this.tokenOption() });
  }

  /** The session's exports, oldest first. */
  list(options: { signal?: AbortSignal }) {
    return this.rest().listExports(this.sessionId, { ...options, ...this.tokenOption() });
  }

  /** Cancels a queued or running export, or removes an ended one and its file. */
  cancel(jobId: string) {
    return this.rest().cancelExport(this.sessionId, jobId, this.tokenOption());
  }

  /** The absolute URL of a finished export's file, with the token in the query when there is one. */
  fileUrl(jobId: string): string {
    return this.rest().exportFileUrl(this.sessionId, jobId, this.options.token);
  }

  private rest(): RotoApi {
    this.restApi ??= new RotoApi(this.options.url);
    return this.restApi;
  }

  private tokenOption(): { token?: string } {
    return this.options.token !== undefined ? { token: this.options.token } : {};
  }
}
