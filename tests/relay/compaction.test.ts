import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openRelayDatabase } from '../../server/relay/database';
import { connectClient, waitSynced, type TestClient } from './helpers/clients';
import { startTestRelay, tempDir, type TestRelay } from './helpers/in-process';
import { waitFor } from './helpers/wait';

const COMPACT_AFTER_ROWS = 20;
const EDITS = 75;

function rowCount(dataDir: string, room: string): number {
  const db = openRelayDatabase(dataDir);
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM doc_updates WHERE room = ?').get(room) as { n: number }).n;
  } finally {
    db.close();
  }
}

async function fetchDoc(url: string, room: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await (await fetch(`${url}/docs/${room}`)).arrayBuffer()));
  return doc;
}

/** Inserts, deletes and overwrites: the kinds of history a snapshot must fold without changing the content. */
function edit(doc: Y.Doc, i: number): void {
  const text = doc.getText('t');
  text.insert(text.length, `line ${i}\n`);
  if (i % 5 === 4) text.delete(0, 3);
  doc.getMap('m').set(`k${i % 7}`, i);
  doc.getArray<Uint8Array>('chunks').push([new Uint8Array(64).fill(i)]);
}

function expectSameContent(a: Y.Doc, b: Y.Doc): void {
  expect(b.getText('t').toString()).toBe(a.getText('t').toString());
  expect(b.getMap('m').toJSON()).toEqual(a.getMap('m').toJSON());
  expect(b.getArray('chunks').toJSON()).toEqual(a.getArray('chunks').toJSON());
  expect(Y.encodeStateVector(b)).toEqual(Y.encodeStateVector(a));
}

describe('relay compaction', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** Updates the last streamEdits sent (each edit is several transactions, so several updates). */
  let sentUpdates = 0;

  async function streamEdits(relay: TestRelay, room: string): Promise<TestClient> {
    const client = connectClient(relay.url, room);
    cleanups.push(() => client.destroy());
    await waitSynced(client);
    sentUpdates = 0;
    client.doc.on('update', () => sentUpdates++);
    for (let i = 0; i < EDITS; i++) edit(client.doc, i);
    expect(await client.flush()).toBe(0);
    return client;
  }

  it('[RELAY-14] past the row threshold the log is folded into a snapshot with identical content', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const relay = await startTestRelay({ dataDir: dir.path, compactAfterRows: COMPACT_AFTER_ROWS, roomUnloadDelayMs: 60_000 });
    cleanups.push(() => relay.close());
    const client = await streamEdits(relay, 'compact-rows');
    const rows = rowCount(dir.path, 'compact-rows');
    expect(rows).toBeGreaterThanOrEqual(1);
    expect(rows).toBeLessThanOrEqual(COMPACT_AFTER_ROWS + 1);
    expectSameContent(client.doc, await fetchDoc(relay.url, 'compact-rows'));
  });

  it('[RELAY-14] past the byte threshold the log is folded too', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const relay = await startTestRelay({ dataDir: dir.path, compactAfterBytes: 2048, roomUnloadDelayMs: 60_000 });
    cleanups.push(() => relay.close());
    const client = await streamEdits(relay, 'compact-bytes');
    // Update sizes vary with the random client id's varint length, so where the last fold lands varies: ~40 B updates
    // fold every ~50 rows. Compared with what was sent, the log must still be a fraction.
    expect(sentUpdates).toBeGreaterThan(EDITS * 3);
    expect(rowCount(dir.path, 'compact-bytes')).toBeLessThan(sentUpdates / 3);
    expectSameContent(client.doc, await fetchDoc(relay.url, 'compact-bytes'));
  });

  it('[RELAY-15] an idle room is unloaded and compacted to one row; a restarted relay serves the same content', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const relay = await startTestRelay({ dataDir: dir.path, roomUnloadDelayMs: 50 });
    const client = await streamEdits(relay, 'compact-unload');
    expect(rowCount(dir.path, 'compact-unload')).toBeGreaterThan(1);
    client.provider.disconnect();
    await waitFor(() => rowCount(dir.path, 'compact-unload') === 1, 'unload compaction to one row');
    await relay.close();
    const restarted = await startTestRelay({ dataDir: dir.path });
    cleanups.push(() => restarted.close());
    expectSameContent(client.doc, await fetchDoc(restarted.url, 'compact-unload'));

    // A client that edits after compaction still converges with what was there before.
    const later = connectClient(restarted.url, 'compact-unload');
    cleanups.push(() => later.destroy());
    await waitSynced(later);
    expectSameContent(client.doc, later.doc);
    later.doc.getMap('m').set('after', true);
    expect(await later.flush()).toBe(0);
    expect((await fetchDoc(restarted.url, 'compact-unload')).getMap('m').get('after')).toBe(true);
  });
});
