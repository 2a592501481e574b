import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openRelayDatabase } from '../../server/relay/database';
import { SqliteDocStore } from '../../server/relay/sqlite-doc-store';
import { connectClient, waitSynced } from './helpers/clients';
import { rawUpdate } from './helpers/hostile-updates';
import { startTestRelay, tempDir, type TestRelay } from './helpers/in-process';

const RUN = 'team/run/0123456789abcdef0123456789abcdef';
const METRICS = `${RUN}/metrics`;

function capture(doc: Y.Doc, fn: () => void): Uint8Array[] {
  const out: Uint8Array[] = [];
  const on = (u: Uint8Array) => out.push(u);
  doc.on('update', on);
  fn();
  doc.off('update', on);
  return out;
}

async function getDoc(relay: TestRelay, room: string, sv?: Uint8Array): Promise<Uint8Array> {
  const q = sv ? `?sv=${Buffer.from(sv).toString('base64url')}` : '';
  const res = await fetch(`${relay.url}/docs/${room}${q}`);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

const loadedRooms = async (relay: TestRelay) => ((await (await fetch(`${relay.url}/debug/memory`)).json()) as { loadedRooms: number }).loadedRooms;

/** A data folder whose rooms hold `rows` (written as a relay would have stored them), and a relay started on it. */
async function relayWith(rows: Record<string, Uint8Array[]>): Promise<{ relay: TestRelay; seqs: Record<string, number[]>; remove(): void }> {
  const dir = tempDir();
  const db = openRelayDatabase(dir.path);
  const store = new SqliteDocStore(db);
  const seqs: Record<string, number[]> = {};
  for (const [room, updates] of Object.entries(rows)) seqs[room] = updates.map((u) => store.append(room, u));
  db.close();
  const relay = await startTestRelay({ dataDir: dir.path, debugRoutes: true });
  return { relay, seqs, remove: () => dir.remove() };
}

describe('GET /docs of a room that is not loaded (RELAY-43)', () => {
  it('[RELAY-43] serves the stored rows as the loaded room would, and does not load the room', async () => {
    const writer = new Y.Doc();
    const updates = capture(writer, () => {
      writer.getArray<Uint8Array>('chunks').push([new Uint8Array([1, 2, 3])]);
      writer.getArray<Uint8Array>('chunks').push([new Uint8Array([4, 5])]);
      writer.getMap('m').set('k', 'v');
      writer.getMap('m').delete('k');
    });
    const { relay, remove } = await relayWith({ [METRICS]: updates, [RUN]: [Y.encodeStateAsUpdate(writer)] });
    try {
      // Several rows: merged. One row: served as stored.
      for (const room of [METRICS, RUN]) {
        const got = new Y.Doc();
        Y.applyUpdate(got, await getDoc(relay, room));
        expect(Y.encodeStateVector(got)).toEqual(Y.encodeStateVector(writer));
        expect(got.getArray('chunks').toJSON()).toEqual(writer.getArray('chunks').toJSON());
        expect(got.getMap('m').toJSON()).toEqual({});
      }
      expect(await loadedRooms(relay)).toBe(0);

      // ?sv= asks only for what that state lacks.
      const partial = new Y.Doc();
      Y.applyUpdate(partial, updates[0]!);
      const diff = await getDoc(relay, METRICS, Y.encodeStateVector(partial));
      expect(diff.byteLength).toBeLessThan(Y.encodeStateAsUpdate(writer).byteLength);
      Y.applyUpdate(partial, diff);
      expect(partial.getArray('chunks').toJSON()).toEqual(writer.getArray('chunks').toJSON());
      expect(await loadedRooms(relay)).toBe(0);

      // Once a client holds the room, its live doc is what is served (a write not yet in any row read here).
      const live = connectClient(relay.url, METRICS);
      try {
        await waitSynced(live);
        live.doc.getArray<Uint8Array>('chunks').push([new Uint8Array([6])]);
        expect(await live.flush()).toBe(0);
        const got = new Y.Doc();
        Y.applyUpdate(got, await getDoc(relay, METRICS));
        expect(got.getArray('chunks').length).toBe(3);
      } finally {
        live.destroy();
      }
    } finally {
      await relay.dispose();
      remove();
    }
  });

  it('[RELAY-43] [RELAY-26] a stored row that decodes but does not apply is never served: the room loads and moves it aside', async () => {
    const good = new Y.Doc();
    const updates = capture(good, () => {
      good.getMap('m').set('one', 1);
      good.getMap('m').set('two', 2);
    });
    // Decodes (its state vector can be read), but Yjs throws when applying it: an origin pointing at itself.
    const bad = rawUpdate([{ client: 9, clock: 0, structs: [{ kind: 'item', origin: [9, 0], values: ['x'] }] }]);
    expect(() => Y.encodeStateVectorFromUpdate(bad)).not.toThrow();
    const { relay, seqs, remove } = await relayWith({ [RUN]: [updates[0]!, bad, updates[1]!] });
    try {
      const got = new Y.Doc();
      Y.applyUpdate(got, await getDoc(relay, RUN));
      expect(got.getMap('m').toJSON()).toEqual({ one: 1, two: 2 });
      expect(relay.logs.some((l) => l.includes(`row ${seqs[RUN]![1]}`) && l.includes('doc_rejects'))).toBe(true);
    } finally {
      await relay.dispose();
      remove();
    }
  });
});
