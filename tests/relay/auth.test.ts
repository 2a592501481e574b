import Database from 'better-sqlite3';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openRelayDatabase, type SqliteDb } from '../../server/relay/database';
import { encodeFlushRequest } from '../../lib/relay-client/protocol';
import { TokenStore } from '../../server/relay/token-store';
import { connectClient, frameType, rawClient, waitSynced } from './helpers/clients';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { waitFor } from './helpers/wait';

function updateFrame(mutate: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  mutate(doc);
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc));
  return encoding.toUint8Array(e);
}

function authReason(frame: Uint8Array): string {
  const d = decoding.createDecoder(frame);
  expect(decoding.readVarUint(d)).toBe(2);
  expect(decoding.readVarUint(d)).toBe(0);
  return decoding.readVarString(d);
}

describe('relay tokens', () => {
  let relay: TestRelay;
  // A second connection to the same file plays the CLI creating tokens while the relay runs.
  let db: SqliteDb;
  let tokens: TokenStore;
  let writeA: string;
  let readA: string;
  let writeB: string;
  beforeAll(async () => {
    relay = await startTestRelay({ auth: 'tokens' });
    db = openRelayDatabase(relay.dataDir);
    tokens = new TokenStore(db);
    writeA = tokens.create('ws-a', 'write').token;
    readA = tokens.create('ws-a', 'read').token;
    writeB = tokens.create('ws-b', 'write').token;
  });
  afterAll(async () => {
    db.close();
    await relay.dispose();
  });

  it('[RELAY-9] tokens look like cairn_<43 base64url chars> and only their sha256 is stored', () => {
    expect(writeA).toMatch(/^cairn_[A-Za-z0-9_-]{43}$/);
    const raw = new Database(join(relay.dataDir, 'relay.sqlite'), { readonly: true });
    try {
      const rows = raw.prepare('SELECT * FROM tokens').all() as Record<string, unknown>[];
      const dump = JSON.stringify(rows);
      for (const t of [writeA, readA, writeB]) {
        expect(dump).not.toContain(t);
        expect(dump).toContain(createHash('sha256').update(t).digest('hex'));
      }
    } finally {
      raw.close();
    }
  });

  it('[RELAY-10] a missing, wrong or other-workspace token gets the auth frame and 4401 before any sync data', async () => {
    const cases: [string, string | undefined][] = [
      ['missing', undefined],
      ['wrong', 'cairn_' + 'A'.repeat(43)],
      ['garbage', 'not-a-token'],
      ['other workspace', writeB],
    ];
    for (const [label, token] of cases) {
      const c = rawClient(relay.url, 'ws-a', token ? { token } : {});
      const closed = await c.closed;
      expect(closed.code, label).toBe(4401);
      expect(c.frames.length, label).toBe(1);
      expect(authReason(c.frames[0]!), label).toMatch(/^unauthenticated: /);
    }
  });

  it('[RELAY-10] the stock provider stops on 4401 instead of retrying', async () => {
    const c = connectClient(relay.url, 'ws-a', { token: writeB });
    try {
      const closed = await new Promise<{ code: number }>((resolve) => c.provider.on('closed', (ev) => resolve(ev)));
      expect(closed.code).toBe(4401);
      expect(c.provider.shouldConnect).toBe(false);
      expect(c.denied).toEqual([expect.stringMatching(/^unauthenticated: token is not valid for workspace/)]);
      expect(c.doc.share.size).toBe(0);
    } finally {
      c.destroy();
    }
  });

  it('[RELAY-11] a read token receives but its updates never reach others or storage', async () => {
    const writer = connectClient(relay.url, 'ws-a', { token: writeA });
    const reader = connectClient(relay.url, 'ws-a', { token: readA });
    try {
      await Promise.all([waitSynced(writer), waitSynced(reader)]);
      writer.doc.getMap('m').set('w', 1);
      await waitFor(() => reader.doc.getMap('m').get('w') === 1, 'reader receives');
      reader.doc.getMap('m').set('r', 'sneaky');
      expect(await reader.flush()).toBe(1);
      expect(reader.denied).toEqual(['read-only token: updates are not accepted']);
      // Order on the writer's socket: anything the relay had broadcast would arrive before this ack.
      expect(await writer.flush()).toBe(0);
      expect(writer.doc.getMap('m').get('r')).toBeUndefined();
      const res = await fetch(`${relay.url}/docs/ws-a`, { headers: { authorization: `Bearer ${readA}` } });
      const stored = new Y.Doc();
      Y.applyUpdate(stored, new Uint8Array(await res.arrayBuffer()));
      expect(stored.getMap('m').toJSON()).toEqual({ w: 1 });
    } finally {
      writer.destroy();
      reader.destroy();
    }
  });

  it('[RELAY-11] a read connection is told permission denied once, and flush acks carry status 1', async () => {
    const c = rawClient(relay.url, 'ws-a', { token: readA });
    try {
      await c.opened;
      c.ws.send(updateFrame((d) => d.getMap('m').set('x', 1)));
      c.ws.send(updateFrame((d) => d.getMap('m').set('y', 2)));
      c.ws.send(encodeFlushRequest(7));
      await waitFor(() => c.frames.some((f) => frameType(f) === 100), 'flush ack');
      const auth = c.frames.filter((f) => frameType(f) === 2);
      expect(auth).toHaveLength(1);
      expect(authReason(auth[0]!)).toBe('read-only token: updates are not accepted');
      const ack = c.frames.find((f) => frameType(f) === 100)!;
      expect([...ack]).toEqual([100, 7, 1]);
    } finally {
      c.ws.close();
    }
  });

  it('[RELAY-9] a token created while the relay runs works at once; a revoked one is refused at once', async () => {
    const { token, info } = tokens.create('ws-new', 'write');
    const ok = connectClient(relay.url, 'ws-new', { token });
    try {
      await waitSynced(ok);
    } finally {
      ok.destroy();
    }
    expect(tokens.revoke(info.id)).toBe(true);
    const refused = rawClient(relay.url, 'ws-new', { token });
    expect((await refused.closed).code).toBe(4401);
    const http = await fetch(`${relay.url}/docs/ws-new?token=${token}`);
    expect(http.status).toBe(401);
  });

  it('[RELAY-10] HTTP reads need a token of the same workspace', async () => {
    const none = await fetch(`${relay.url}/docs/ws-a`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error_code: 'UNAUTHENTICATED' });
    const other = await fetch(`${relay.url}/docs/ws-a`, { headers: { authorization: `Bearer ${writeB}` } });
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error_code: 'PERMISSION_DENIED' });
    const query = await fetch(`${relay.url}/docs/ws-a?token=${readA}`);
    expect(query.status).toBe(200);
  });
});
