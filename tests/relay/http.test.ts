import { mkdirSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawClient } from './helpers/clients';
import { startTestRelay, tempDir, type TestRelay } from './helpers/in-process';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** node:http rather than fetch, because these tests set Origin and Host headers fetch would not let through. */
function http(url: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function expectErrorShape(r: Reply, status: number, code: string): void {
  expect(r.status).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(r.body) as Record<string, unknown>;
  expect(body.error_code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(Object.keys(body).every((k) => ['error_code', 'message', 'details'].includes(k))).toBe(true);
}

describe('relay HTTP surface', () => {
  let relay: TestRelay;
  let strict: TestRelay;
  const app = tempDir('cairn-app-');

  beforeAll(async () => {
    const files: Record<string, string> = {
      'index.html': '<h1>home</h1>',
      'run.html': '<h1>run</h1>',
      'models/index.html': '<h1>models</h1>',
      '404.html': '<h1>missing</h1>',
      'sw.js': 'self.x=1',
      '_next/static/chunks/app-abc123.js': 'console.log(1)',
      'sdk/cairn.mjs': 'export {}',
      'ort/model.wasm': 'wasm',
      'robots.txt': 'User-agent: *',
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(app.path, rel, '..'), { recursive: true });
      writeFileSync(join(app.path, rel), text);
    }
    relay = await startTestRelay({ appDir: app.path });
    strict = await startTestRelay({ allowOrigins: ['https://app.example'] });
  });
  afterAll(async () => {
    await relay.dispose();
    await strict.dispose();
    app.remove();
  });

  it('[RELAY-42] an app URL of a few hundred KB (a view with 5,000 selected runs) is served; past 512 KiB, 431', async () => {
    const sel = Array.from({ length: 5_000 }, (_, i) => `sel=${i.toString(16).padStart(32, '0')}`).join('&');
    const res = await fetch(`${relay.url}/?id=1&${sel}`);
    expect(sel.length).toBeGreaterThan(180_000);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<h1>home</h1>');
    const huge = await fetch(`${relay.url}/?id=1&x=${'a'.repeat(600 * 1024)}`).catch((e: unknown) => e);
    expect(huge instanceof Response ? huge.status : 431).toBe(431);
  });

  it('[RELAY-21] GET /healthz reports status and version', async () => {
    const r = await http(`${relay.url}/healthz`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: 'ok', version: '0.1.0' });
  });

  it('[RELAY-18] unknown routes and methods share the one JSON error shape', async () => {
    expectErrorShape(await http(`${strict.url}/nope`), 404, 'ENDPOINT_NOT_FOUND');
    expectErrorShape(await http(`${strict.url}/blobs/${'a'.repeat(64)}`, { method: 'DELETE' }), 404, 'ENDPOINT_NOT_FOUND');
    expectErrorShape(await http(`${strict.url}/docs/bad%ZZroom`), 400, 'INVALID_PARAMETER_VALUE');
    expectErrorShape(await http(`${strict.url}/docs/ws`, { method: 'POST' }), 404, 'ENDPOINT_NOT_FOUND');
  });

  it('[RELAY-19] by default loopback and same origins pass preflight, other origins are refused', async () => {
    const pre = (origin: string) =>
      http(`${relay.url}/blobs/${'a'.repeat(64)}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization' },
      });
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:9999', 'https://[::1]:8443', relay.url]) {
      const ok = await pre(origin);
      expect(ok.status, origin).toBe(204);
      expect(ok.headers['access-control-allow-origin'], origin).toBe(origin);
      expect(ok.headers['access-control-allow-methods'], origin).toContain('PUT');
      expect(ok.headers['access-control-allow-headers'], origin).toContain('authorization');
    }
    const evil = await pre('https://evil.example');
    expectErrorShape(evil, 403, 'PERMISSION_DENIED');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const get = await http(`${relay.url}/healthz`, { headers: { origin: 'http://localhost:3000' } });
    expect(get.headers['access-control-allow-origin']).toBe('http://localhost:3000');
  });

  it('[RELAY-19] an explicit allow-list replaces the defaults; "*" allows any', async () => {
    const listed = await http(`${strict.url}/healthz`, { headers: { origin: 'https://app.example' } });
    expect(listed.headers['access-control-allow-origin']).toBe('https://app.example');
    expectErrorShape(await http(`${strict.url}/healthz`, { headers: { origin: 'http://localhost:3000' } }), 403, 'PERMISSION_DENIED');
    const any = await startTestRelay({ allowOrigins: ['*'] });
    try {
      const r = await http(`${any.url}/healthz`, { headers: { origin: 'https://anything.example' } });
      expect(r.headers['access-control-allow-origin']).toBe('https://anything.example');
    } finally {
      await any.dispose();
    }
  });

  it('[RELAY-19] a WebSocket upgrade from a refused origin gets HTTP 403 before any upgrade', async () => {
    const refused = rawClient(relay.url, 'ws-origin', { headers: { origin: 'https://evil.example' } });
    expect(await refused.refused).toBe(403);
    const allowed = rawClient(relay.url, 'ws-origin', { headers: { origin: 'http://localhost:5173' } });
    try {
      await allowed.opened;
    } finally {
      allowed.ws.close();
    }
    const listed = rawClient(strict.url, 'ws-origin', { headers: { origin: 'https://app.example' } });
    try {
      await listed.opened;
    } finally {
      listed.ws.close();
    }
  });

  it('[RELAY-19] a loopback relay refuses foreign Host headers (DNS rebinding)', async () => {
    const port = new URL(relay.url).port;
    const rebound = await http(`${relay.url}/healthz`, { headers: { host: `evil.example:${port}`, origin: `http://evil.example:${port}` } });
    expectErrorShape(rebound, 403, 'PERMISSION_DENIED');
    const ws = rawClient(relay.url, 'ws-host', { headers: { host: `evil.example:${port}` } });
    expect(await ws.refused).toBe(403);
    expect((await http(`${relay.url}/healthz`, { headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('[RELAY-20] the static app: index, x → x.html, dir → index.html, 404.html, MIME types and caching', async () => {
    const home = await http(`${relay.url}/`);
    expect(home.status).toBe(200);
    expect(home.body).toBe('<h1>home</h1>');
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(home.headers['cache-control']).toBe('no-cache');
    expect((await http(`${relay.url}/run?id=abc`)).body).toBe('<h1>run</h1>');
    expect((await http(`${relay.url}/models/`)).body).toBe('<h1>models</h1>');
    expect((await http(`${relay.url}/models`)).body).toBe('<h1>models</h1>');
    const missing = await http(`${relay.url}/no/such/page`);
    expect(missing.status).toBe(404);
    expect(missing.body).toBe('<h1>missing</h1>');
    const sw = await http(`${relay.url}/sw.js`);
    expect(sw.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(sw.headers['cache-control']).toBe('no-cache');
    const chunk = await http(`${relay.url}/_next/static/chunks/app-abc123.js`);
    expect(chunk.headers['cache-control']).toContain('immutable');
    expect((await http(`${relay.url}/sdk/cairn.mjs`)).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await http(`${relay.url}/ort/model.wasm`)).headers['content-type']).toBe('application/wasm');
    expect((await http(`${relay.url}/robots.txt`)).headers['content-type']).toBe('text/plain; charset=utf-8');
    expect((await http(`${relay.url}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
  });

  it('[RELAY-20] /cairn-config.json points the served app at this relay, as reached', async () => {
    const port = new URL(relay.url).port;
    const r = await http(`${relay.url}/cairn-config.json`, { headers: { host: `localhost:${port}` } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ relay: `http://localhost:${port}`, workspace: 'default' });
    expectErrorShape(await http(`${strict.url}/cairn-config.json`), 404, 'ENDPOINT_NOT_FOUND');
  });
});
