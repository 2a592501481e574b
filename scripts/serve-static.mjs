#!/usr/bin/env node
// A tiny static file server standing in for "any static host" (GitHub Pages, S3, nginx): no config endpoint, no
// relay, just files. Used by the hosted-deployment e2e tests; handy to try the exported app by hand too.
//
//   node scripts/serve-static.mjs <dir> [port]      (port 0 picks a free one; default 8000)
//
// Binds 127.0.0.1. Prints "Serving <dir> at http://127.0.0.1:<port>/" once listening.
// Rules: `/a/` → `a/index.html`; `/a` → file `a`, else `a.html`, else a directory `a/` (301 to `/a/`, like nginx);
// anything else → `404.html` with status 404 (plain text if there is none). GET and HEAD only.
// `sw.js` and HTML are served with `cache-control: no-cache` so a new deploy reaches returning visitors.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

const [dirArg, portArg = '8000'] = process.argv.slice(2);
if (!dirArg || !/^\d+$/.test(portArg)) {
  process.stderr.write('usage: node scripts/serve-static.mjs <dir> [port]\n');
  process.exit(2);
}
const root = resolve(dirArg);
try {
  if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
} catch (err) {
  process.stderr.write(`serve-static: ${root}: ${err.message}\n`);
  process.exit(1);
}

/** Absolute path of `rel` under the root, or null if it would escape it. */
function inside(rel) {
  const full = resolve(join(root, rel));
  return full === root || full.startsWith(root + sep) ? full : null;
}

async function kind(file) {
  if (!file) return null;
  try {
    const s = await stat(file);
    return s.isFile() ? { type: 'file', size: s.size } : s.isDirectory() ? { type: 'dir' } : null;
  } catch {
    return null;
  }
}

function cacheControl(file) {
  const name = file.slice(file.lastIndexOf(sep) + 1);
  if (name === 'sw.js' || extname(name) === '.html') return 'no-cache';
  if (file.includes(`${sep}_next${sep}static${sep}`)) return 'public, max-age=31536000, immutable';
  return 'public, max-age=0, must-revalidate';
}

function sendFile(req, res, file, size, status) {
  res.writeHead(status, {
    'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': cacheControl(file),
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    return res.end('method not allowed\n');
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    pathname = null;
  }
  if (pathname !== null && !pathname.includes('\0')) {
    if (pathname.endsWith('/')) {
      const index = inside(join(pathname, 'index.html'));
      const k = await kind(index);
      if (k?.type === 'file') return sendFile(req, res, index, k.size, 200);
    } else {
      const file = inside(pathname);
      const k = await kind(file);
      if (k?.type === 'file') return sendFile(req, res, file, k.size, 200);
      const html = inside(`${pathname}.html`);
      const kh = await kind(html);
      if (kh?.type === 'file') return sendFile(req, res, html, kh.size, 200);
      if (k?.type === 'dir' && (await kind(join(file, 'index.html')))?.type === 'file') {
        const search = new URL(req.url ?? '/', 'http://localhost').search;
        res.writeHead(301, { location: `${encodeURI(pathname)}/${search}`, 'content-length': 0 });
        return res.end();
      }
    }
  }
  const notFound = inside('404.html');
  const k = await kind(notFound);
  if (k?.type === 'file') return sendFile(req, res, notFound, k.size, 404);
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found\n');
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    process.stderr.write(`serve-static: ${req.url}: ${err.message}\n`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end();
  });
});
server.on('error', (err) => {
  process.stderr.write(`serve-static: ${err.message}\n`);
  process.exit(1);
});
server.listen(Number(portArg), '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`Serving ${root} at http://127.0.0.1:${port}/\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
