import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CairnError } from '@/lib/domain';
import { sha256Hex } from '@/lib/domain';
import { LocalStore, SCHEMA_VERSION, createDexie } from '@/lib/store';

let n = 0;
const freshName = () => `cairn-store-test-${process.pid}-${++n}`;
const open = (name = freshName()) => LocalStore.open({ name, mergeUpdates: Y.mergeUpdates });

/** A doc whose every transaction is captured as one update, like DocPersistence sees them. */
function recordingDoc() {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  return { doc, updates };
}

function contentOf(update: Uint8Array | null): unknown {
  const d = new Y.Doc();
  if (update) Y.applyUpdate(d, update);
  return d.getMap('m').toJSON();
}

describe('LocalStore update log', () => {
  it('loads every appended update of a doc merged into one, and nothing of other docs', async () => {
    const store = await open();
    const { doc, updates } = recordingDoc();
    for (let i = 0; i < 5; i++) doc.getMap('m').set(`k${i}`, i);
    await store.appendUpdates('a', updates.slice(0, 2));
    for (const u of updates.slice(2)) await store.appendUpdate('a', u);
    await store.appendUpdate('b', updates[0]!);
    const loaded = await store.loadUpdates('a');
    expect(loaded.ids).toHaveLength(5);
    expect(loaded.ids).toEqual([...loaded.ids].sort((x, y) => x - y));
    expect(contentOf(loaded.update)).toEqual(doc.getMap('m').toJSON());
    expect(await store.countUpdates('b')).toBe(1);
    expect(await store.loadUpdates('nothing')).toEqual({ update: null, ids: [] });
    store.close();
  });

  it('compact replaces rows up to an id by one snapshot row, in place, keeping later rows', async () => {
    const store = await open();
    const { doc, updates } = recordingDoc();
    for (let i = 0; i < 10; i++) doc.getMap('m').set(`k${i}`, i);
    const ids = await store.appendUpdates('a', updates);
    const upto = ids[6]!;
    const snapshotDoc = new Y.Doc();
    for (const u of updates.slice(0, 7)) Y.applyUpdate(snapshotDoc, u);
    const replaced = await store.compact('a', Y.encodeStateAsUpdate(snapshotDoc), upto, new Set(ids.slice(0, 7)));
    expect(replaced).toEqual(ids.slice(0, 7));
    const loaded = await store.loadUpdates('a');
    expect(loaded.ids).toEqual([upto, ...ids.slice(7)]);
    expect(contentOf(loaded.update)).toEqual(doc.getMap('m').toJSON());
    store.close();
  });

  it('compact keeps rows another tab wrote below the snapshot id (merged in, not dropped)', async () => {
    const store = await open();
    const mine = recordingDoc();
    const theirs = recordingDoc();
    mine.doc.getMap('m').set('mine', 1);
    theirs.doc.getMap('m').set('theirs', 2); // an offline tab: never seen by `mine`
    const [a] = await store.appendUpdates('ws', [mine.updates[0]!]);
    await store.appendUpdates('ws', [theirs.updates[0]!]);
    mine.doc.getMap('m').set('later', 3);
    const [c] = await store.appendUpdates('ws', [mine.updates[1]!]);
    await store.compact('ws', Y.encodeStateAsUpdate(mine.doc), c!, new Set([a!, c!]));
    const loaded = await store.loadUpdates('ws');
    expect(loaded.ids).toEqual([c]);
    expect(contentOf(loaded.update)).toEqual({ mine: 1, theirs: 2, later: 3 });
    store.close();
  });

  it('a snapshot of a doc with deletions merges with the raw rows it replaces without resurrecting anything', async () => {
    const store = await open();
    const { doc, updates } = recordingDoc();
    const m = doc.getMap('m');
    for (let i = 0; i < 50; i++) m.set('x', i);
    m.delete('x');
    m.set('y', 'kept');
    const ids = await store.appendUpdates('a', updates);
    // No `known`: every row is merged with the (garbage-collected) snapshot, the slow but always-safe path.
    await store.compact('a', Y.encodeStateAsUpdate(doc), ids.at(-1)!);
    expect(contentOf((await store.loadUpdates('a')).update)).toEqual({ y: 'kept' });
    store.close();
  });

  it('deleteDoc drops one document only', async () => {
    const store = await open();
    await store.appendUpdate('a', new Uint8Array([0, 0]));
    await store.appendUpdate('b', new Uint8Array([0, 0]));
    await store.deleteDoc('a');
    expect(await store.countUpdates('a')).toBe(0);
    expect(await store.countUpdates('b')).toBe(1);
    store.close();
  });
});

describe('LocalStore preloaded reads', () => {
  it('[STORE-P1] the first load takes the preloaded read (the rows are not read again), once', async () => {
    const store = await open();
    const { doc, updates } = recordingDoc();
    doc.getMap('m').set('a', 1);
    const [id] = await store.appendUpdates('d', updates.splice(0));
    store.preloadUpdates(['d', 'empty']);
    await new Promise((r) => setTimeout(r, 10));
    // The row rewritten in place under its own id (the store never does this: its compactions fold many rows into one,
    // which changes the ids) makes the preload visible: the first load shows what was preloaded, the second reads again.
    doc.getMap('m').set('b', 2);
    await store.compact('d', Y.encodeStateAsUpdate(doc), id!);
    expect(contentOf((await store.loadUpdates('d')).update)).toEqual({ a: 1 });
    expect(contentOf((await store.loadUpdates('d')).update)).toEqual({ a: 1, b: 2 });
    expect(await store.loadUpdates('empty')).toEqual({ update: null, ids: [] });
  });

  it('[STORE-P1] a row appended or a compaction after the preload means a fresh read: nothing stored is hidden', async () => {
    const store = await open();
    const { doc, updates } = recordingDoc();
    doc.getMap('m').set('a', 1);
    await store.appendUpdates('d', updates.splice(0));
    store.preloadUpdates(['d']);
    // Another tab's write lands after the preload started.
    doc.getMap('m').set('b', 2);
    await store.appendUpdates('d', updates.splice(0));
    const loaded = await store.loadUpdates('d');
    expect(contentOf(loaded.update)).toEqual({ a: 1, b: 2 });
    expect(loaded.ids).toHaveLength(2);

    store.preloadUpdates(['d']);
    await new Promise((r) => setTimeout(r, 10));
    // Another tab compacts both rows into one (same content, fewer ids), then writes a third change.
    await store.compact('d', Y.encodeStateAsUpdate(doc), loaded.ids[1]!);
    doc.getMap('m').set('c', 3);
    await store.appendUpdates('d', updates.splice(0));
    const after = await store.loadUpdates('d');
    expect(contentOf(after.update)).toEqual({ a: 1, b: 2, c: 3 });
    expect(after.ids).toHaveLength(2);
  });

  it('[STORE-P1] a preload nobody took is dropped after its TTL, and close() drops them all', async () => {
    const store = await open();
    const { doc, updates } = recordingDoc();
    doc.getMap('m').set('a', 1);
    await store.appendUpdates('d', updates.splice(0));
    store.preloadUpdates(['d'], 20);
    await new Promise((r) => setTimeout(r, 60));
    doc.getMap('m').set('b', 2);
    await store.appendUpdates('d', updates.splice(0));
    expect(contentOf((await store.loadUpdates('d')).update)).toEqual({ a: 1, b: 2 });
    store.preloadUpdates(['d']);
    store.close();
    await expect(store.loadUpdates('d')).rejects.toThrow();
  });
});

describe('LocalStore settings and blobs', () => {
  it('tells "never set" (undefined) from a saved null', async () => {
    const store = await open();
    expect(await store.getSetting('relayUrl')).toBeUndefined();
    await store.setSetting('relayUrl', null);
    expect(await store.getSetting('relayUrl')).toBeNull();
    await store.setSetting('relayUrl', 'http://127.0.0.1:1');
    expect(await store.getSetting('relayUrl')).toBe('http://127.0.0.1:1');
    await store.deleteSetting('relayUrl');
    expect(await store.getSetting('relayUrl')).toBeUndefined();
    store.close();
  });

  it('stores blobs under their verified sha256 and refuses bytes that do not match', async () => {
    const store = await open();
    const bytes = new TextEncoder().encode('hello cairn');
    const sha = await sha256Hex(bytes);
    await store.putBlob(sha, bytes, 'text/plain');
    const got = await store.getBlob(sha);
    expect(got).toMatchObject({ sha256: sha, size: bytes.length, mediaType: 'text/plain' });
    expect(new TextDecoder().decode(got!.data)).toBe('hello cairn');
    expect(await store.hasBlob(sha)).toBe(true);
    const wrong = await sha256Hex(new TextEncoder().encode('other'));
    await expect(store.putBlob(wrong, bytes)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(store.putBlob('not-a-hash', bytes)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    expect(await store.getBlob(wrong)).toBeNull();
    store.close();
  });
});

describe('LocalStore schema versions', () => {
  it('SCHEMA_VERSION is the newest declared version', () => {
    expect(createDexie(freshName()).verno).toBe(SCHEMA_VERSION);
  });

  it('closes, refuses writes and signals once when another tab upgrades the schema', async () => {
    const name = freshName();
    const store = await open(name);
    await store.appendUpdate('a', new Uint8Array([0, 0]));
    const reasons: string[] = [];
    store.onUpgradeNeeded((r) => reasons.push(r));
    // "Another tab" with newer code: same database, one version more.
    const newer = new Dexie(name);
    newer.version(SCHEMA_VERSION).stores({ updates: '++id, doc', blobs: 'sha256', settings: 'key' });
    newer.version(SCHEMA_VERSION + 1).stores({ updates: '++id, doc', blobs: 'sha256', settings: 'key', extra: 'id' });
    await newer.open();
    expect(reasons).toEqual(['newer-schema-elsewhere']);
    expect(store.isOpen).toBe(false);
    const err = await store.appendUpdate('a', new Uint8Array([0, 0])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe('INVALID_STATE');
    const late: string[] = [];
    store.onUpgradeNeeded((r) => late.push(r));
    await Promise.resolve();
    expect(late).toEqual(['newer-schema-elsewhere']);
    newer.close();
  });

  it('refuses to open a database that newer code already upgraded', async () => {
    const name = freshName();
    const newer = new Dexie(name);
    newer.version(SCHEMA_VERSION + 1).stores({ updates: '++id, doc', blobs: 'sha256', settings: 'key' });
    await newer.open();
    newer.close();
    await expect(open(name)).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
