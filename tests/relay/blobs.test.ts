import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRelayDatabase, type SqliteDb } from '../../server/relay/database';
import { TokenStore } from '../../server/relay/token-store';
import { startTestRelay, type TestRelay } from './helpers/in-process';

const MAX_BLOB_BYTES = 64 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** PUT with a chunked body (no Content-Length), so the cap must be enforced while streaming. */
function putChunked(url: string, body: Uint8Array, token: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 8192) req.write(body.subarray(i, i + 8192));
    req.end();
  });
}

describe('relay blob store', () => {
  let relay: TestRelay;
  let db: SqliteDb;
  let write: string;
  let read: string;
  const blobDir = () => join(relay.dataDir, 'blobs');
  const tmpFiles = () => (existsSync(join(blobDir(), 'tmp')) ? readdirSync(join(blobDir(), 'tmp')) : []);

  beforeAll(async () => {
    relay = await startTestRelay({ auth: 'tokens', maxBlobBytes: MAX_BLOB_BYTES });
    db = openRelayDatabase(relay.dataDir);
    const tokens = new TokenStore(db);
    write = tokens.create('ws-one', 'write').token;
    // Blobs are shared across workspaces: a read token of another workspace may still GET.
    read = tokens.create('ws-two', 'read').token;
  });
  afterAll(async () => {
    db.close();
    await relay.dispose();
  });

  it('[RELAY-17] PUT stores under blobs/<aa>/<sha256>; GET and HEAD stream it back with length and etag', async () => {
    const body = new TextEncoder().encode('weights '.repeat(1000));
    const h = sha(body);
    const put = await fetch(`${relay.url}/blobs/${h}`, { method: 'PUT', body, headers: { authorization: `Bearer ${write}` } });
    expect(put.status).toBe(201);
    expect(await put.json()).toEqual({ sha256: h, size: body.length, created: true });
    expect(readFileSync(join(blobDir(), h.slice(0, 2), h))).toEqual(Buffer.from(body));

    const again = await fetch(`${relay.url}/blobs/${h}`, { method: 'PUT', body, headers: { authorization: `Bearer ${write}` } });
    expect(again.status).toBe(200);

    const get = await fetch(`${relay.url}/blobs/${h}?token=${read}`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-length')).toBe(String(body.length));
    expect(get.headers.get('etag')).toBe(`"${h}"`);
    expect(new Uint8Array(await get.arrayBuffer())).toEqual(body);

    const head = await fetch(`${relay.url}/blobs/${h}`, { method: 'HEAD', headers: { authorization: `Bearer ${read}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(body.length));

    const cached = await fetch(`${relay.url}/blobs/${h}?token=${read}`, { headers: { 'if-none-match': `"${h}"` } });
    expect(cached.status).toBe(304);
  });

  it('[RELAY-17] a body whose hash differs from the url is refused with 400 and nothing is kept', async () => {
    const body = new TextEncoder().encode('not what you said');
    const claimed = sha(new TextEncoder().encode('something else'));
    const put = await fetch(`${relay.url}/blobs/${claimed}`, { method: 'PUT', body, headers: { authorization: `Bearer ${write}` } });
    expect(put.status).toBe(400);
    expect(await put.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', details: { expected: claimed, actual: sha(body) } });
    expect(existsSync(join(blobDir(), claimed.slice(0, 2), claimed))).toBe(false);
    expect(tmpFiles()).toEqual([]);
    const get = await fetch(`${relay.url}/blobs/${claimed}?token=${read}`);
    expect(get.status).toBe(404);
    expect(await get.json()).toMatchObject({ error_code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('[RELAY-17] over the cap is 413, by Content-Length up front or while streaming', async () => {
    const body = new Uint8Array(MAX_BLOB_BYTES + 1).fill(7);
    const h = sha(body);
    const declared = await fetch(`${relay.url}/blobs/${h}`, { method: 'PUT', body, headers: { authorization: `Bearer ${write}` } });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error_code: 'REQUEST_LIMIT_EXCEEDED' });

    const streamed = await putChunked(`${relay.url}/blobs/${h}`, body, write);
    expect(streamed.status).toBe(413);
    expect(streamed.json.error_code).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(existsSync(join(blobDir(), h.slice(0, 2), h))).toBe(false);
    expect(tmpFiles()).toEqual([]);

    const atCap = new Uint8Array(MAX_BLOB_BYTES).fill(7);
    const ok = await putChunked(`${relay.url}/blobs/${sha(atCap)}`, atCap, write);
    expect(ok.status).toBe(201);
  });

  it('[RELAY-17] writing needs a write token; reading needs any valid token; bad hashes are 400', async () => {
    const body = new TextEncoder().encode('x');
    const h = sha(body);
    const denied = await fetch(`${relay.url}/blobs/${h}`, { method: 'PUT', body, headers: { authorization: `Bearer ${read}` } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error_code: 'PERMISSION_DENIED' });
    const anon = await fetch(`${relay.url}/blobs/${h}`);
    expect(anon.status).toBe(401);
    const bad = await fetch(`${relay.url}/blobs/NOT-A-HASH?token=${read}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
  });
});
