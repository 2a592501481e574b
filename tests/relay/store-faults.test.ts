import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocStore, StoredUpdate } from '../../server/relay/doc-store';
import { MemoryDocStore } from '../../server/relay/memory-doc-store';
import { connectClient, waitSynced } from './helpers/clients';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { waitFor } from './helpers/wait';

/** A store whose commits fail while `failing` is set, the way SQLite does on a full disk or an I/O error. */
class FlakyStore implements DocStore {
  failing = { append: false, compact: false, load: false };
  failures = 0;
  constructor(readonly inner = new MemoryDocStore()) {}
  load(room: string): StoredUpdate[] {
    if (this.failing.load) throw new Error('disk I/O error (read)');
    return this.inner.load(room);
  }
  append(room: string, update: Uint8Array): number {
    if (this.failing.append) {
      this.failures++;
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    }
    return this.inner.append(room, update);
  }
  compact(room: string, uptoSeq: number, snapshot: Uint8Array): void {
    if (this.failing.compact) {
      this.failures++;
      throw new Error('database or disk is full');
    }
    this.inner.compact(room, uptoSeq, snapshot);
  }
  quarantine(room: string, seq: number, reason: string): void {
    this.inner.quarantine(room, seq, reason);
  }
  rejects(room: string): { seq: number; reason: string }[] {
    return this.inner.rejects(room);
  }
  close(): void {
    this.inner.close();
  }
}

async function served(url: string, room: string): Promise<Record<string, unknown>> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await (await fetch(`${url}/docs/${room}`)).arrayBuffer()));
  return doc.getMap('m').toJSON();
}

describe('a store that throws on commit', () => {
  const store = new FlakyStore();
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay({ docStore: store, storage: 'memory', compactAfterRows: 3 });
  });
  afterAll(async () => {
    await relay.dispose();
    store.close();
  });

  it('[RELAY-4] [RELAY-30] a failed commit is not acked, not applied, not relayed; the writer resends it once the store works', async () => {
    const writer = connectClient(relay.url, 'flaky');
    const reader = connectClient(relay.url, 'flaky');
    const closes: number[] = [];
    writer.provider.on('connection-close', (ev) => ev && closes.push(ev.code));
    try {
      await Promise.all([waitSynced(writer), waitSynced(reader)]);
      writer.doc.getMap('m').set('saved', 1);
      expect(await writer.flush()).toBe(0);
      store.failing.append = true;
      writer.doc.getMap('m').set('lost?', 2);
      const id = writer.requestFlush();
      await waitFor(() => closes.length > 0, 'the writer is closed');
      expect(closes[0]).toBe(1011);
      expect(writer.acks.has(id!)).toBe(false);
      expect(await served(relay.url, 'flaky')).toEqual({ saved: 1 });
      expect(await reader.flush()).toBe(0);
      expect(reader.doc.getMap('m').get('lost?')).toBeUndefined();
      store.failing.append = false;
      // The stock provider reconnects on 1011 and its handshake resends what the relay lacks.
      await waitSynced(writer, 'writer reconnects');
      expect(await writer.flush()).toBe(0);
      expect(await served(relay.url, 'flaky')).toEqual({ saved: 1, 'lost?': 2 });
      await waitFor(() => reader.doc.getMap('m').get('lost?') === 2, 'reader gets it once stored');
      expect(store.failures).toBeGreaterThan(0);
    } finally {
      writer.destroy();
      reader.destroy();
    }
  });

  it('[RELAY-30] when the store cannot even be read back, the refused update is not served and nothing is compacted away', async () => {
    const c = connectClient(relay.url, 'unreadable');
    try {
      await waitSynced(c);
      for (let i = 0; i < 3; i++) {
        c.doc.getMap('m').set(`kept${i}`, i);
        expect(await c.flush()).toBe(0);
      }
      store.failing.append = true;
      store.failing.load = true;
      c.doc.getMap('m').set('refused', 1);
      await waitFor(() => !c.provider.wsconnected, 'writer closed');
      store.failing.load = false;
      expect(await served(relay.url, 'unreadable')).not.toHaveProperty('refused');
      store.failing.append = false;
      expect(store.inner.load('unreadable').length).toBeGreaterThanOrEqual(3);
      await waitSynced(c, 'writer back');
      for (let i = 0; i < 5; i++) {
        c.doc.getMap('m').set(`later${i}`, i);
        expect(await c.flush()).toBe(0);
      }
      // Whatever the stand-in doc held, the stored log still has everything.
      const stored = new Y.Doc();
      for (const row of store.inner.load('unreadable')) Y.applyUpdate(stored, row.data);
      expect(Object.keys(stored.getMap('m').toJSON()).sort()).toEqual(
        ['kept0', 'kept1', 'kept2', 'later0', 'later1', 'later2', 'later3', 'later4', 'refused'].sort(),
      );
    } finally {
      store.failing.append = false;
      store.failing.load = false;
      c.destroy();
    }
  });

  it('[RELAY-14] [RELAY-30] a compaction that fails leaves the log as it was, and the room keeps working', async () => {
    const c = connectClient(relay.url, 'compact-fail');
    try {
      await waitSynced(c);
      store.failing.compact = true;
      for (let i = 0; i < 8; i++) {
        c.doc.getMap('m').set(`k${i}`, i);
        expect(await c.flush()).toBe(0);
      }
      expect(store.inner.load('compact-fail').length).toBe(8);
      expect(relay.logs.some((l) => /compact-fail: compaction failed/.test(l))).toBe(true);
      store.failing.compact = false;
      c.doc.getMap('m').set('k8', 8);
      expect(await c.flush()).toBe(0);
      expect(store.inner.load('compact-fail').length).toBe(1);
      expect(Object.keys(await served(relay.url, 'compact-fail'))).toHaveLength(9);
    } finally {
      c.destroy();
    }
  });
});
