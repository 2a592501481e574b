import { afterEach, describe, expect, it } from 'vitest';
import { openRelayDatabase, type SqliteDb } from '../../server/relay/database';
import type { DocStore } from '../../server/relay/doc-store';
import { MemoryDocStore } from '../../server/relay/memory-doc-store';
import { SqliteDocStore } from '../../server/relay/sqlite-doc-store';
import { tempDir } from './helpers/in-process';

interface Harness {
  store: DocStore;
  /** A fresh store over the same data, as after a restart (memory: the same instance, nothing to reopen). */
  reopen(): DocStore;
  dispose(): void;
}

const bytes = (...b: number[]) => new Uint8Array(b);

const implementations: [string, () => Harness][] = [
  [
    'memory',
    () => {
      const store = new MemoryDocStore();
      return { store, reopen: () => store, dispose: () => store.close() };
    },
  ],
  [
    'sqlite',
    () => {
      const dir = tempDir();
      const dbs: SqliteDb[] = [openRelayDatabase(dir.path)];
      const store = new SqliteDocStore(dbs[0]!);
      return {
        store,
        reopen: () => {
          const db = openRelayDatabase(dir.path);
          dbs.push(db);
          return new SqliteDocStore(db);
        },
        dispose: () => {
          for (const db of dbs) db.close();
          dir.remove();
        },
      };
    },
  ],
];

/** One contract, every DocStore implementation (STYLE habit 4). */
describe.each(implementations)('[RELAY-13] DocStore contract: %s', (_name, make) => {
  let h: Harness;
  afterEach(() => h?.dispose());

  it('[RELAY-13] an unknown room loads as no rows', () => {
    h = make();
    expect(h.store.load('nobody')).toEqual([]);
  });

  it('[RELAY-13] appends get increasing seqs and load returns them in order, per room', () => {
    h = make();
    const s1 = h.store.append('a', bytes(1));
    const s2 = h.store.append('a', bytes(2, 2));
    h.store.append('b', bytes(9));
    const s3 = h.store.append('a', bytes(3));
    expect(s1).toBeLessThan(s2);
    expect(s2).toBeLessThan(s3);
    expect(h.store.load('a')).toEqual([
      { seq: s1, data: bytes(1) },
      { seq: s2, data: bytes(2, 2) },
      { seq: s3, data: bytes(3) },
    ]);
    expect(h.store.load('b').map((r) => r.data)).toEqual([bytes(9)]);
  });

  it('[RELAY-13] [RELAY-26] quarantine moves one row aside with its reason; the rest of the room and other rooms stay', () => {
    h = make();
    const a1 = h.store.append('a', bytes(1));
    const bad = h.store.append('a', bytes(6, 6));
    const a3 = h.store.append('a', bytes(3));
    h.store.append('b', bytes(9));
    h.store.quarantine('a', bad, 'cannot be applied: boom');
    h.store.quarantine('a', 12345, 'unknown seq: no-op');
    expect(h.store.load('a')).toEqual([
      { seq: a1, data: bytes(1) },
      { seq: a3, data: bytes(3) },
    ]);
    expect(h.store.rejects('a')).toEqual([{ seq: bad, reason: 'cannot be applied: boom' }]);
    expect(h.store.rejects('b')).toEqual([]);
    expect(h.reopen().rejects('a')).toEqual([{ seq: bad, reason: 'cannot be applied: boom' }]);
    expect(h.store.append('a', bytes(4))).toBeGreaterThan(a3);
  });

  it('[RELAY-13] stored bytes do not alias the caller buffer', () => {
    h = make();
    const buf = bytes(1, 2, 3);
    h.store.append('a', buf.subarray(1));
    buf.fill(0);
    expect(h.store.load('a')[0]!.data).toEqual(bytes(2, 3));
  });

  it('[RELAY-13] compact replaces rows up to seq by one snapshot and keeps later rows', () => {
    h = make();
    h.store.append('a', bytes(1));
    const s2 = h.store.append('a', bytes(2));
    const s3 = h.store.append('a', bytes(3));
    h.store.append('b', bytes(7));
    h.store.compact('a', s2, bytes(12));
    expect(h.store.load('a')).toEqual([
      { seq: s2, data: bytes(12) },
      { seq: s3, data: bytes(3) },
    ]);
    const s4 = h.store.append('a', bytes(4));
    expect(s4).toBeGreaterThan(s3);
    expect(h.store.load('b')).toHaveLength(1);
  });

  it('[RELAY-13] appended and compacted rows survive a reopen', () => {
    h = make();
    h.store.append('a', bytes(1));
    const s2 = h.store.append('a', bytes(2));
    h.store.compact('a', s2, bytes(1, 2));
    h.store.append('run/x', bytes(5));
    const again = h.reopen();
    expect(again.load('a').map((r) => [...r.data])).toEqual([[1, 2]]);
    expect(again.load('run/x').map((r) => [...r.data])).toEqual([[5]]);
  });
});
