import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as doc from '../../lib/doc';
import { fetchStateVector } from '../../lib/relay-client/snapshot-fetch';
import { metricsRoom } from '../../lib/relay-client/urls';
import { openRelayDatabase, type SqliteDb } from '../../server/relay/database';
import { parseRoomName } from '../../server/relay/room-name';
import { TokenStore } from '../../server/relay/token-store';
import { connectClient, rawClient, waitSynced } from './helpers/clients';
import { fetchDoc } from './helpers/docs';
import { startTestRelay, type TestRelay } from './helpers/in-process';

const RUN = 'a'.repeat(32);

describe('room names', () => {
  it('[RELAY-32] three shapes: workspace, run, metrics; the kind and run id are given; anything else is refused', () => {
    expect(parseRoomName('ws')).toEqual({ ok: true, room: { name: 'ws', kind: 'workspace', workspace: 'ws', runId: null } });
    expect(parseRoomName(`ws/run/${RUN}`)).toEqual({ ok: true, room: { name: `ws/run/${RUN}`, kind: 'run', workspace: 'ws', runId: RUN } });
    expect(parseRoomName(`ws/run/${RUN}/metrics`)).toEqual({
      ok: true,
      room: { name: `ws/run/${RUN}/metrics`, kind: 'metrics', workspace: 'ws', runId: RUN },
    });
    expect(parseRoomName(`ws%2Frun%2F${RUN}%2Fmetrics`)).toMatchObject({ ok: true, room: { kind: 'metrics' } });
    expect(metricsRoom('ws', RUN)).toBe(`ws/run/${RUN}/metrics`);
    for (const bad of [`ws/run/${RUN}/chunks`, `ws/run/${RUN}/metrics/x`, `ws/run/${RUN}/`, 'ws/run', `ws/x/${RUN}/metrics`, 'ws/run/bad id!/metrics', `/run/${RUN}/metrics`]) {
      const r = parseRoomName(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message, bad).toMatch(/invalid room|expected/);
    }
  });
});

describe('metrics rooms and state vectors over the wire', () => {
  let relay: TestRelay;
  let db: SqliteDb;
  let write: string;
  let read: string;
  let other: string;
  beforeAll(async () => {
    relay = await startTestRelay({ auth: 'tokens' });
    db = openRelayDatabase(relay.dataDir);
    const tokens = new TokenStore(db);
    write = tokens.create('ws', 'write').token;
    read = tokens.create('ws', 'read').token;
    other = tokens.create('other', 'write').token;
  });
  afterAll(async () => {
    db.close();
    await relay.dispose();
  });

  it('[RELAY-32] a metrics room syncs and persists like any room; its updates mark no run dirty; other workspaces\' tokens are refused', async () => {
    const room = `ws/run/${RUN}/metrics`;
    const c = connectClient(relay.url, room, { token: write });
    try {
      await waitSynced(c);
      doc.initMetricsDoc(c.doc, RUN);
      c.doc.transact(() => doc.metricChunks(c.doc).push([doc.encodeChunk('loss', [1, 2], [10, 20], [0.5, 0.25])]));
      expect(await c.flush()).toBe(0);
      const served = await fetchDoc(relay.url, room, read);
      expect(doc.metricHistory(served, 'loss')).toEqual([
        { step: 1, timestamp: 10, value: 0.5 },
        { step: 2, timestamp: 20, value: 0.25 },
      ]);
      const raw = new Database(join(relay.dataDir, 'relay.sqlite'), { readonly: true });
      try {
        expect(raw.prepare('SELECT COUNT(*) AS n FROM index_dirty').get()).toEqual({ n: 0 });
        expect((raw.prepare('SELECT COUNT(*) AS n FROM doc_updates WHERE room = ?').get(room) as { n: number }).n).toBeGreaterThan(0);
      } finally {
        raw.close();
      }
      const refused = rawClient(relay.url, room, { token: other });
      expect((await refused.closed).code).toBe(4401);
      const res = await fetch(`${relay.url}/docs/${room}`, { headers: { authorization: `Bearer ${other}` } });
      expect(res.status).toBe(403);
      // A read token's updates to a metrics room are dropped (RELAY-11 holds for every room).
      const reader = connectClient(relay.url, room, { token: read });
      try {
        await waitSynced(reader);
        reader.doc.transact(() => doc.metricChunks(reader.doc).push([doc.encodeChunk('loss', [3], [30], [0.1])]));
        expect(await reader.flush()).toBe(1);
        expect(doc.metricHistory(await fetchDoc(relay.url, room, read), 'loss')).toHaveLength(2);
      } finally {
        reader.destroy();
      }
    } finally {
      c.destroy();
    }
  });

  it('[RELAY-39] GET /sv/<room> is the room\'s state vector (HEAD too), with the access and errors of /docs', async () => {
    const room = `ws/run/${RUN}`;
    const c = connectClient(relay.url, room, { token: write });
    try {
      await waitSynced(c);
      c.doc.getMap('tags').set('k', 'v');
      expect(await c.flush()).toBe(0);
      const res = await fetch(`${relay.url}/sv/${room}`, { headers: { authorization: `Bearer ${read}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      const sv = new Uint8Array(await res.arrayBuffer());
      expect(sv).toEqual(Y.encodeStateVector(c.doc));
      expect(await fetchStateVector(fetch, relay.url, room, read)).toEqual(sv);
      const head = await fetch(`${relay.url}/sv/${room}?token=${read}`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(Number(head.headers.get('content-length'))).toBe(sv.byteLength);
      // A room never written: the empty doc's state vector.
      const empty = await fetch(`${relay.url}/sv/ws/run/${'b'.repeat(32)}/metrics?token=${read}`);
      expect(new Uint8Array(await empty.arrayBuffer())).toEqual(Y.encodeStateVector(new Y.Doc()));
    } finally {
      c.destroy();
    }
    const cases: [string, Record<string, string>, number, string][] = [
      [`/sv/ws/run/bad%20id`, { authorization: `Bearer ${read}` }, 400, 'INVALID_PARAMETER_VALUE'],
      [`/sv/ws/nope/${RUN}`, { authorization: `Bearer ${read}` }, 400, 'INVALID_PARAMETER_VALUE'],
      [`/sv/ws`, {}, 401, 'UNAUTHENTICATED'],
      [`/sv/ws`, { authorization: 'Bearer cairn_unknown' }, 401, 'UNAUTHENTICATED'],
      [`/sv/ws/run/${RUN}/metrics`, { authorization: `Bearer ${other}` }, 403, 'PERMISSION_DENIED'],
    ];
    for (const [path, headers, status, code] of cases) {
      const r = await fetch(`${relay.url}${path}`, { headers });
      expect(r.status, path).toBe(status);
      expect(await r.json(), path).toMatchObject({ error_code: code });
    }
  });
});
