import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { applyHeldUpdate } from '../../lib/engine/held-bytes';
import { fetchRoomSnapshot, readBody } from '../../lib/relay-client/snapshot-fetch';

/*
 * lib/relay-client/SPEC.md SNAP-1 (a snapshot's body read into one buffer of its declared length) and lib/engine/SPEC.md
 * ENG-P1 (held bytes applied without Yjs copying their binaries), over Node's own fetch and a real HTTP server.
 */

const body = randomBytes(3 * 1024 * 1024 + 17);
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/exact') {
      // Written in uneven pieces, some after a pause: the reader must gather every one into the one buffer.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      const cuts = [0, 1, 70_000, 70_001, 1_000_000, 2_500_000, body.length];
      let i = 0;
      const next = () => {
        if (i === cuts.length - 1) return void res.end();
        res.write(body.subarray(cuts[i]!, cuts[i + 1]!));
        i++;
        setTimeout(next, i % 2 ? 0 : 5);
      };
      next();
    } else if (req.url === '/gzip') {
      // A proxy that compresses: the declared length is the compressed one, the body read is longer.
      const z = gzipSync(body, { level: 1 });
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': z.length });
      res.end(z);
    } else if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(body.subarray(0, 1000));
      res.end(body.subarray(1000));
    } else if (req.url?.startsWith('/docs/broken')) {
      // Declares the whole body, sends a third of it, and the connection drops.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.write(body.subarray(0, body.length / 3), () => setTimeout(() => res.destroy(), 20));
    } else if (req.url === '/empty') {
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('reading a snapshot body', () => {
  it('[SNAP-1] a declared length is read into one buffer of that length, with no arrayBuffer() copy, every byte in order', async () => {
    const res = await fetch(`${base}/exact`);
    const spy = vi.spyOn(res, 'arrayBuffer');
    const got = await readBody(res);
    expect(spy).not.toHaveBeenCalled();
    expect(got.byteLength).toBe(body.length);
    expect(got.buffer.byteLength).toBe(body.length);
    expect(Buffer.from(got).equals(body)).toBe(true);
  });

  it('[SNAP-1] a body longer than declared (decompressed) comes whole; none declared, or no byte stream, is read by arrayBuffer()', async () => {
    expect(Buffer.from(await readBody(await fetch(`${base}/gzip`))).equals(body)).toBe(true);
    expect(Buffer.from(await readBody(await fetch(`${base}/chunked`))).equals(body)).toBe(true);
    expect((await readBody(await fetch(`${base}/empty`))).byteLength).toBe(0);
    // A body that is a plain (not a byte) stream: no BYOB reader, so arrayBuffer() reads it.
    const plain = new Response(
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new Uint8Array([1, 2, 3]));
          c.close();
        },
      }),
      { headers: { 'content-length': '3' } },
    );
    const spy = vi.spyOn(plain, 'arrayBuffer');
    expect([...(await readBody(plain))]).toEqual([1, 2, 3]);
    expect(spy).toHaveBeenCalledOnce();
  });

  it('[SNAP-1] a body that breaks off is TEMPORARILY_UNAVAILABLE, as a relay not reached', async () => {
    await expect(fetchRoomSnapshot((u, i) => fetch(u, i), base, 'broken', null)).rejects.toMatchObject({
      code: 'TEMPORARILY_UNAVAILABLE',
      message: expect.stringContaining('broke off while reading room broken'),
    });
  });

  it('[SNAP-1] a body shorter than declared is cut to what came', async () => {
    const res = new Response(new Uint8Array([9, 8, 7, 6]), { headers: { 'content-length': '10' } });
    expect([...(await readBody(res))]).toEqual([9, 8, 7, 6]);
  });
});

describe('applying held bytes', () => {
  function docWithBinaries(): Uint8Array {
    const d = new Y.Doc();
    const arr = d.getArray<Uint8Array>('chunks');
    arr.push([new Uint8Array(50_000).fill(1), new Uint8Array(70_000).fill(2)]);
    d.getMap('meta').set('k', 'v');
    arr.push([new Uint8Array([3, 4, 5])]);
    return Y.encodeStateAsUpdate(d);
  }

  it('[ENG-P1] the doc reads as Y.applyUpdate makes it, and its binaries are views of the update, not copies', () => {
    const update = docWithBinaries();
    const copied = new Y.Doc();
    Y.applyUpdate(copied, update);
    const held = new Y.Doc();
    let origin: unknown = null;
    held.on('update', (_u: Uint8Array, o: unknown) => (origin = o));
    applyHeldUpdate(held, update, 'fetch');
    expect(origin).toBe('fetch');
    expect(held.getMap('meta').get('k')).toBe('v');
    const a = copied.getArray<Uint8Array>('chunks').toArray();
    const b = held.getArray<Uint8Array>('chunks').toArray();
    expect(b.map((x) => [...x.subarray(0, 3), x.length])).toEqual(a.map((x) => [...x.subarray(0, 3), x.length]));
    for (const x of b) expect(x.buffer).toBe(update.buffer);
    for (const x of a) expect(x.buffer).not.toBe(update.buffer);
    expect(Y.encodeStateAsUpdate(held)).toEqual(Y.encodeStateAsUpdate(copied));
  });

  it('[ENG-P1] an update that waits for a missing one is integrated when that one comes, as with Y.applyUpdate', () => {
    const src = new Y.Doc();
    const first = Y.encodeStateAsUpdate(src);
    src.getArray<Uint8Array>('chunks').push([new Uint8Array([1, 1])]);
    const sv1 = Y.encodeStateVector(src);
    const second = Y.encodeStateAsUpdate(src);
    src.getArray<Uint8Array>('chunks').push([new Uint8Array([2, 2])]);
    const third = Y.encodeStateAsUpdate(src, sv1);
    const d = new Y.Doc();
    applyHeldUpdate(d, first);
    applyHeldUpdate(d, third); // depends on `second`: pending
    expect(d.getArray('chunks').length).toBe(0);
    applyHeldUpdate(d, second);
    expect(d.getArray<Uint8Array>('chunks').toArray().map((x) => [...x])).toEqual([[1, 1], [2, 2]]);
  });
});
