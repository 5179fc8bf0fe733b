import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Middleware } from 'koa';
import type { AppState } from './context.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticOptions {
  /** The built web app (`client/dist`). */
  root: string;
  /** Path prefixes never answered from files (API, realtime, probes): their 404s stay problems. */
  reserved?: readonly string[];
}

/**
 * Serves the built web app: files under `root` for GET/HEAD, and `index.html` for other page paths
 * (client-side routes such as `/s/abc`) when the browser asks for HTML. Vite's hashed `/assets/`
 * are cached for a year; `index.html` is revalidated every time so a deploy shows at once.
 * Paths escaping `root` and dot-files are never served.
 */
export function staticFiles(options: StaticOptions): Middleware<AppState> {
  const root = resolve(options.root);
  const reserved = options.reserved ?? ['/api/', '/socket.io/', '/healthz', '/readyz', '/metrics'];
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || reserved.some((p) => ctx.path.startsWith(p))) {
      return next();
    }
    let path: string;
    try {
      path = decodeURIComponent(ctx.path);
    } catch {
      return next();
    }
    if (path.includes('\0') || path.split('/').some((part) => part.startsWith('.'))) return next();
    let file = resolve(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (file !== root && !file.startsWith(root + sep)) return next();
    let info = await statFile(file);
    if (!info && !extname(path) && ctx.accepts('html') === 'html') {
      file = join(root, 'index.html');
      info = await statFile(file);
    }
    if (!info) return next();
    const immutable = path.startsWith('/assets/');
    ctx.set('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.lastModified = info.mtime;
    ctx.type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.length = info.size;
    // Koa sends no body for HEAD and destroys the stream when the response ends.
    ctx.body = createReadStream(file);
  };
}

async function statFile(file: string) {
  try {
    const info = await stat(file);
    return info.isFile() ? info : undefined;
  } catch {
    return undefined;
  }
}
