import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pipeToResponse } from './http-response';

/** Next's hashed build assets never change under the same name. */
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** HTML and the service worker must be revalidated, or a deploy would never reach returning visitors. */
const REVALIDATE_CACHE = 'no-cache';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.avif': 'image/avif',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.xml': 'application/xml',
  '.csv': 'text/csv; charset=utf-8',
};

/**
 * Serves the statically exported app (Next `output: 'export'`): `/a/` → `a/index.html`, `/a` → `a.html`, otherwise
 * `404.html` with status 404. Returns false when nothing (not even a 404 page) could be served.
 */
export class StaticApp {
  private readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
  }

  async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return false;
    }
    if (rel.includes('\0')) return false;
    for (const candidate of candidates(rel)) {
      const file = this.inside(candidate);
      if (file && (await isFile(file))) {
        await sendFile(req, res, file, 200, rel);
        return true;
      }
    }
    const notFound = this.inside('404.html');
    if (notFound && (await isFile(notFound))) {
      await sendFile(req, res, notFound, 404, '/404.html');
      return true;
    }
    return false;
  }

  /** Resolves a relative path under the root, or null if it would escape it (`..`, absolute segments). */
  private inside(rel: string): string | null {
    const full = resolve(join(this.root, rel));
    return full === this.root || full.startsWith(this.root + sep) ? full : null;
  }
}

function candidates(rel: string): string[] {
  if (rel.endsWith('/')) return [join(rel, 'index.html')];
  return [rel, `${rel}.html`, join(rel, 'index.html')];
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, status: number, urlPath: string): Promise<void> {
  const s = await stat(file);
  const type = MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
  let cache = 'public, max-age=0, must-revalidate';
  if (urlPath.startsWith('/_next/static/')) cache = IMMUTABLE_CACHE;
  if (type.startsWith('text/html') || urlPath === '/sw.js' || urlPath.endsWith('/sw.js')) cache = REVALIDATE_CACHE;
  res.writeHead(status, {
    'content-type': type,
    'content-length': s.size,
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeToResponse(createReadStream(file), res);
}
