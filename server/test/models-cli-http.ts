/**
 * A real HTTP file server for the models CLI tests: serves in-memory files on 127.0.0.1 (port 0),
 * honours `Range: bytes=N-`, and can be told to cut the connection part-way through a file.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RequestRecord {
  path: string;
  range?: string;
  status: number;
}

export interface FileServer {
  baseUrl: string;
  /** Every request, in order. */
  requests: RequestRecord[];
  /** Serve `body` at `path` (e.g. `/packs/enc.onnx`). */
  put(path: string, body: Buffer): void;
  /** The next `times` requests for `path` stop after the file's first `atByte` bytes (socket destroyed). */
  dropAfter(path: string, atByte: number, times?: number): void;
  /** Like `dropAfter`, but the connection stays open and silent (a stalled transfer). */
  stallAfter(path: string, atByte: number): void;
  /** Answer `path` with a 200 that announces `length` bytes, then close (a file too big for the disk). */
  announce(path: string, length: number): void;
  /** Answer `path` with this status (e.g. 403) instead of the file. */
  failWith(path: string, status: number): void;
  close(): Promise<void>;
}

/** Starts the server; remember to `close()` it. */
export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, Buffer>();
  const drops = new Map<string, { atByte: number; times: number; stall?: boolean }>();
  const statuses = new Map<string, number>();
  const announced = new Map<string, number>();
  const requests: RequestRecord[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const range = req.headers.range;
    const record = (status: number) => requests.push({ path, range, status });
    const length = announced.get(path);
    if (length !== undefined) {
      record(200);
      res.writeHead(200, { 'content-length': String(length) });
      res.write(Buffer.alloc(1), () => res.socket?.destroy());
      return;
    }
    const forced = statuses.get(path);
    const body = files.get(path);
    if (forced !== undefined || !body) {
      const status = forced ?? 404;
      record(status);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}\n`);
      return;
    }
    let start = 0;
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m) {
      start = Number(m[1]);
      if (start >= body.length) {
        record(416);
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      record(206);
      res.writeHead(206, {
        'content-length': String(body.length - start),
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'accept-ranges': 'bytes',
      });
    } else {
      record(200);
      res.writeHead(200, { 'content-length': String(body.length), 'accept-ranges': 'bytes' });
    }
    const drop = drops.get(path);
    if (drop && drop.times > 0 && drop.atByte > start) {
      drop.times--;
      // Send the bytes up to the cut, let them reach the client, then kill the connection.
      res.write(body.subarray(start, drop.atByte), () => {
        if (!drop.stall) setTimeout(() => res.socket?.destroy(), 20);
      });
      return;
    }
    res.end(body.subarray(start));
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    put: (path, body) => files.set(path, body),
    dropAfter: (path, atByte, times = 1) => drops.set(path, { atByte, times }),
    stallAfter: (path, atByte) => drops.set(path, { atByte, times: 1, stall: true }),
    failWith: (path, status) => statuses.set(path, status),
    announce: (path, length) => announced.set(path, length),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
