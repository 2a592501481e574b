import { request } from 'node:http';
import WebSocket from 'ws';
import { RoomConnection } from '../../lib/relay-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openRelayDatabase, type SqliteDb } from '../../server/relay/database';
import { TokenStore } from '../../server/relay/token-store';
import { MAX_HEADER_BYTES } from '../../server/relay/relay-server';
import { connectClient, rawClient, waitSynced } from './helpers/clients';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { waitFor } from './helpers/wait';

const WS = 'acme';
const run = (n: number) => `${WS}/run/${n.toString(16).padStart(32, '0')}`;

async function storedMap(url: string, token: string, room = WS): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/docs/${room}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await res.arrayBuffer()));
  return doc.getMap('m').toJSON();
}

function closedWith(client: ReturnType<typeof connectClient>): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.provider.on('connection-close', (ev) => ev && resolve({ code: ev.code, reason: ev.reason })));
}

describe('tokens on sockets that are already open', () => {
  let relay: TestRelay;
  // A second connection to relay.sqlite plays the CLI in another process (RELAY-9: revocation comes from outside).
  let db: SqliteDb;
  let cli: TokenStore;
  let admin: string;

  beforeAll(async () => {
    // A long sweep: what is checked here must happen on the frames themselves, not wait for the timer.
    relay = await startTestRelay({ auth: 'tokens', tokenSweepMs: 60_000, maxConnectionsPerToken: 4, maxRoomsPerToken: 2 });
    db = openRelayDatabase(relay.dataDir);
    cli = new TokenStore(db);
    admin = cli.create(WS, 'admin').token;
  });
  afterAll(async () => {
    db.close();
    await relay.dispose();
  });

  it('[RELAY-28] revoking a token closes its open sockets with 4401; nothing sent after is kept or relayed', async () => {
    const { token, info } = cli.create(WS, 'write');
    const writer = connectClient(relay.url, WS, { token });
    const watcher = connectClient(relay.url, WS, { token: admin });
    try {
      await Promise.all([waitSynced(writer), waitSynced(watcher)]);
      writer.doc.getMap('m').set('before', 1);
      expect(await writer.flush()).toBe(0);
      await waitFor(() => watcher.doc.getMap('m').get('before') === 1, 'watcher sees the write');
      const closed = closedWith(writer);
      expect(cli.revoke(info.id)).toBe(true);
      // Sent right after the revocation, before any sweep could run: refused on arrival.
      writer.doc.getMap('m').set('after', 2);
      expect(await closed).toMatchObject({ code: 4401, reason: 'unauthenticated: token revoked' });
      expect(writer.denied).toContain('unauthenticated: token revoked');
      expect(await watcher.flush()).toBe(0);
      expect(watcher.doc.getMap('m').get('after')).toBeUndefined();
      expect(await storedMap(relay.url, admin)).toEqual({ before: 1 });
    } finally {
      writer.destroy();
      watcher.destroy();
    }
  });

  it('[RELAY-28] a revoked reader stops receiving at once and is closed by the sweep even when idle', async () => {
    const quick = await startTestRelay({ auth: 'tokens', tokenSweepMs: 100 });
    const qdb = openRelayDatabase(quick.dataDir);
    const tokens = new TokenStore(qdb);
    const writeToken = tokens.create(WS, 'write').token;
    const { token, info } = tokens.create(WS, 'read');
    const reader = connectClient(quick.url, WS, { token });
    const writer = connectClient(quick.url, WS, { token: writeToken });
    try {
      await Promise.all([waitSynced(reader), waitSynced(writer)]);
      const closed = closedWith(reader);
      tokens.revoke(info.id);
      writer.doc.getMap('m').set('secret', 'after revocation');
      expect(await writer.flush()).toBe(0);
      expect((await closed).code).toBe(4401);
      expect(reader.doc.getMap('m').get('secret')).toBeUndefined();
    } finally {
      reader.destroy();
      writer.destroy();
      qdb.close();
      await quick.dispose();
    }
  });

  it('[RELAY-28] a token with an expiry works until then; open sockets are closed 4401 and HTTP answers 401 after', async () => {
    const quick = await startTestRelay({ auth: 'tokens', tokenSweepMs: 100 });
    const qdb = openRelayDatabase(quick.dataDir);
    const tokens = new TokenStore(qdb);
    const { token, info } = tokens.create(WS, 'write', { expiresAt: Date.now() + 1_500 });
    expect(info.expiresAt).toBeGreaterThan(Date.now());
    const c = connectClient(quick.url, WS, { token });
    try {
      await waitSynced(c);
      c.doc.getMap('m').set('in-time', 1);
      expect(await c.flush()).toBe(0);
      const closed = await closedWith(c);
      expect(closed).toMatchObject({ code: 4401, reason: 'unauthenticated: token expired' });
      const res = await fetch(`${quick.url}/docs/${WS}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error_code: 'UNAUTHENTICATED', message: 'token expired' });
      const again = rawClient(quick.url, WS, { token });
      expect((await again.closed).code).toBe(4401);
      expect(() => tokens.create(WS, 'write', { expiresAt: Date.now() - 1 })).toThrow(/future/);
    } finally {
      c.destroy();
      qdb.close();
      await quick.dispose();
    }
  });

  it('[RELAY-29] connections and rooms per token are capped; over the cap the socket is closed 4429', async () => {
    const token = cli.create(WS, 'write').token;
    const a = connectClient(relay.url, run(1), { token });
    const b = connectClient(relay.url, run(1), { token });
    const c = connectClient(relay.url, run(2), { token });
    const open: ReturnType<typeof rawClient>[] = [];
    /** 'open' if the socket is still open 200 ms after opening, else its close. */
    const outcome = async (room: string, t = token) => {
      const probe = rawClient(relay.url, room, { token: t });
      open.push(probe);
      return Promise.race([probe.closed, probe.opened.then(() => new Promise<'open'>((ok) => setTimeout(() => ok('open'), 200)))]);
    };
    try {
      await Promise.all([waitSynced(a), waitSynced(b), waitSynced(c)]);
      // 3 sockets in 2 rooms: a third room is refused although a socket slot is free.
      expect(await outcome(run(3))).toMatchObject({ code: 4429, reason: expect.stringMatching(/too many rooms/) });
      expect(await outcome(run(2))).toBe('open');
      expect(await outcome(run(1))).toMatchObject({ code: 4429, reason: expect.stringMatching(/too many connections/) });
      // Another token is not affected, and a slot frees when a socket leaves.
      expect(await outcome(run(3), admin)).toBe('open');
      c.destroy();
      for (const p of open) p.ws.close();
      await waitFor(async () => (await outcome(run(2))) === 'open', 'a free slot once sockets left');
    } finally {
      a.destroy();
      b.destroy();
      c.destroy();
      for (const p of open) p.ws.close();
    }
  });
});

describe('HTTP requests Node refuses before routing', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('[RELAY-18] headers over the limit get 431 with the JSON error shape, not a bare close', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      // Past MAX_HEADER_BYTES (512 KiB, RELAY-42), not Node's default 16 KiB.
      const req = request(`${relay.url}/healthz`, { headers: { 'x-filler': 'a'.repeat(MAX_HEADER_BYTES + 1_000) } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(431);
    expect(JSON.parse(body)).toMatchObject({ error_code: 'REQUEST_LIMIT_EXCEEDED' });
  });
});

describe('read-only clients with a big local backlog', () => {
  it('[RELAY-11] [RELAY-27] are told read-only first, do not answer with a step 2, and stay connected and live', async () => {
    const relay = await startTestRelay({ auth: 'tokens' });
    const db = openRelayDatabase(relay.dataDir);
    const tokens = new TokenStore(db);
    const read = tokens.create(WS, 'read').token;
    const write = tokens.create(WS, 'write').token;
    db.close();
    const doc = new Y.Doc();
    // Made while it held a write token, say: more than a read-only socket may send in one frame.
    doc.getMap('m').set('offline', new Uint8Array(2 * 1024 * 1024).fill(1));
    const reader = new RoomConnection(doc, { relay: relay.url, room: WS, token: read, WebSocketPolyfill: WebSocket });
    const closes: number[] = [];
    reader.provider.on('connection-close', (ev) => ev && closes.push(ev.code));
    const writer = connectClient(relay.url, WS, { token: write });
    try {
      await waitSynced(writer);
      await waitFor(() => reader.state === 'synced', 'reader synced');
      expect(reader.readOnly).toBe(true);
      writer.doc.getMap('m').set('live', 1);
      expect(await writer.flush()).toBe(0);
      await waitFor(() => doc.getMap('m').get('live') === 1, 'reader gets live data');
      await new Promise((r) => setTimeout(r, 500));
      expect(closes).toEqual([]);
      expect(await storedMap(relay.url, write)).toEqual({ live: 1 });
    } finally {
      reader.destroy();
      writer.destroy();
      await relay.dispose();
    }
  });
});
